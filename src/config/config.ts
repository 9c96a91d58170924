import path from 'node:path';
import { ConfigError } from './configError.js';
import { withRunMode } from './runMode.js';
import { configSchema, type RawConfig } from './configSchema.js';
import { configuredRoles } from './configuredRoles.js';
import { oauthSettingProblems, oauthSettingsOf, type OAuthSettings } from './oauthSettingProblems.js';
import { oracleSettingProblems } from './oracleSettingProblems.js';
import { redisSelectors } from './redisSelectors.js';
import type { Role } from './roleNames.js';

// The only place that reads the environment (DESIGN.md: adapters are chosen in one composition root from
// configuration). Every setting is validated; a bad one stops start-up with a message naming it. The settings
// themselves, with what the reference says about each, are in settings/ (one file per section), assembled in
// configSchema.ts.

// Importers take everything about configuration from this file; the parts live where they are defined.
export { ConfigError } from './configError.js';
export { CONFIG_KEYS, configSchema, type RawConfig } from './configSchema.js';
export { CONFIG_GROUPS, type ConfigGroup } from './settings/configGroups.js';
export type { OAuthSettings, ProviderSettings } from './oauthSettingProblems.js';

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
  gcParallelScavenge: RawConfig['GC_PARALLEL_SCAVENGE'];
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
  /** Sign-in with Google, GitHub or an OpenID Connect provider (issue #18); `providers` is empty when none is set. */
  oauth: OAuthSettings;
  limits: {
    sendPerSecond: number;
    sendPerMinute: number;
    maxMessageLength: number;
    maxRoomMembers: number;
    maxBodyBytes: number;
  };
  /** Files and images (issue #16): the store of their bytes and what may be uploaded. */
  files: {
    store:
      | { kind: 'disk'; dir: string }
      | {
          kind: 's3';
          endpoint: string | undefined;
          region: string;
          bucket: string;
          accessKeyId: string;
          secretAccessKey: string;
          forcePathStyle: boolean;
          keyPrefix: string;
          createBucket: boolean;
        };
    maxFileBytes: number;
    allowedTypes: string[];
    maxImagePixels: number;
    maxAttachmentsPerMessage: number;
    uploadsPerDay: number;
    uploadBytesPerDay: number;
    unsentTtlSeconds: number;
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
  /**
   * Who may read /metrics (http/metricsAccess.ts): with a token, whoever sends it; without one, loopback only, or
   * everyone when `open` (METRICS_OPEN). The two are never both set.
   */
  metrics: { token: string | undefined; open: boolean };
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
  /** Assistants (issue #19): `apiKey` undefined means no assistant answers. */
  assistants: {
    baseUrl: string | undefined;
    apiKey: string | undefined;
    model: string;
    timeoutMs: number;
    contextTokens: number;
    maxAnswerTokens: number;
    userRequestsPerDay: number;
    userTokensPerDay: number;
    roomRequestsPerDay: number;
    roomTokensPerDay: number;
  };
}

/** Reads and validates configuration from an environment-like record (process.env at the composition root). */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  const given = Object.fromEntries(
    Object.keys(configSchema.shape).flatMap((key) => {
      const value = env[key];
      // An empty variable means "not set", so `PORT= npm start` falls back to the default instead of failing.
      return value === undefined || value.trim() === '' ? [] : [[key, value.trim()]];
    }),
  );
  // RUN_MODE=distributed fills in the settings it implies (and refuses any that contradict it) before validation.
  const known = withRunMode(given);
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
  // Both would say opposite things about /metrics; refusing is clearer than letting one silently win.
  if (raw.METRICS_OPEN === 'true' && raw.METRICS_TOKEN !== undefined) {
    throw new ConfigError(['METRICS_OPEN: cannot be true while METRICS_TOKEN is set']);
  }
  // Half an S3 configuration would start on the disk store and lose every upload at the next deploy: refused.
  if (raw.FILE_STORE === 's3') {
    const missing = (['S3_BUCKET', 'S3_ACCESS_KEY_ID', 'S3_SECRET_ACCESS_KEY'] as const).filter((key) => raw[key] === undefined);
    if (missing.length > 0) throw new ConfigError(missing.map((key) => `${key}: required when FILE_STORE=s3`));
  }
  const roles = configuredRoles(raw);
  const oracleProblems = raw.HISTORY_STORE === 'oracle' ? oracleSettingProblems(raw) : [];
  if (oracleProblems.length > 0) throw new ConfigError(oracleProblems);
  const oauthProblems = oauthSettingProblems(raw);
  if (oauthProblems.length > 0) throw new ConfigError(oauthProblems);
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
    gcParallelScavenge: raw.GC_PARALLEL_SCAVENGE,
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
    oauth: oauthSettingsOf(raw),
    limits: {
      sendPerSecond: raw.SEND_LIMIT_PER_SECOND,
      sendPerMinute: raw.SEND_LIMIT_PER_MINUTE,
      maxMessageLength: raw.MAX_MESSAGE_LENGTH,
      maxRoomMembers: raw.MAX_ROOM_MEMBERS,
      maxBodyBytes: raw.MAX_BODY_BYTES,
    },
    files: {
      store:
        raw.FILE_STORE === 's3' && raw.S3_BUCKET && raw.S3_ACCESS_KEY_ID && raw.S3_SECRET_ACCESS_KEY
          ? {
              kind: 's3',
              endpoint: raw.S3_ENDPOINT,
              region: raw.S3_REGION,
              bucket: raw.S3_BUCKET,
              accessKeyId: raw.S3_ACCESS_KEY_ID,
              secretAccessKey: raw.S3_SECRET_ACCESS_KEY,
              forcePathStyle: raw.S3_FORCE_PATH_STYLE === 'true',
              keyPrefix: raw.S3_KEY_PREFIX ?? '',
              createBucket: raw.S3_CREATE_BUCKET === 'true',
            }
          : { kind: 'disk', dir: path.join(path.resolve(raw.DATA_DIR), 'files') },
      maxFileBytes: raw.MAX_FILE_BYTES,
      allowedTypes: raw.ALLOWED_FILE_TYPES,
      maxImagePixels: raw.MAX_IMAGE_PIXELS,
      maxAttachmentsPerMessage: raw.MAX_ATTACHMENTS_PER_MESSAGE,
      uploadsPerDay: raw.UPLOADS_PER_USER_PER_DAY,
      uploadBytesPerDay: raw.UPLOAD_BYTES_PER_USER_PER_DAY,
      unsentTtlSeconds: raw.FILE_UNSENT_TTL_SECONDS,
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
    metrics: { token: raw.METRICS_TOKEN, open: raw.METRICS_OPEN === 'true' },
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
    assistants: {
      baseUrl: raw.OPENAI_BASE_URL,
      apiKey: raw.OPENAI_API_KEY,
      model: raw.ASSISTANT_MODEL,
      timeoutMs: raw.ASSISTANT_TIMEOUT_MS,
      contextTokens: raw.ASSISTANT_CONTEXT_TOKENS,
      maxAnswerTokens: raw.ASSISTANT_MAX_ANSWER_TOKENS,
      userRequestsPerDay: raw.ASSISTANT_USER_REQUESTS_PER_DAY,
      userTokensPerDay: raw.ASSISTANT_USER_TOKENS_PER_DAY,
      roomRequestsPerDay: raw.ASSISTANT_ROOM_REQUESTS_PER_DAY,
      roomTokensPerDay: raw.ASSISTANT_ROOM_TOKENS_PER_DAY,
    },
  };
}
