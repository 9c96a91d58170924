import path from 'node:path';
import { z } from 'zod';
import { ALL_ROLES_ALIAS, parseRoles, ROLE_NAMES, runsAllRoles, type Role } from './roleNames.js';

// The only place that reads the environment (DESIGN.md: adapters are chosen in one composition root from
// configuration). Every setting is validated; a bad one stops start-up with a message naming it.

const positiveInt = z.coerce.number().int().positive();
const csv = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/**
 * The sections of the configuration reference (docs/configuration.md, rendered from this schema by
 * configReference.ts), in the order it shows them. Each setting names its section in its metadata.
 */
export const CONFIG_GROUPS = {
  process: {
    title: 'Process and storage',
    intro: 'Where this process listens, what it runs and where the embedded mode keeps its files.',
  },
  auth: {
    title: 'Accounts and tokens',
    intro: 'Passwords, JWT access tokens and rotated refresh tokens, the login lockout and the first admins.',
  },
  limits: {
    title: 'Limits',
    intro: 'What one user or one request may do.',
  },
  http: {
    title: 'HTTP',
    intro: 'The REST edge: CORS, proxies, `/metrics` and read-your-writes.',
  },
  realtime: {
    title: 'WebSocket, presence and receipts',
    intro: 'The `/ws` gateway (frames and close codes: [clients](clients.md#websocket-ws)), presence and receipts.',
  },
  eventLog: {
    title: 'Event log',
    intro:
      '`EVENT_LOG=kafka` keeps the event log in a Kafka topic instead of `DATA_DIR/events.db`; `npm start` stays on ' +
      'SQLite. How the topic, the local index and the command processor behave: ' +
      '[operators](operators.md#kafka-event-log).',
  },
  schemaRegistry: {
    title: 'Schema registry',
    intro:
      'Events are Avro in the Confluent wire format whichever registry hands out the ids; subjects are ' +
      '`<SCHEMA_SUBJECT_PREFIX>chat.events.<Type>`, one per `schemas/events/<Type>.avsc`. Start-up and ' +
      'compatibility: [operators](operators.md#schema-registry).',
  },
  historyStore: {
    title: 'History store',
    intro:
      'The history view (rooms, members, messages, edit history, read markers, unread counts, friendships) lives in ' +
      '`DATA_DIR/history.db`, or in Oracle Database (node-oracledb Thin mode, no Oracle Client to install): ' +
      '[operators](operators.md#oracle-history-store).',
  },
  redis: {
    title: 'Shared state (Redis)',
    intro:
      'State that several api and gateway processes must share has one selector each. The defaults keep it in the ' +
      'process (tokens in `DATA_DIR/auth.db`), so `npm start` needs no server; any selector set to `redis` needs ' +
      '`REDIS_URL` (start-up stops, naming the selector, without it). Selectors are independent: any mix works. ' +
      'What happens while Redis is away: [operators](operators.md#redis).',
  },
} as const satisfies Record<string, { title: string; intro: string }>;

export type ConfigGroup = keyof typeof CONFIG_GROUPS;

/**
 * What the reference says about one setting, kept in the schema's metadata (zod's global registry). `unset` says
 * what an optional setting without a default means when it is not set.
 */
type SettingDoc = { group: ConfigGroup; description: string; unset?: string };

function doc(group: ConfigGroup, description: string, unset?: string): SettingDoc {
  return unset === undefined ? { group, description } : { group, description, unset };
}
export const configSchema = z.object({
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
          '`auth.db` (refresh tokens and revocations), `keys.db` (personal-data keys), `jwt-secret`; with ' +
          '`EVENT_LOG=kafka` also the local index `kafka-index.<topic>.db`. A relative path is resolved against ' +
          'the working directory. `chat serve --data-dir` overrides it.',
      ),
    ),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
    .default('info')
    .meta(doc('process', 'pino log level; logs are JSON lines carrying the request id.')),
  // Validated by rolesOf below (roleNames.ts), so that an unknown role is named with the known ones.
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
  EVENT_LOG: z
    .enum(['sqlite', 'kafka'])
    .default('sqlite')
    .meta(
      doc(
        'eventLog',
        '`sqlite`: the embedded log in `DATA_DIR/events.db` (one process); `kafka`: a Kafka topic, which needs ' +
          '`KAFKA_BROKERS`.',
      ),
    ),
  // Only EVENT_LOG switches the service to Kafka (loadConfig): scripts/services exports KAFKA_BROKERS for the tests.
  KAFKA_BROKERS: z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
    .pipe(z.array(z.string().regex(/^[^\s:/,]+:\d{1,5}$/, 'must be host:port, comma-separated')).min(1))
    .optional()
    .meta(
      doc(
        'eventLog',
        '`host:port`, comma-separated; required for `EVENT_LOG=kafka`, ignored otherwise (so the `KAFKA_BROKERS` ' +
          'that `scripts/services env` exports does not switch `npm start`).',
      ),
    ),
  KAFKA_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores')
    .default('chat-service')
    .meta(doc('eventLog', "kafkajs client id; it also names the local index consumer's group.")),
  KAFKA_EVENTS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .default('chat.events')
    .meta(
      doc(
        'eventLog',
        'The events topic; created at start if missing, kept forever (`cleanup.policy=delete`, `retention.ms=-1`). ' +
          "It also names the local index file, the command processor's topics and its consumer group.",
      ),
    ),
  KAFKA_PARTITIONS: positiveInt
    .max(10_000)
    .default(12)
    .meta(
      doc(
        'eventLog',
        'Partitions of a topic the service creates (an existing topic keeps its own, with a warning). Never add ' +
          'partitions to an existing events topic: streams would move.',
      ),
    ),
  KAFKA_COMMANDS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .optional()
    .meta(
      doc(
        'eventLog',
        'Commands to the command processor, keyed by stream id; created with the events topic\'s partition count ' +
          '(a topic with another count is refused at start).',
        '`<KAFKA_EVENTS_TOPIC>.commands`',
      ),
    ),
  KAFKA_REPLIES_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .optional()
    .meta(
      doc(
        'eventLog',
        "The command processor's answers, keyed by command id (compacted).",
        '`<KAFKA_EVENTS_TOPIC>.replies`',
      ),
    ),
  KAFKA_COMMAND_TIMEOUT_MS: positiveInt
    .default(10_000)
    .meta(
      doc(
        'eventLog',
        "How long an api or gateway waits for the command processor's answer before `503 UNAVAILABLE` " +
          '(`details.reason: COMMAND_REPLY_TIMEOUT`); a retry with the same command id gets the first outcome.',
      ),
    ),
  KAFKA_REPLICATION_FACTOR: positiveInt
    .max(32)
    .default(1)
    .meta(doc('eventLog', 'Replicas of a topic the service creates.')),
  HISTORY_STORE: z
    .enum(['sqlite', 'oracle'])
    .default('sqlite')
    .meta(
      doc(
        'historyStore',
        '`sqlite`: `DATA_DIR/history.db`, one per process; `oracle`: Oracle Database 19c or newer (character set ' +
          'AL32UTF8), shared by every process. The `ORACLE_*` settings are ignored unless it is `oracle`.',
      ),
    ),
  ORACLE_CONNECT_STRING: z
    .string()
    .min(1)
    .optional()
    .meta(
      doc('historyStore', 'Easy Connect (`host:1521/FREEPDB1`) or a TNS descriptor; required for `oracle`.'),
    ),
  ORACLE_USER: z
    .string()
    .min(1)
    .optional()
    .meta(
      doc(
        'historyStore',
        'The schema that owns the tables; required for `oracle`. It needs `CREATE TABLE` and a tablespace quota.',
      ),
    ),
  ORACLE_PASSWORD: z
    .string()
    .min(1)
    .optional()
    .meta(doc('historyStore', "`ORACLE_USER`'s password; required for `oracle`.")),
  ORACLE_POOL_MIN: z.coerce
    .number()
    .int()
    .min(0)
    .default(1)
    .meta(doc('historyStore', 'Connections the pool keeps open (per process); at most `ORACLE_POOL_MAX`.')),
  ORACLE_POOL_MAX: positiveInt.default(8).meta(doc('historyStore', 'Largest connection pool (per process).')),
  ORACLE_POOL_QUEUE_TIMEOUT_MS: positiveInt
    .default(10_000)
    .meta(
      doc('historyStore', 'How long a request waits for a free pooled connection before `503 UNAVAILABLE`.'),
    ),
  ORACLE_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,7}$/, 'must start with a letter and hold at most 8 letters, digits or _')
    .optional()
    .meta(
      doc(
        'historyStore',
        'Up to 8 letters, digits or `_` (a letter first) before every table and index name, so several ' +
          'deployments (or a rebuild) can share a schema.',
      ),
    ),
  ORACLE_MIGRATE: z
    .enum(['auto', 'check'])
    .default('auto')
    .meta(
      doc(
        'historyStore',
        '`auto`: apply pending migrations at start-up; `check`: refuse to start on an older schema ' +
          '(`HISTORY_SCHEMA_OUTDATED`), for deployments that run `chat migrate` as a separate step.',
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
  SCHEMA_REGISTRY: z
    .enum(['embedded', 'confluent'])
    .default('embedded')
    .meta(
      doc(
        'schemaRegistry',
        '`embedded`: a table in `DATA_DIR/events.db`; `confluent`: a Confluent-compatible registry (Confluent, ' +
          "Apicurio's `ccompat` API, …), which needs `SCHEMA_REGISTRY_URL`. Events name their schema ids in the " +
          'registry they were written with: do not switch it under an existing log.',
      ),
    ),
  SCHEMA_REGISTRY_URL: z
    .string()
    .refine(
      (value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol),
      'must be an http:// or https:// URL, e.g. http://127.0.0.1:8081',
    )
    // The URL appears in logs and error messages; basic auth is not supported yet.
    .refine(
      (value) => !URL.canParse(value) || (new URL(value).username === '' && new URL(value).password === ''),
      'must not contain credentials',
    )
    .optional()
    .meta(
      doc(
        'schemaRegistry',
        'The registry\'s base URL, path prefix included, e.g. `http://127.0.0.1:8081/apis/ccompat/v7`; http(s), ' +
          'no credentials. Required for `confluent`, ignored otherwise (so the `scripts/services env` export does ' +
          'not switch `npm start`).',
      ),
    ),
  SCHEMA_REGISTRY_TIMEOUT_MS: positiveInt
    .default(5000)
    .meta(doc('schemaRegistry', 'Per request; a registry that does not answer in time is reported as unavailable.')),
  SCHEMA_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold letters, digits, dots, underscores and dashes only')
    .default('')
    .meta(
      doc(
        'schemaRegistry',
        'Put before every subject as it is (`staging.` gives `staging.chat.events.MessageSent`), so deployments ' +
          'can share one registry. Letters, digits, dots, underscores and dashes.',
      ),
    ),
  JWT_SECRET: z
    .string()
    .min(32, 'must be at least 32 characters')
    .optional()
    .meta(
      doc(
        'auth',
        'HS256 secret of the access tokens, 32+ characters. Processes that serve the same users need the same one.',
        'one is generated into `DATA_DIR/jwt-secret`, with a warning',
      ),
    ),
  JWT_ISSUER: z.string().min(1).default('chat-service').meta(doc('auth', '`iss` of the access tokens.')),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt
    .default(15 * 60)
    .meta(
      doc(
        'auth',
        'Access-token lifetime (15 minutes). A token keeps the role it was issued with until it expires.',
      ),
    ),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt
    .default(7 * 24 * 60 * 60)
    .meta(doc('auth', 'Refresh-token lifetime (7 days).')),
  PASSWORD_MIN_LENGTH: positiveInt
    .default(12)
    .meta(doc('auth', 'Shortest password; a password also needs upper and lower case, a digit and a symbol.')),
  LOGIN_MAX_FAILURES: positiveInt
    .default(5)
    .meta(
      doc(
        'auth',
        'Failed logins (a wrong current password in a password change counts as one) that lock an account: ' +
          '`429 ACCOUNT_LOCKED`.',
      ),
    ),
  LOGIN_LOCKOUT_SECONDS: positiveInt
    .default(15 * 60)
    .meta(doc('auth', 'How long a locked account stays locked (15 minutes).')),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt
    .default(30)
    .meta(doc('auth', 'Register, login and refresh calls per client IP per minute.')),
  SEND_LIMIT_PER_SECOND: positiveInt
    .default(5)
    .meta(
      doc(
        'limits',
        'Messages a user may send per second, over REST and WebSocket together; a retry of a message already ' +
          'sent is not counted again.',
      ),
    ),
  SEND_LIMIT_PER_MINUTE: positiveInt
    .default(20)
    .meta(doc('limits', 'Messages a user may send per minute, counted like `SEND_LIMIT_PER_SECOND`.')),
  MAX_MESSAGE_LENGTH: positiveInt
    .default(1000)
    .meta(
      doc(
        'limits',
        'Longest message text in characters (Unicode code points) after trimming and NFC normalisation; at most ' +
          '1000 with `HISTORY_STORE=oracle` (its text columns are `VARCHAR2(1000 CHAR)`).',
      ),
    ),
  MAX_ROOM_MEMBERS: positiveInt.default(100).meta(doc('limits', 'Members of a group room.')),
  MAX_BODY_BYTES: positiveInt.default(64 * 1024).meta(doc('limits', 'Largest request body (64 KiB).')),
  CORS_ORIGINS: csv
    .default([])
    .meta(doc('http', 'Comma-separated origins allowed by CORS, `*` for any.', 'no other origin')),
  ADMIN_USERNAMES: csv
    .default([])
    .meta(doc('auth', 'Comma-separated usernames that get the `admin` role when they register.', 'none')),
  TRUST_PROXY: z
    .enum(['true', 'false'])
    .default('false')
    .meta(doc('http', '`true`: trust `X-Forwarded-For` (behind a reverse proxy) for the per-IP limits.')),
  PRESENCE_TTL_SECONDS: positiveInt
    .default(60)
    .meta(
      doc(
        'realtime',
        'A connection without a heartbeat (`pong`) for this long is offline (a sweep runs every half TTL); keep ' +
          'it above `WS_PING_INTERVAL_MS`.',
      ),
    ),
  RECEIPT_FLUSH_INTERVAL_MS: positiveInt
    .default(1000)
    .meta(
      doc(
        'realtime',
        'Delivered markers gather in memory and are appended once per interval per user and room (each append is ' +
          'an event); reads are written at once.',
      ),
    ),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional()
    .meta(
      doc(
        'redis',
        '`redis://[user:password@]host:port[/db]`, or `rediss://` for TLS; one connection shared by every Redis ' +
          'adapter. Required when any selector below is `redis`.',
      ),
    ),
  REDIS_KEY_PREFIX: z
    .string()
    .min(1)
    .max(100)
    .default('chat:')
    .meta(
      doc(
        'redis',
        'Prepended to every key (and the typing channel): give each deployment, and a rebuild next to a live ' +
          'store, its own.',
      ),
    ),
  PRESENCE_STORE: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        '`memory`: in this process; `redis`: connections per user in sorted sets scored by their last heartbeat, shared by every gateway; ' +
          'expiry and online/offline transitions are Lua scripts, so a user several gateways sweep at once goes ' +
          'offline once.',
      ),
    ),
  RATE_LIMIT_STORE: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        "`memory`: counted per process; `redis`: the login lockout and the auth, send and email-search budgets in Redis (rate-limiter-flexible's " +
          '`RateLimiterRedis`), counted across processes. The WebSocket typing and read frame limits stay per ' +
          'process: they only protect that process.',
      ),
    ),
  TOKEN_STORE: z
    .enum(['sqlite', 'redis'])
    .default('sqlite')
    .meta(
      doc(
        'redis',
        'Refresh-token families, the access-token blacklist and per-user revocations: `sqlite` in ' +
          '`DATA_DIR/auth.db`; `redis` shared, a rotation one Lua script (of concurrent refreshes with one token ' +
          'exactly one wins, the others revoke the family), and every key expires with what it holds.',
      ),
    ),
  ANALYTICS_STORE: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        '`memory`: counters in each api process, rebuilt from the start of the log at every start; `redis`: the ' +
          'counters with their checkpoint, moved by one Lua script per batch (a re-delivered batch never counts ' +
          'twice), filled by `projector:analytics` processes; a restart continues from the checkpoint.',
      ),
    ),
  TYPING_BUS: z
    .enum(['memory', 'redis'])
    .default('memory')
    .meta(
      doc(
        'redis',
        '`memory`: within this process; `redis`: `chat.typing` over Redis pub/sub (channel `<REDIS_KEY_PREFIX>typing`), so the subscribers of ' +
          'every gateway see it; at most once, like the indicator it drives.',
      ),
    ),
  PERSONAL_DATA_KEYS: z
    .enum(['sqlite', 'redis'])
    .default('sqlite')
    .meta(
      doc(
        'redis',
        'The per-user keys personal data is sealed with ([auditors](auditors.md#erasure-crypto-shredding)): ' +
          '`sqlite` in `DATA_DIR/keys.db`, `redis` in `<REDIS_KEY_PREFIX>keys:<userId>`, shared by every process ' +
          "(required when several processes share a log). Never cached in a process, so an erasure is seen by every " +
          "process's next read.",
      ),
    ),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be usable as a bearer token (letters, digits, ._~+/=-)')
    .optional()
    .meta(
      doc(
        'http',
        'When set (16+ characters usable as a bearer token), `/metrics` requires `Authorization: Bearer <token>`.',
        '`/metrics` is open',
      ),
    ),
  READ_YOUR_WRITES_TIMEOUT_MS: positiveInt
    .default(5000)
    .meta(
      doc(
        'http',
        'How long a command waits for the history view to show its events before answering `503`.',
      ),
    ),
  WS_AUTH_TIMEOUT_MS: positiveInt
    .default(30_000)
    .meta(
      doc('realtime', 'Time a new WebSocket has to send its `auth` frame (then `AUTH_TIMEOUT` and close 4001).'),
    ),
  WS_PING_INTERVAL_MS: positiveInt
    .default(30_000)
    .meta(
      doc(
        'realtime',
        "Server `ping` interval; a connection that has not answered the previous one with `pong` is closed (4002). " +
          "Each ping also checks the connection's token again (expired or revoked: 4003).",
      ),
    ),
  WS_MAX_FRAME_BYTES: positiveInt
    .default(16 * 1024)
    .meta(doc('realtime', 'Largest client frame (then `PAYLOAD_TOO_LARGE` and close 1009).')),
  WS_ALLOWED_ORIGINS: csv
    .default([])
    .meta(
      doc(
        'realtime',
        "Comma-separated browser origins allowed to connect besides the server's own, `*` for any; a handshake " +
          'without `Origin` (not a browser) is always allowed.',
        "only the server's own origin",
      ),
    ),
  WS_MAX_BUFFERED_BYTES: positiveInt
    .default(1024 * 1024)
    .meta(
      doc(
        'realtime',
        'Unsent bytes a socket may hold for longer than `WS_SLOW_CONSUMER_GRACE_MS` before it is closed as a slow ' +
          'consumer (4008).',
      ),
    ),
  WS_SLOW_CONSUMER_GRACE_MS: positiveInt
    .default(5000)
    .meta(
      doc('realtime', 'How long a socket may stay above `WS_MAX_BUFFERED_BYTES` before it is closed (4008).'),
    ),
  WS_CLOSE_TIMEOUT_MS: positiveInt
    .default(5000)
    .meta(
      doc(
        'realtime',
        'How long a socket the server closes may take to finish the close handshake before it is cut off.',
      ),
    ),
  WS_TYPING_INTERVAL_MS: positiveInt
    .default(1000)
    .meta(
      doc(
        'realtime',
        'At most one `chat.typing` per user and room in this interval; more are refused (`RATE_LIMIT_EXCEEDED`) ' +
          'and not relayed.',
      ),
    ),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface AppConfig {
  port: number;
  host: string;
  dataDir: string;
  logLevel: RawConfig['LOG_LEVEL'];
  /** The roles this process runs, in ROLE_NAMES order; all of them unless ROLES says otherwise. */
  roles: Role[];
  eventLog: RawConfig['EVENT_LOG'];
  /** Set (validated) when eventLog is `kafka`. Partitions and replicas apply to a topic the service creates. */
  kafka:
    | {
        brokers: string[];
        clientId: string;
        eventsTopic: string;
        partitions: number;
        replicationFactor: number;
        /** Never from the environment: a tool that must not share the server's index (replay) sets its own. */
        indexFile?: string;
        commandsTopic: string;
        repliesTopic: string;
        commandTimeoutMs: number;
      }
    | undefined;
  historyStore: RawConfig['HISTORY_STORE'];
  /** Set (validated) when historyStore is `oracle`. */
  oracle:
    | {
        connectString: string;
        user: string;
        password: string;
        poolMin: number;
        poolMax: number;
        queueTimeoutMs: number;
        tablePrefix: string;
        migrate: RawConfig['ORACLE_MIGRATE'];
      }
    | undefined;
  sqliteSynchronous: RawConfig['SQLITE_SYNCHRONOUS'];
  /** Embedded: a table in events.db. Confluent: a Confluent-compatible REST API (Confluent, Apicurio's ccompat). */
  schemaRegistry: { kind: 'embedded' } | { kind: 'confluent'; url: string; timeoutMs: number };
  /** Put before every event subject (`<prefix>chat.events.<Type>`), so deployments can share one registry. */
  schemaSubjectPrefix: string;
  auth: {
    /** Undefined means "generate a development secret into the data directory" (with a warning). */
    jwtSecret: string | undefined;
    issuer: string;
    accessTokenTtlSeconds: number;
    refreshTokenTtlSeconds: number;
    passwordMinLength: number;
    loginMaxFailures: number;
    loginLockoutSeconds: number;
    authRateLimitPerMinute: number;
    adminUsernames: string[];
  };
  limits: {
    sendPerSecond: number;
    sendPerMinute: number;
    maxMessageLength: number;
    maxRoomMembers: number;
    maxBodyBytes: number;
  };
  /** A connection that has not heartbeated for this long is offline (the gateway pings every 30 s). */
  presence: { ttlSeconds: number };
  receipts: { flushIntervalMs: number };
  /** Set whenever a store below is `redis` (validated); every Redis key starts with keyPrefix. */
  redis: { url: string | undefined; keyPrefix: string };
  /** Which adapter holds each piece of shared state: in process (embedded) or in Redis (several processes). */
  stores: {
    presence: RawConfig['PRESENCE_STORE'];
    rateLimit: RawConfig['RATE_LIMIT_STORE'];
    token: RawConfig['TOKEN_STORE'];
    analytics: RawConfig['ANALYTICS_STORE'];
    typing: RawConfig['TYPING_BUS'];
    personalDataKeys: RawConfig['PERSONAL_DATA_KEYS'];
  };
  /** Undefined: /metrics is open, as Prometheus scrapers usually expect on a private network. */
  metrics: { token: string | undefined };
  http: { corsOrigins: string[]; trustProxy: boolean; readYourWritesTimeoutMs: number };
  ws: {
    /** How long a new connection has to send its `auth` frame. */
    authTimeoutMs: number;
    /** A server `ping` goes out this often; a connection that has not answered the previous one is dropped. */
    pingIntervalMs: number;
    /** Largest client frame; a bigger one is answered with an error and the connection is closed (1009). */
    maxFrameBytes: number;
    /** Browser origins allowed to connect besides the server's own; `*` allows any. */
    allowedOrigins: string[];
    /** A subscriber whose unsent bytes stay above this for `slowConsumerGraceMs` is closed (4008). */
    maxBufferedBytes: number;
    slowConsumerGraceMs: number;
    /** How long a socket the server closes may take to finish the close handshake before it is destroyed. */
    closeTimeoutMs: number;
    /** At most one `chat.typing` per user and room in this interval. */
    typingIntervalMs: number;
  };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates configuration from an environment-like record (process.env at the composition root). */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const known = Object.fromEntries(
    Object.keys(configSchema.shape).flatMap((key) => {
      const value = env[key];
      // An empty variable means "not set", so `PORT= npm start` falls back to the default instead of failing.
      return value === undefined || value.trim() === '' ? [] : [[key, value.trim()]];
    }),
  );
  const parsed = configSchema.safeParse(known);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`),
    );
  }
  const raw = parsed.data;
  // Only an explicit SCHEMA_REGISTRY=confluent uses the URL: scripts/services exports it for the tests, and a shell
  // that sourced it must not switch an `npm start` away from the embedded registry.
  if (raw.SCHEMA_REGISTRY === 'confluent' && raw.SCHEMA_REGISTRY_URL === undefined) {
    throw new ConfigError(['SCHEMA_REGISTRY_URL: required when SCHEMA_REGISTRY=confluent']);
  }
  if (raw.EVENT_LOG === 'kafka' && raw.KAFKA_BROKERS === undefined) {
    throw new ConfigError(['KAFKA_BROKERS: required when EVENT_LOG=kafka']);
  }
  const roles = rolesOf(raw);
  const oracleProblems = raw.HISTORY_STORE === 'oracle' ? oracleSettingProblems(raw) : [];
  if (oracleProblems.length > 0) throw new ConfigError(oracleProblems);
  const needsRedis = redisSelectors(raw);
  if (needsRedis.length > 0 && raw.REDIS_URL === undefined) {
    throw new ConfigError(needsRedis.map((key) => `${key}: is redis, so REDIS_URL must be set`));
  }
  return {
    port: raw.PORT,
    host: raw.HOST,
    dataDir: path.resolve(raw.DATA_DIR),
    logLevel: raw.LOG_LEVEL,
    roles,
    eventLog: raw.EVENT_LOG,
    kafka:
      raw.EVENT_LOG === 'kafka' && raw.KAFKA_BROKERS !== undefined
        ? {
            brokers: raw.KAFKA_BROKERS,
            clientId: raw.KAFKA_CLIENT_ID,
            eventsTopic: raw.KAFKA_EVENTS_TOPIC,
            partitions: raw.KAFKA_PARTITIONS,
            replicationFactor: raw.KAFKA_REPLICATION_FACTOR,
            commandsTopic: raw.KAFKA_COMMANDS_TOPIC ?? `${raw.KAFKA_EVENTS_TOPIC}.commands`,
            repliesTopic: raw.KAFKA_REPLIES_TOPIC ?? `${raw.KAFKA_EVENTS_TOPIC}.replies`,
            commandTimeoutMs: raw.KAFKA_COMMAND_TIMEOUT_MS,
          }
        : undefined,
    historyStore: raw.HISTORY_STORE,
    oracle:
      raw.HISTORY_STORE === 'oracle' && raw.ORACLE_CONNECT_STRING && raw.ORACLE_USER && raw.ORACLE_PASSWORD
        ? {
            connectString: raw.ORACLE_CONNECT_STRING,
            user: raw.ORACLE_USER,
            password: raw.ORACLE_PASSWORD,
            poolMin: raw.ORACLE_POOL_MIN,
            poolMax: raw.ORACLE_POOL_MAX,
            queueTimeoutMs: raw.ORACLE_POOL_QUEUE_TIMEOUT_MS,
            tablePrefix: raw.ORACLE_TABLE_PREFIX ?? '',
            migrate: raw.ORACLE_MIGRATE,
          }
        : undefined,
    sqliteSynchronous: raw.SQLITE_SYNCHRONOUS,
    schemaRegistry:
      raw.SCHEMA_REGISTRY === 'confluent' && raw.SCHEMA_REGISTRY_URL !== undefined
        ? { kind: 'confluent', url: raw.SCHEMA_REGISTRY_URL, timeoutMs: raw.SCHEMA_REGISTRY_TIMEOUT_MS }
        : { kind: 'embedded' },
    schemaSubjectPrefix: raw.SCHEMA_SUBJECT_PREFIX,
    auth: {
      jwtSecret: raw.JWT_SECRET,
      issuer: raw.JWT_ISSUER,
      accessTokenTtlSeconds: raw.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlSeconds: raw.REFRESH_TOKEN_TTL_SECONDS,
      passwordMinLength: raw.PASSWORD_MIN_LENGTH,
      loginMaxFailures: raw.LOGIN_MAX_FAILURES,
      loginLockoutSeconds: raw.LOGIN_LOCKOUT_SECONDS,
      authRateLimitPerMinute: raw.AUTH_RATE_LIMIT_PER_MINUTE,
      adminUsernames: raw.ADMIN_USERNAMES,
    },
    limits: {
      sendPerSecond: raw.SEND_LIMIT_PER_SECOND,
      sendPerMinute: raw.SEND_LIMIT_PER_MINUTE,
      maxMessageLength: raw.MAX_MESSAGE_LENGTH,
      maxRoomMembers: raw.MAX_ROOM_MEMBERS,
      maxBodyBytes: raw.MAX_BODY_BYTES,
    },
    presence: { ttlSeconds: raw.PRESENCE_TTL_SECONDS },
    receipts: { flushIntervalMs: raw.RECEIPT_FLUSH_INTERVAL_MS },
    redis: { url: raw.REDIS_URL, keyPrefix: raw.REDIS_KEY_PREFIX },
    stores: {
      presence: raw.PRESENCE_STORE,
      rateLimit: raw.RATE_LIMIT_STORE,
      token: raw.TOKEN_STORE,
      analytics: raw.ANALYTICS_STORE,
      typing: raw.TYPING_BUS,
      personalDataKeys: raw.PERSONAL_DATA_KEYS,
    },
    metrics: { token: raw.METRICS_TOKEN },
    http: {
      corsOrigins: raw.CORS_ORIGINS,
      trustProxy: raw.TRUST_PROXY === 'true',
      readYourWritesTimeoutMs: raw.READ_YOUR_WRITES_TIMEOUT_MS,
    },
    ws: {
      authTimeoutMs: raw.WS_AUTH_TIMEOUT_MS,
      pingIntervalMs: raw.WS_PING_INTERVAL_MS,
      maxFrameBytes: raw.WS_MAX_FRAME_BYTES,
      allowedOrigins: raw.WS_ALLOWED_ORIGINS,
      maxBufferedBytes: raw.WS_MAX_BUFFERED_BYTES,
      slowConsumerGraceMs: raw.WS_SLOW_CONSUMER_GRACE_MS,
      closeTimeoutMs: raw.WS_CLOSE_TIMEOUT_MS,
      typingIntervalMs: raw.WS_TYPING_INTERVAL_MS,
    },
  };
}

/**
 * ROLES, validated. A process that runs only some roles shares the log with the others, so it needs the Kafka log:
 * the SQLite log is one process's file, and a second process on it would be a second writer nobody else reads.
 */
function rolesOf(raw: RawConfig): Role[] {
  if (raw.ROLES === undefined) return [...ROLE_NAMES];
  const parsed = parseRoles(raw.ROLES);
  const known = `known roles: ${ROLE_NAMES.join(', ')} (or ${ALL_ROLES_ALIAS})`;
  if (!parsed.ok) {
    throw new ConfigError([
      'unknown' in parsed
        ? `ROLES: unknown role${parsed.unknown.length > 1 ? 's' : ''} ${parsed.unknown.map((name) => JSON.stringify(name)).join(', ')}; ${known}`
        : `ROLES: names no role; ${known}`,
    ]);
  }
  if (runsAllRoles(parsed.roles)) return parsed.roles;
  if (raw.EVENT_LOG !== 'kafka') {
    throw new ConfigError([
      `ROLES: ${parsed.roles.join(',')} needs EVENT_LOG=kafka: the SQLite log is one process's file, so with ` +
        `EVENT_LOG=sqlite one process runs every role (leave ROLES unset)`,
    ]);
  }
  // Events name their schema by the id a registry handed out; processes with registries of their own would read
  // each other's events with the wrong schemas.
  if (raw.SCHEMA_REGISTRY !== 'confluent') {
    throw new ConfigError([
      `ROLES: ${parsed.roles.join(',')} needs SCHEMA_REGISTRY=confluent: processes that share the log must share ` +
        `one schema registry (the embedded one lives in each process's DATA_DIR)`,
    ]);
  }
  // Personal data in events is sealed with per-user keys: every process that reads or writes events needs them all.
  if (raw.PERSONAL_DATA_KEYS !== 'redis') {
    throw new ConfigError([
      `ROLES: ${parsed.roles.join(',')} needs PERSONAL_DATA_KEYS=redis: processes that share the log must share ` +
        `the keys personal data is sealed with (the sqlite store lives in each process's DATA_DIR)`,
    ]);
  }
  return parsed.roles;
}

/**
 * What HISTORY_STORE=oracle needs. Message text is VARCHAR2(1000 CHAR) there (1000 code points fit VARCHAR2's
 * 4000 bytes in AL32UTF8; see projections/history/oracle/migrations.ts), so a longer limit would stall the projector
 * on the first long message: refused here instead.
 */
function oracleSettingProblems(raw: RawConfig): string[] {
  const problems: string[] = [];
  for (const key of ['ORACLE_CONNECT_STRING', 'ORACLE_USER', 'ORACLE_PASSWORD'] as const) {
    if (raw[key] === undefined) problems.push(`${key}: required when HISTORY_STORE=oracle`);
  }
  if (raw.ORACLE_POOL_MIN > raw.ORACLE_POOL_MAX) problems.push('ORACLE_POOL_MIN: must not exceed ORACLE_POOL_MAX');
  if (raw.MAX_MESSAGE_LENGTH > 1000) {
    problems.push('MAX_MESSAGE_LENGTH: at most 1000 with HISTORY_STORE=oracle (the text columns hold 1000 characters)');
  }
  return problems;
}

/** The store selectors set to `redis`: each one needs REDIS_URL. */
function redisSelectors(raw: RawConfig): string[] {
  const selectors = {
    PRESENCE_STORE: raw.PRESENCE_STORE,
    RATE_LIMIT_STORE: raw.RATE_LIMIT_STORE,
    TOKEN_STORE: raw.TOKEN_STORE,
    ANALYTICS_STORE: raw.ANALYTICS_STORE,
    TYPING_BUS: raw.TYPING_BUS,
    PERSONAL_DATA_KEYS: raw.PERSONAL_DATA_KEYS,
  };
  return Object.entries(selectors).flatMap(([key, value]) => (value === 'redis' ? [key] : []));
}

/** The names of every setting, in schema order (docs/configuration.md documents each). */
export const CONFIG_KEYS = Object.keys(configSchema.shape);
