// Where this process listens, what it runs and how the embedded mode keeps its files: the settings of the
// reference's "Process and storage" section (CONFIG_GROUPS.process), in the order it lists them.

import { z } from 'zod';
import { ALL_ROLES_ALIAS, ROLE_NAMES } from '../roleNames.js';
import { doc } from './configGroups.js';

export const processSettings = {
  PORT: z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .default(3000)
    .meta(
      doc(
        'process',
        'Port of the HTTP server: REST and the browser client, `/ws`, `/api/health` and `/metrics`, as far as the ' +
          "process's roles serve them (every process answers `/api/health` and `/metrics`). `chat serve --port` " +
          'overrides it.',
      ),
    ),
  HOST: z.string().min(1).default('0.0.0.0').meta(doc('process', 'Interface the HTTP server listens on.')),
  DATA_DIR: z
    .string()
    .min(1)
    .default('./data')
    .meta(
      doc(
        'process',
        "This process's files: `events.db` (the SQLite log and the embedded schema registry), `history.db`, " +
          '`auth.db` (refresh tokens and revocations), `keys.db` (personal-data keys), `snapshots.db` (long rooms\' ' +
          'decided state, so the first command on one after a start does not read all its events: a cache, safe to ' +
          'delete while the service is stopped), `jwt-secret`; with ' +
          '`EVENT_LOG=kafka` also the local index `kafka-index.<topic>.db`. A relative path is resolved against ' +
          'the working directory. `chat serve --data-dir` overrides it.',
      ),
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta(doc('process', 'pino log level; logs are JSON lines carrying the request id.')),
  // Not MODE: tools set that one for themselves (Vite and vitest set MODE=test in every child's environment).
  RUN_MODE: z
    .enum(['embedded', 'distributed'])
    .default('embedded')
    .meta(
      doc(
        'process',
        '`embedded`: one process on its own files, no server needed. `distributed`: the processes share a Kafka log ' +
          'and Redis, so this one switch sets `EVENT_LOG=kafka`, `SCHEMA_REGISTRY=confluent` and every Redis ' +
          'selector below to `redis` (those left unset), requires `JWT_SECRET`, `KAFKA_BROKERS`, ' +
          '`SCHEMA_REGISTRY_URL` and `REDIS_URL`, and refuses at start any setting that contradicts it, naming the ' +
          'fix (see [operators](operators.md#distributed-mode-several-processes-chat-serve---roles)).',
      ),
    ),
  // Validated by configuredRoles (configuredRoles.ts) against roleNames.ts, so that an unknown role is named with the
  // known ones.
  ROLES: z
    .string()
    .optional()
    .meta(
      doc(
        'process',
        `What this process runs, comma-separated: ${ROLE_NAMES.map((role) => `\`${role}\``).join(', ')}, or ` +
          `\`${ALL_ROLES_ALIAS}\`. Anything but every role needs \`EVENT_LOG=kafka\`, \`SCHEMA_REGISTRY=confluent\` ` +
          'and `PERSONAL_DATA_KEYS=redis` (see ' +
          '[operators](operators.md#distributed-mode-several-processes-chat-serve---roles)). `chat serve --roles` ' +
          'overrides it.',
        'every role',
      ),
    ),
  SQLITE_SYNCHRONOUS: z
    .enum(['normal', 'full'])
    .default('normal')
    .meta(
      doc(
        'process',
        '`normal`: the SQLite files survive a process crash; `full`: also a power loss (one fsync per group commit).',
      ),
    ),
  GC_PARALLEL_SCAVENGE: z
    .enum(['on', 'off'])
    .default('on')
    .meta(
      doc(
        'process',
        "Whether V8 empties its young generation with helper threads (`chat serve` only). `off` helps a history " +
          "page's tail on a machine whose other cores are busy (p99 5.00 against 5.5-5.7 ms, p99.9 ~25 % lower on two " +
          'loaded cores), and costs sends ~4 % when a core is free for the helpers (bench/README.md, twelfth session).',
      ),
    ),
};
