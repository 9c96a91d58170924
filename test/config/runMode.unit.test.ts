import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { planProcess } from '../../src/config/processPlan.js';

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

const SERVERS = {
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081/apis/ccompat/v7',
  REDIS_URL: 'redis://127.0.0.1:6390',
  JWT_SECRET: 'a-secret-that-every-process-shares-0123456789',
};

describe('RUN_MODE (unit)', () => {
  it('embedded by default: the log, registry, keys and stores of one process', () => {
    const config = loadConfig({});
    expect(config.eventLog).toBe('sqlite');
    expect(config.schemaRegistry.kind).toBe('embedded');
    expect(config.stores).toEqual({
      presence: 'memory',
      rateLimit: 'memory',
      token: 'sqlite',
      analytics: 'memory',
      typing: 'memory',
      personalDataKeys: 'sqlite',
    });
  });

  it('RUN_MODE=distributed is one switch for Kafka, the shared registry and every Redis store', () => {
    const config = loadConfig({ RUN_MODE: 'distributed', ...SERVERS });
    expect(config.eventLog).toBe('kafka');
    expect(config.kafka?.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.schemaRegistry).toMatchObject({ kind: 'confluent', url: SERVERS.SCHEMA_REGISTRY_URL });
    expect(config.stores).toEqual({
      presence: 'redis',
      rateLimit: 'redis',
      token: 'redis',
      analytics: 'redis',
      typing: 'redis',
      personalDataKeys: 'redis',
    });
    expect(config.auth.jwtSecret).toBe(SERVERS.JWT_SECRET);
    // Split roles are then accepted as they are.
    expect(loadConfig({ RUN_MODE: 'distributed', ...SERVERS, ROLES: 'api,gateway' }).roles).toEqual(['api', 'gateway']);
  });

  it('names every server RUN_MODE=distributed needs and does not have', () => {
    expect(problemsOf({ RUN_MODE: 'distributed', JWT_SECRET: SERVERS.JWT_SECRET })).toEqual([
      'SCHEMA_REGISTRY_URL: required when SCHEMA_REGISTRY=confluent',
    ]);
    expect(problemsOf({ RUN_MODE: 'distributed', JWT_SECRET: SERVERS.JWT_SECRET, SCHEMA_REGISTRY_URL: SERVERS.SCHEMA_REGISTRY_URL })).toEqual([
      'KAFKA_BROKERS: required when EVENT_LOG=kafka',
    ]);
    const withoutRedis = problemsOf({ RUN_MODE: 'distributed', ...SERVERS, REDIS_URL: '' });
    expect(withoutRedis).toHaveLength(6);
    for (const problem of withoutRedis) expect(problem).toMatch(/is redis, so REDIS_URL must be set$/);
  });

  it('refuses a setting that contradicts it, naming why and the fix, and a missing JWT_SECRET', () => {
    const problems = problemsOf({ RUN_MODE: 'distributed', ...SERVERS, PERSONAL_DATA_KEYS: 'sqlite', PRESENCE_STORE: 'memory', JWT_SECRET: '' });
    expect(problems).toHaveLength(3);
    expect(problems[0]).toMatch(/^PERSONAL_DATA_KEYS=sqlite: RUN_MODE=distributed needs PERSONAL_DATA_KEYS=redis \(.*sealed.*\); remove PERSONAL_DATA_KEYS or set it to redis$/);
    expect(problems[1]).toMatch(/^PRESENCE_STORE=memory: RUN_MODE=distributed needs PRESENCE_STORE=redis/);
    expect(problems[2]).toMatch(/^JWT_SECRET: required with RUN_MODE=distributed/);
    expect(problemsOf({ RUN_MODE: 'distributed', ...SERVERS, EVENT_LOG: 'sqlite' })[0]).toMatch(/^EVENT_LOG=sqlite: RUN_MODE=distributed needs EVENT_LOG=kafka/);
    // A setting that agrees with it is fine.
    expect(loadConfig({ RUN_MODE: 'distributed', ...SERVERS, TOKEN_STORE: 'redis' }).stores.token).toBe('redis');
  });

  it('refuses an unknown RUN_MODE by name', () => {
    expect(problemsOf({ RUN_MODE: 'cluster' })[0]).toMatch(/^RUN_MODE: /);
  });

  it('warns at start when one process on Kafka keeps the registry or the keys to itself', () => {
    const own = loadConfig({ EVENT_LOG: 'kafka', KAFKA_BROKERS: SERVERS.KAFKA_BROKERS });
    expect(planProcess(own).warnings).toEqual([
      expect.stringMatching(/^EVENT_LOG=kafka with SCHEMA_REGISTRY=embedded and PERSONAL_DATA_KEYS=sqlite: .*RUN_MODE=distributed shares them$/),
    ]);
    expect(planProcess(loadConfig({ RUN_MODE: 'distributed', ...SERVERS })).warnings).toEqual([]);
    expect(planProcess(loadConfig({})).warnings).toEqual([]);
  });
});
