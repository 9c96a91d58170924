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

const configSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('0.0.0.0'),
  DATA_DIR: z.string().min(1).default('./data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // What this process runs (src/roles/roleNames.ts), comma-separated; `chat serve --roles` overrides it. Unset: all.
  ROLES: z.string().optional(),
  EVENT_LOG: z.enum(['sqlite', 'kafka']).default('sqlite'),
  // The Kafka event log (EVENT_LOG=kafka). scripts/services exports KAFKA_BROKERS for the tests; only EVENT_LOG
  // switches the service to it.
  KAFKA_BROKERS: z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
    .pipe(z.array(z.string().regex(/^[^\s:/,]+:\d{1,5}$/, 'must be host:port, comma-separated')).min(1))
    .optional(),
  KAFKA_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores')
    .default('chat-service'),
  KAFKA_EVENTS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .default('chat.events'),
  KAFKA_PARTITIONS: positiveInt.max(10_000).default(12),
  // The command processor's topics (DESIGN.md "Single writer per stream"); default `<events topic>.commands` and
  // `<events topic>.replies`, created with the events topic's partition count.
  KAFKA_COMMANDS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .optional(),
  KAFKA_REPLIES_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .optional(),
  // How long an api/gateway waits for the command processor's answer before UNAVAILABLE (retry with the same id).
  KAFKA_COMMAND_TIMEOUT_MS: positiveInt.default(10_000),
  KAFKA_REPLICATION_FACTOR: positiveInt.max(32).default(1),
  HISTORY_STORE: z.enum(['sqlite', 'oracle']).default('sqlite'),
  // The Oracle history store (HISTORY_STORE=oracle): node-oracledb Thin mode, so no Oracle Client is installed.
  ORACLE_CONNECT_STRING: z.string().min(1).optional(),
  ORACLE_USER: z.string().min(1).optional(),
  ORACLE_PASSWORD: z.string().min(1).optional(),
  ORACLE_POOL_MIN: z.coerce.number().int().min(0).default(1),
  ORACLE_POOL_MAX: positiveInt.default(8),
  ORACLE_POOL_QUEUE_TIMEOUT_MS: positiveInt.default(10_000),
  ORACLE_TABLE_PREFIX: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9_]{0,7}$/, 'must start with a letter and hold at most 8 letters, digits or _')
    .optional(),
  ORACLE_MIGRATE: z.enum(['auto', 'check']).default('auto'),
  SQLITE_SYNCHRONOUS: z.enum(['normal', 'full']).default('normal'),
  SCHEMA_REGISTRY: z.enum(['embedded', 'confluent']).default('embedded'),
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
    .optional(),
  SCHEMA_REGISTRY_TIMEOUT_MS: positiveInt.default(5000),
  SCHEMA_SUBJECT_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold letters, digits, dots, underscores and dashes only')
    .default(''),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_ISSUER: z.string().min(1).default('chat-service'),
  ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(15 * 60),
  REFRESH_TOKEN_TTL_SECONDS: positiveInt.default(7 * 24 * 60 * 60),
  PASSWORD_MIN_LENGTH: positiveInt.default(12),
  LOGIN_MAX_FAILURES: positiveInt.default(5),
  LOGIN_LOCKOUT_SECONDS: positiveInt.default(15 * 60),
  AUTH_RATE_LIMIT_PER_MINUTE: positiveInt.default(30),
  SEND_LIMIT_PER_SECOND: positiveInt.default(5),
  SEND_LIMIT_PER_MINUTE: positiveInt.default(20),
  MAX_MESSAGE_LENGTH: positiveInt.default(1000),
  MAX_ROOM_MEMBERS: positiveInt.default(100),
  MAX_BODY_BYTES: positiveInt.default(64 * 1024),
  CORS_ORIGINS: csv.default([]),
  ADMIN_USERNAMES: csv.default([]),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  PRESENCE_TTL_SECONDS: positiveInt.default(60),
  // Delivered markers gather in memory and are appended once per interval per user and room: each one is an event.
  RECEIPT_FLUSH_INTERVAL_MS: positiveInt.default(1000),
  // Distributed state (DESIGN.md "One binary, two ways to run"): each selector picks memory/SQLite (embedded, the
  // default, no server) or Redis; any `redis` needs REDIS_URL.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL')
    .optional(),
  REDIS_KEY_PREFIX: z.string().min(1).max(100).default('chat:'),
  PRESENCE_STORE: z.enum(['memory', 'redis']).default('memory'),
  RATE_LIMIT_STORE: z.enum(['memory', 'redis']).default('memory'),
  TOKEN_STORE: z.enum(['sqlite', 'redis']).default('sqlite'),
  ANALYTICS_STORE: z.enum(['memory', 'redis']).default('memory'),
  TYPING_BUS: z.enum(['memory', 'redis']).default('memory'),
  // Crypto-shredding keys (src/privacy): DATA_DIR/keys.db, or Redis so every process sees an erasure at once.
  PERSONAL_DATA_KEYS: z.enum(['sqlite', 'redis']).default('sqlite'),
  METRICS_TOKEN: z
    .string()
    .min(16, 'must be at least 16 characters')
    .regex(/^[A-Za-z0-9._~+/=-]+$/, 'must be usable as a bearer token (letters, digits, ._~+/=-)')
    .optional(),
  READ_YOUR_WRITES_TIMEOUT_MS: positiveInt.default(5000),
  WS_AUTH_TIMEOUT_MS: positiveInt.default(30_000),
  WS_PING_INTERVAL_MS: positiveInt.default(30_000),
  WS_MAX_FRAME_BYTES: positiveInt.default(16 * 1024),
  WS_ALLOWED_ORIGINS: csv.default([]),
  WS_MAX_BUFFERED_BYTES: positiveInt.default(1024 * 1024),
  WS_SLOW_CONSUMER_GRACE_MS: positiveInt.default(5000),
  WS_CLOSE_TIMEOUT_MS: positiveInt.default(5000),
  WS_TYPING_INTERVAL_MS: positiveInt.default(1000),
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

/** The documented settings, for the README table and `chat config`. */
export const CONFIG_KEYS = Object.keys(configSchema.shape);
