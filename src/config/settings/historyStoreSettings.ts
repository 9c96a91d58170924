// SQLite or Oracle for the history view: the reference's "History store" section (CONFIG_GROUPS.historyStore), in
// the order it lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { positiveInt } from './settingValues.js';

export const historyStoreSettings = {
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
};
