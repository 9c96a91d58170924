import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { parseRoles, ROLE_NAMES } from '../../src/config/roleNames.js';

// ROLES / --roles: which roles one `chat serve` process runs, and what it refuses.

function refusal(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.message;
    throw error;
  }
  throw new Error(`expected ${JSON.stringify(env)} to be refused`);
}

const KAFKA = {
  EVENT_LOG: 'kafka',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY: 'confluent',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  PERSONAL_DATA_KEYS: 'redis',
  REDIS_URL: 'redis://127.0.0.1:6379',
};

describe('roles', () => {
  it('are all of them when ROLES is unset or empty: npm start stays the embedded all-in-one', () => {
    expect(loadConfig({}).roles).toEqual([...ROLE_NAMES]);
    expect(loadConfig({ ROLES: '  ' }).roles).toEqual([...ROLE_NAMES]);
    expect(loadConfig({ ROLES: 'all' }).roles).toEqual([...ROLE_NAMES]);
    expect(loadConfig({ ROLES: [...ROLE_NAMES].reverse().join(',') }).roles).toEqual([...ROLE_NAMES]);
  });

  it('are read in their canonical order without repeats, whatever order was typed', () => {
    expect(loadConfig({ ...KAFKA, ROLES: ' gateway , api,gateway' }).roles).toEqual(['api', 'gateway']);
    expect(loadConfig({ ...KAFKA, ROLES: 'projector:analytics,command-processor' }).roles).toEqual([
      'command-processor',
      'projector:analytics',
    ]);
  });

  it('refuse unknown names, naming every one of them and the known ones', () => {
    const message = refusal({ ...KAFKA, ROLES: 'api,gatewy,projector:histroy,gatewy' });
    expect(message).toContain('ROLES: unknown roles "gatewy", "projector:histroy"');
    expect(message).toContain('known roles: api, gateway, command-processor, projector:history, projector:analytics');
    expect(refusal({ ...KAFKA, ROLES: 'API' })).toContain('unknown role "API"');
    expect(refusal({ ...KAFKA, ROLES: 'all,bogus' })).toContain('unknown role "bogus"');
    expect(refusal({ ...KAFKA, ROLES: ',,' })).toContain('ROLES: names no role');
  });

  it('other than all of them need the Kafka log, one schema registry and one personal data key store', () => {
    const message = refusal({ ROLES: 'api,gateway' });
    expect(message).toContain('ROLES: api,gateway needs EVENT_LOG=kafka');
    expect(refusal({ ...KAFKA, SCHEMA_REGISTRY: 'embedded', ROLES: 'gateway' })).toContain(
      'ROLES: gateway needs SCHEMA_REGISTRY=confluent',
    );
    expect(refusal({ ...KAFKA, PERSONAL_DATA_KEYS: 'sqlite', ROLES: 'api' })).toContain('ROLES: api needs PERSONAL_DATA_KEYS=redis');
    // The all-in-one may keep its registry beside the log, whichever log it is.
    expect(loadConfig({ ...KAFKA, SCHEMA_REGISTRY: 'embedded', ROLES: 'all' }).schemaRegistry.kind).toBe('embedded');
    expect(loadConfig({ ...KAFKA, ROLES: 'api,gateway' }).roles).toEqual(['api', 'gateway']);
  });

  it('parse to a result that says what was wrong', () => {
    expect(parseRoles('gateway')).toEqual({ ok: true, roles: ['gateway'] });
    expect(parseRoles('x,y')).toEqual({ ok: false, unknown: ['x', 'y'] });
    expect(parseRoles(' , ')).toEqual({ ok: false, empty: true });
  });
});
