import { describe, expect, it } from 'vitest';

import { ConfigError, loadConfig } from '../../src/config/config.js';

const ORACLE = {
  HISTORY_STORE: 'oracle',
  ORACLE_CONNECT_STRING: 'db.example.test:1521/FREEPDB1',
  ORACLE_USER: 'chat',
  ORACLE_PASSWORD: 'secret',
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}

describe('HISTORY_STORE=oracle settings', () => {
  it('selects the Oracle store with its pool and migration settings', () => {
    const config = loadConfig({ ...ORACLE, ORACLE_POOL_MIN: '2', ORACLE_POOL_MAX: '16', ORACLE_TABLE_PREFIX: 'chat_' });
    expect(config.historyStore).toBe('oracle');
    expect(config.oracle).toEqual({
      connectString: 'db.example.test:1521/FREEPDB1',
      user: 'chat',
      password: 'secret',
      poolMin: 2,
      poolMax: 16,
      queueTimeoutMs: 10_000,
      tablePrefix: 'chat_',
      migrate: 'auto',
    });
  });

  it('leaves the Oracle settings unused while the store is SQLite, even when ORACLE_* is exported', () => {
    const config = loadConfig({ ORACLE_CONNECT_STRING: ORACLE.ORACLE_CONNECT_STRING });
    expect(config.historyStore).toBe('sqlite');
    expect(config.oracle).toBeUndefined();
  });

  it('names each missing connection setting', () => {
    expect(problemsOf({ HISTORY_STORE: 'oracle' })).toEqual([
      'ORACLE_CONNECT_STRING: required when HISTORY_STORE=oracle',
      'ORACLE_USER: required when HISTORY_STORE=oracle',
      'ORACLE_PASSWORD: required when HISTORY_STORE=oracle',
    ]);
  });

  it('refuses a message limit the text columns cannot hold, and a pool whose minimum exceeds its maximum', () => {
    expect(problemsOf({ ...ORACLE, MAX_MESSAGE_LENGTH: '1001' })).toEqual([expect.stringMatching(/^MAX_MESSAGE_LENGTH: at most 1000/)]);
    expect(problemsOf({ ...ORACLE, ORACLE_POOL_MIN: '5', ORACLE_POOL_MAX: '2' })).toEqual([
      'ORACLE_POOL_MIN: must not exceed ORACLE_POOL_MAX',
    ]);
  });

  it('refuses a table prefix that is not a short identifier', () => {
    expect(problemsOf({ ...ORACLE, ORACLE_TABLE_PREFIX: 'x;drop' })[0]).toMatch(/^ORACLE_TABLE_PREFIX/);
  });
});
