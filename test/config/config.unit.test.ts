import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, ConfigError, loadConfig } from '../../src/config/config.js';

/** The ConfigError `env` is refused with; fails the test if it is accepted. */
function configErrorOf(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('listens on port 3000 of every interface and keeps data under ./data, resolved to an absolute path', () => {
      const config = loadConfig({});
      expect(config.port).toBe(3000);
      expect(config.host).toBe('0.0.0.0');
      expect(path.isAbsolute(config.dataDir)).toBe(true);
      expect(config.dataDir).toBe(path.resolve(process.cwd(), 'data'));
      expect(config.logLevel).toBe('info');
      expect(config.eventLog).toBe('sqlite');
      expect(config.historyStore).toBe('sqlite');
    });

    it('has the limits of API.md', () => {
      const config = loadConfig({});
      expect(config.limits).toMatchObject({
        sendPerSecond: 5,
        sendPerMinute: 20,
        maxMessageLength: 1000,
        maxRoomMembers: 100,
      });
      expect(config.auth).toMatchObject({
        passwordMinLength: 12,
        loginMaxFailures: 5,
        loginLockoutSeconds: 15 * 60,
        accessTokenTtlSeconds: 15 * 60,
        refreshTokenTtlSeconds: 7 * 24 * 60 * 60,
      });
    });

    it('has no JWT secret (a development one is generated later), no admins, no CORS origins, no proxy trust', () => {
      const config = loadConfig({});
      expect(config.auth.jwtSecret).toBeUndefined();
      expect(config.auth.adminUsernames).toEqual([]);
      expect(config.http.corsOrigins).toEqual([]);
      expect(config.http.trustProxy).toBe(false);
    });
  });

  describe('overrides', () => {
    it('maps every setting to its field', () => {
      const secret = 's'.repeat(32);
      const config = loadConfig({
        PORT: '8080',
        HOST: '127.0.0.1',
        DATA_DIR: '/var/lib/chat',
        LOG_LEVEL: 'debug',
        SQLITE_SYNCHRONOUS: 'full',
        JWT_SECRET: secret,
        JWT_ISSUER: 'issuer-x',
        ACCESS_TOKEN_TTL_SECONDS: '60',
        REFRESH_TOKEN_TTL_SECONDS: '3600',
        PASSWORD_MIN_LENGTH: '16',
        LOGIN_MAX_FAILURES: '3',
        LOGIN_LOCKOUT_SECONDS: '120',
        AUTH_RATE_LIMIT_PER_MINUTE: '10',
        SEND_LIMIT_PER_SECOND: '2',
        SEND_LIMIT_PER_MINUTE: '30',
        MAX_MESSAGE_LENGTH: '500',
        MAX_ROOM_MEMBERS: '50',
        MAX_BODY_BYTES: '1024',
        TRUST_PROXY: 'true',
        READ_YOUR_WRITES_TIMEOUT_MS: '250',
      });
      expect(config).toMatchObject({
        port: 8080,
        host: '127.0.0.1',
        dataDir: path.resolve('/var/lib/chat'),
        logLevel: 'debug',
        sqliteSynchronous: 'full',
        auth: {
          jwtSecret: secret,
          issuer: 'issuer-x',
          accessTokenTtlSeconds: 60,
          refreshTokenTtlSeconds: 3600,
          passwordMinLength: 16,
          loginMaxFailures: 3,
          loginLockoutSeconds: 120,
          authRateLimitPerMinute: 10,
        },
        limits: { sendPerSecond: 2, sendPerMinute: 30, maxMessageLength: 500, maxRoomMembers: 50, maxBodyBytes: 1024 },
        http: { trustProxy: true, readYourWritesTimeoutMs: 250 },
      });
    });

    it('resolves a relative DATA_DIR against the working directory', () => {
      expect(loadConfig({ DATA_DIR: 'var/chat' }).dataDir).toBe(path.resolve(process.cwd(), 'var/chat'));
    });

    it('accepts port 0 (an ephemeral port, as tests use)', () => {
      expect(loadConfig({ PORT: '0' }).port).toBe(0);
    });

    it('ignores variables it does not know', () => {
      expect(loadConfig({ PATH: '/usr/bin', HOME: '/root', NODE_ENV: 'production' }).port).toBe(3000);
    });

    it('lists every documented key', () => {
      expect(CONFIG_KEYS).toEqual(expect.arrayContaining(['PORT', 'DATA_DIR', 'JWT_SECRET', 'ADMIN_USERNAMES']));
    });
  });

  describe('an empty string means unset', () => {
    it.each([
      ['PORT', (config: ReturnType<typeof loadConfig>) => config.port, 3000],
      ['DATA_DIR', (config: ReturnType<typeof loadConfig>) => config.dataDir, path.resolve('data')],
      ['JWT_SECRET', (config: ReturnType<typeof loadConfig>) => config.auth.jwtSecret, undefined],
      ['LOG_LEVEL', (config: ReturnType<typeof loadConfig>) => config.logLevel, 'info'],
      ['SEND_LIMIT_PER_SECOND', (config: ReturnType<typeof loadConfig>) => config.limits.sendPerSecond, 5],
      ['ADMIN_USERNAMES', (config: ReturnType<typeof loadConfig>) => config.auth.adminUsernames, []],
    ])('%s= falls back to the default', (key, read, expected) => {
      expect(read(loadConfig({ [key]: '' }))).toEqual(expected);
    });
  });

  describe('comma-separated lists', () => {
    it('splits, trims and drops empty items', () => {
      const config = loadConfig({
        ADMIN_USERNAMES: ' root, Alice ,,bob,',
        CORS_ORIGINS: 'https://a.example,https://b.example',
      });
      expect(config.auth.adminUsernames).toEqual(['root', 'Alice', 'bob']);
      expect(config.http.corsOrigins).toEqual(['https://a.example', 'https://b.example']);
    });

    it('reads a single item and a list of only commas', () => {
      expect(loadConfig({ ADMIN_USERNAMES: 'root' }).auth.adminUsernames).toEqual(['root']);
      expect(loadConfig({ ADMIN_USERNAMES: ' , ,' }).auth.adminUsernames).toEqual([]);
    });
  });

  describe('a bad value throws a ConfigError that names the setting', () => {
    it.each([
      ['PORT', 'abc'],
      ['PORT', '70000'],
      ['PORT', '-1'],
      ['PORT', '80.5'],
      ['JWT_SECRET', 'too-short-secret'],
      ['LOG_LEVEL', 'loud'],
      ['SQLITE_SYNCHRONOUS', 'off'],
      ['TRUST_PROXY', 'yes'],
      ['SEND_LIMIT_PER_SECOND', '0'],
      ['MAX_MESSAGE_LENGTH', 'ten'],
      ['ACCESS_TOKEN_TTL_SECONDS', '-5'],
    ])('%s=%s', (key, value) => {
      const error = configErrorOf({ [key]: value });
      expect(error.name).toBe('ConfigError');
      expect(error.problems).toHaveLength(1);
      expect(error.problems[0]?.startsWith(`${key}:`)).toBe(true);
      expect(error.message).toContain(key);
    });

    it('names every bad setting at once', () => {
      const error = configErrorOf({ PORT: 'abc', LOG_LEVEL: 'loud', JWT_SECRET: 'short' });
      expect(error.problems).toHaveLength(3);
      for (const key of ['PORT', 'LOG_LEVEL', 'JWT_SECRET']) expect(error.message).toContain(`${key}:`);
    });

    it('says what is wrong with a short JWT_SECRET without echoing the secret', () => {
      const error = configErrorOf({ JWT_SECRET: 'my-leaked-secret-value' });
      expect(error.message).toContain('at least 32 characters');
      expect(error.message).not.toContain('my-leaked-secret-value');
    });

    it('accepts a JWT_SECRET of exactly 32 characters', () => {
      expect(loadConfig({ JWT_SECRET: 'x'.repeat(32) }).auth.jwtSecret).toBe('x'.repeat(32));
    });
  });

  describe('presence and metrics', () => {
    it('defaults to a 60 s presence TTL (twice the gateway ping) and a /metrics for loopback only', () => {
      const config = loadConfig({});
      expect(config.presence.ttlSeconds).toBe(60);
      expect(config.metrics).toEqual({ token: undefined, open: false });
    });

    it('reads METRICS_OPEN, and refuses it together with METRICS_TOKEN', () => {
      expect(loadConfig({ METRICS_OPEN: 'true' }).metrics.open).toBe(true);
      expect(configErrorOf({ METRICS_OPEN: 'yes' }).message).toContain('METRICS_OPEN');
      const both = configErrorOf({ METRICS_OPEN: 'true', METRICS_TOKEN: 'scrape-0123456789abcdef' });
      expect(both.message).toContain('METRICS_OPEN: cannot be true while METRICS_TOKEN is set');
      expect(both.message).not.toContain('scrape-0123456789abcdef');
    });

    it('reads PRESENCE_TTL_SECONDS and METRICS_TOKEN', () => {
      const config = loadConfig({ PRESENCE_TTL_SECONDS: '90', METRICS_TOKEN: 'scrape-0123456789abcdef' });
      expect(config.presence.ttlSeconds).toBe(90);
      expect(config.metrics.token).toBe('scrape-0123456789abcdef');
    });

    it('refuses a TTL that is not a positive integer and a token too short or unusable as a bearer token', () => {
      expect(configErrorOf({ PRESENCE_TTL_SECONDS: '0' }).message).toContain('PRESENCE_TTL_SECONDS');
      const short = configErrorOf({ METRICS_TOKEN: 'short-secret' });
      expect(short.message).toContain('at least 16 characters');
      expect(short.message).not.toContain('short-secret');
      expect(configErrorOf({ METRICS_TOKEN: 'has spaces in the token' }).message).toContain('METRICS_TOKEN');
    });
  });

  describe('receipts', () => {
    it('coalesces delivered markers for 1 s by default, configurable, and refuses nonsense by name', () => {
      expect(loadConfig({}).receipts.flushIntervalMs).toBe(1000);
      expect(loadConfig({ RECEIPT_FLUSH_INTERVAL_MS: '250' }).receipts.flushIntervalMs).toBe(250);
      expect(configErrorOf({ RECEIPT_FLUSH_INTERVAL_MS: '-5' }).message).toContain('RECEIPT_FLUSH_INTERVAL_MS');
      expect(configErrorOf({ RECEIPT_FLUSH_INTERVAL_MS: 'soon' }).message).toContain('RECEIPT_FLUSH_INTERVAL_MS');
    });
  });

  describe('WebSocket gateway', () => {
    it('defaults to the limits of DESIGN.md: 30 s auth timeout and ping, 16 KiB frames, no extra origins', () => {
      expect(loadConfig({}).ws).toEqual({
        authTimeoutMs: 30_000,
        pingIntervalMs: 30_000,
        maxFrameBytes: 16 * 1024,
        allowedOrigins: [],
        maxBufferedBytes: 1024 * 1024,
        slowConsumerGraceMs: 5000,
        closeTimeoutMs: 5000,
        typingIntervalMs: 1000,
      });
    });

    it('reads every WS_ setting', () => {
      const config = loadConfig({
        WS_AUTH_TIMEOUT_MS: '300',
        WS_PING_INTERVAL_MS: '200',
        WS_MAX_FRAME_BYTES: '4096',
        WS_ALLOWED_ORIGINS: 'https://a.example, https://b.example',
        WS_MAX_BUFFERED_BYTES: '65536',
        WS_SLOW_CONSUMER_GRACE_MS: '250',
        WS_CLOSE_TIMEOUT_MS: '1000',
        WS_TYPING_INTERVAL_MS: '2000',
      });
      expect(config.ws).toEqual({
        authTimeoutMs: 300,
        pingIntervalMs: 200,
        maxFrameBytes: 4096,
        allowedOrigins: ['https://a.example', 'https://b.example'],
        maxBufferedBytes: 65536,
        slowConsumerGraceMs: 250,
        closeTimeoutMs: 1000,
        typingIntervalMs: 2000,
      });
    });

    it('refuses durations and sizes that are not positive integers', () => {
      expect(configErrorOf({ WS_AUTH_TIMEOUT_MS: '0' }).message).toContain('WS_AUTH_TIMEOUT_MS');
      expect(configErrorOf({ WS_MAX_FRAME_BYTES: '16k' }).message).toContain('WS_MAX_FRAME_BYTES');
      expect(configErrorOf({ WS_PING_INTERVAL_MS: '-5' }).message).toContain('WS_PING_INTERVAL_MS');
    });
  });
});

describe('loadConfig: Redis and the store selectors', () => {
  it('defaults to the embedded stores and no Redis, so `npm start` needs no server', () => {
    const config = loadConfig({});
    expect(config.stores).toEqual({
      presence: 'memory',
      rateLimit: 'memory',
      token: 'sqlite',
      analytics: 'memory',
      typing: 'memory',
      personalDataKeys: 'sqlite',
    });
    expect(config.redis).toEqual({ url: undefined, keyPrefix: 'chat:' });
  });

  it('reads REDIS_URL, REDIS_KEY_PREFIX and every selector', () => {
    const config = loadConfig({
      REDIS_URL: 'redis://:secret@cache.internal:6380/2',
      REDIS_KEY_PREFIX: 'prod:',
      PRESENCE_STORE: 'redis',
      RATE_LIMIT_STORE: 'redis',
      TOKEN_STORE: 'redis',
      ANALYTICS_STORE: 'redis',
      TYPING_BUS: 'redis',
      PERSONAL_DATA_KEYS: 'redis',
    });
    expect(config.redis).toEqual({ url: 'redis://:secret@cache.internal:6380/2', keyPrefix: 'prod:' });
    expect(config.stores).toEqual({
      presence: 'redis',
      rateLimit: 'redis',
      token: 'redis',
      analytics: 'redis',
      typing: 'redis',
      personalDataKeys: 'redis',
    });
  });

  it('lets each selector go to Redis on its own', () => {
    const config = loadConfig({ REDIS_URL: 'rediss://cache:6379', RATE_LIMIT_STORE: 'redis' });
    expect(config.stores).toMatchObject({ rateLimit: 'redis', presence: 'memory', token: 'sqlite' });
  });

  it('refuses a redis selector without REDIS_URL, naming every such selector', () => {
    const error = configErrorOf({ PRESENCE_STORE: 'redis', TOKEN_STORE: 'redis' });
    expect(error.problems).toEqual([
      'PRESENCE_STORE: is redis, so REDIS_URL must be set',
      'TOKEN_STORE: is redis, so REDIS_URL must be set',
    ]);
  });

  it('refuses an unknown store and a URL that is not redis:// or rediss://, without echoing the URL', () => {
    expect(configErrorOf({ PRESENCE_STORE: 'sqlite' }).message).toContain('PRESENCE_STORE');
    expect(configErrorOf({ TOKEN_STORE: 'memory' }).message).toContain('TOKEN_STORE');
    const bad = configErrorOf({ REDIS_URL: 'http://user:hunter2@cache:6379' });
    expect(bad.message).toContain('REDIS_URL');
    expect(bad.message).not.toContain('hunter2');
  });

  it('accepts REDIS_URL alone (nothing selects Redis yet) and lists the new keys', () => {
    expect(loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' }).stores.presence).toBe('memory');
    expect(CONFIG_KEYS).toEqual(
      expect.arrayContaining(['REDIS_URL', 'REDIS_KEY_PREFIX', 'PRESENCE_STORE', 'RATE_LIMIT_STORE', 'TOKEN_STORE', 'ANALYTICS_STORE', 'TYPING_BUS']),
    );
  });
});

describe('loadConfig: the Kafka event log', () => {
  it('defaults to the SQLite log with no Kafka settings, so `npm start` needs no broker', () => {
    expect(loadConfig({}).eventLog).toBe('sqlite');
    expect(loadConfig({}).kafka).toBeUndefined();
    // scripts/services exports KAFKA_BROKERS for the tests; a shell that sourced it must not switch the log.
    expect(loadConfig({ KAFKA_BROKERS: '127.0.0.1:9092' }).kafka).toBeUndefined();
  });

  it('reads EVENT_LOG=kafka with its brokers, defaults for the rest', () => {
    expect(loadConfig({ EVENT_LOG: 'kafka', KAFKA_BROKERS: '127.0.0.1:9092, kafka-2.internal:9093,' }).kafka).toEqual({
      brokers: ['127.0.0.1:9092', 'kafka-2.internal:9093'],
      clientId: 'chat-service',
      eventsTopic: 'chat.events',
      partitions: 12,
      replicationFactor: 1,
      commandsTopic: 'chat.events.commands',
      repliesTopic: 'chat.events.replies',
      commandTimeoutMs: 10_000,
    });
  });

  it('reads every KAFKA_ setting', () => {
    const config = loadConfig({
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: 'k1:9092',
      KAFKA_CLIENT_ID: 'chat-eu-1',
      KAFKA_EVENTS_TOPIC: 'prod.chat.events',
      KAFKA_PARTITIONS: '48',
      KAFKA_REPLICATION_FACTOR: '3',
      KAFKA_COMMANDS_TOPIC: 'prod.chat.commands',
      KAFKA_REPLIES_TOPIC: 'prod.chat.replies',
      KAFKA_COMMAND_TIMEOUT_MS: '2500',
    });
    expect(config.kafka).toEqual({
      brokers: ['k1:9092'],
      clientId: 'chat-eu-1',
      eventsTopic: 'prod.chat.events',
      partitions: 48,
      replicationFactor: 3,
      commandsTopic: 'prod.chat.commands',
      repliesTopic: 'prod.chat.replies',
      commandTimeoutMs: 2500,
    });
    expect(CONFIG_KEYS).toEqual(
      expect.arrayContaining(['EVENT_LOG', 'KAFKA_BROKERS', 'KAFKA_CLIENT_ID', 'KAFKA_EVENTS_TOPIC', 'KAFKA_PARTITIONS', 'KAFKA_REPLICATION_FACTOR']),
    );
  });

  it('refuses EVENT_LOG=kafka without brokers, an unknown log, and malformed settings, naming each', () => {
    expect(configErrorOf({ EVENT_LOG: 'kafka' }).problems).toEqual(['KAFKA_BROKERS: required when EVENT_LOG=kafka']);
    expect(configErrorOf({ EVENT_LOG: 'postgres' }).message).toContain('EVENT_LOG');
    for (const [key, value] of [
      ['KAFKA_BROKERS', 'kafka.internal'],
      ['KAFKA_BROKERS', 'http://k1:9092'],
      ['KAFKA_BROKERS', ','],
      ['KAFKA_EVENTS_TOPIC', 'chat events'],
      ['KAFKA_CLIENT_ID', 'a/b'],
      ['KAFKA_PARTITIONS', '0'],
      ['KAFKA_REPLICATION_FACTOR', '1.5'],
    ] as const) {
      expect(configErrorOf({ EVENT_LOG: 'kafka', KAFKA_BROKERS: 'k:1', [key]: value }).message, `${key}=${value}`).toContain(key);
    }
  });
});
