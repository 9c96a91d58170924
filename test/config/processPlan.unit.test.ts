import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import { planProcess } from '../../src/config/processPlan.js';

// Which projectors a process runs, decided from its roles and where the views are kept.

const KAFKA = {
  EVENT_LOG: 'kafka',
  KAFKA_BROKERS: '127.0.0.1:9092',
  SCHEMA_REGISTRY: 'confluent',
  SCHEMA_REGISTRY_URL: 'http://127.0.0.1:8081',
  PERSONAL_DATA_KEYS: 'redis',
  REDIS_URL: 'redis://127.0.0.1:6379',
  JWT_SECRET: 'x'.repeat(32),
};
const REDIS = {
  TOKEN_STORE: 'redis',
  RATE_LIMIT_STORE: 'redis',
  PRESENCE_STORE: 'redis',
  TYPING_BUS: 'redis',
};
const ORACLE = { HISTORY_STORE: 'oracle', ORACLE_CONNECT_STRING: 'db:1521/FREEPDB1', ORACLE_USER: 'chat', ORACLE_PASSWORD: 'chat' };

function plan(env: Record<string, string>) {
  return planProcess(loadConfig(env));
}

describe('planProcess', () => {
  it('runs everything in the default all-in-one, without warnings', () => {
    expect(plan({})).toMatchObject({
      api: true,
      gateway: true,
      commandProcessor: true,
      historyView: 'projector',
      analyticsProjector: true,
      warnings: [],
    });
  });

  it('projects a process-local history store in every api and gateway process', () => {
    expect(plan({ ...KAFKA, ...REDIS, ROLES: 'api' })).toMatchObject({ historyView: 'projector', analyticsProjector: true });
    expect(plan({ ...KAFKA, ...REDIS, ROLES: 'gateway' })).toMatchObject({ historyView: 'projector', analyticsProjector: false });
  });

  it('follows a shared history store that projector:history processes fill, and projects it only in those', () => {
    expect(plan({ ...KAFKA, ...REDIS, ...ORACLE, ROLES: 'api,gateway' }).historyView).toBe('follower');
    expect(plan({ ...KAFKA, ...REDIS, ...ORACLE, ROLES: 'projector:history' }).historyView).toBe('projector');
    expect(plan({ ...KAFKA, ...REDIS, ...ORACLE, ROLES: 'api,projector:history' }).historyView).toBe('projector');
  });

  it('leaves shared analytics to projector:analytics, and views out of processes that do not use them', () => {
    const shared = { ...KAFKA, ...REDIS, ANALYTICS_STORE: 'redis' };
    expect(plan({ ...shared, ROLES: 'api' }).analyticsProjector).toBe(false);
    expect(plan({ ...shared, ROLES: 'projector:analytics' })).toMatchObject({ analyticsProjector: true, historyView: undefined });
    expect(plan({ ...shared, ROLES: 'command-processor' })).toMatchObject({
      commandProcessor: true,
      api: false,
      gateway: false,
      historyView: undefined,
      analyticsProjector: false,
    });
  });

  it('warns when split roles keep shared state in one process', () => {
    const { JWT_SECRET: _unset, ...withoutSecret } = KAFKA;
    const warnings = plan({ ...withoutSecret, ROLES: 'api' }).warnings;
    expect(warnings).toEqual([
      expect.stringContaining('TOKEN_STORE=sqlite, RATE_LIMIT_STORE=memory, PRESENCE_STORE=memory, TYPING_BUS=memory'),
      expect.stringContaining('JWT_SECRET is not set'),
    ]);
    expect(plan({ ...KAFKA, ...REDIS, ROLES: 'api,gateway' }).warnings).toEqual([]);
    expect(plan({ ...KAFKA, ROLES: 'projector:history,projector:analytics' }).warnings).toEqual([
      expect.stringContaining('projector:history with HISTORY_STORE=sqlite'),
      expect.stringContaining('projector:analytics with ANALYTICS_STORE=memory'),
    ]);
  });
});
