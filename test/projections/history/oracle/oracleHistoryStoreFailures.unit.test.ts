// How the Oracle store fails without a database: the real driver against a closed port, and scripted connections
// for the failures a real server would have to be broken to produce. Each must surface as a typed error (and
// release or drop its session), never as an empty answer or a skipped batch.

import { createServer } from 'node:net';

import type { BindRow, Connection, Pool, Result } from 'oracledb';
import { describe, expect, it } from 'vitest';

import { UnavailableError } from '../../../../src/domain/errors.js';
import { HistoryWriteConflictError } from '../../../../src/projections/history/historyStoreErrors.js';
import { OracleHistoryStore } from '../../../../src/projections/history/oracle/oracleHistoryStore.js';
import { createOraclePool, openOracleHistoryStore } from '../../../../src/projections/history/oracle/openOracleHistoryStore.js';
import { oracleTables } from '../../../../src/projections/history/oracle/oracleTables.js';
import { RecordedEventLog } from '../../../support/recordedEvents.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const settings = (port: number) => ({
  connectString: `127.0.0.1:${port}/FREEPDB1`,
  user: 'chat',
  password: 'chat',
  poolMin: 0,
  poolMax: 1,
  queueTimeoutMs: 1000,
  tablePrefix: '',
  migrate: 'auto' as const,
});

function driverError(code: string): Error {
  return Object.assign(new Error(`${code}: scripted`), { code });
}

/** A connection that fails `executeMany` with `failure` and records what the store did with it. */
function scriptedPool(failure: Error) {
  const calls: string[] = [];
  const connection: Connection = {
    async execute(sql: string): Promise<Result> {
      calls.push(sql.trimStart().split(/\s/)[0] ?? '');
      return { rows: [] };
    },
    async executeMany(_sql: string, binds: readonly BindRow[]): Promise<Result> {
      calls.push(`executeMany(${binds.length})`);
      throw failure;
    },
    async commit() {
      calls.push('commit');
    },
    async rollback() {
      calls.push('rollback');
    },
    async close(options?: { drop: boolean }) {
      calls.push(options?.drop ? 'close(drop)' : 'close');
    },
  };
  const pool: Pool = { getConnection: async () => connection, close: async () => undefined };
  return { pool, calls };
}

function oneMessageBatch() {
  const log = new RecordedEventLog({ startAt: Date.UTC(2025, 0, 1) });
  log.registerUser('u-a', 'alice');
  log.createRoom('r-1', 'General', 'public', 'u-a');
  return log.since({});
}

describe('OracleHistoryStore failures', () => {
  it('answers UNAVAILABLE (connection lost) for reads and writes when the database cannot be reached', async () => {
    const pool = await createOraclePool(settings(await closedPort()));
    const store = new OracleHistoryStore({ pool, tables: oracleTables(), ownsPool: true });
    try {
      await expect(store.getMessages('r-1', { limit: 10 })).rejects.toMatchObject({
        code: 'UNAVAILABLE',
        details: { operation: 'getMessages', reason: 'connection lost' },
      });
      await expect(store.applyBatch(oneMessageBatch())).rejects.toBeInstanceOf(UnavailableError);
      await expect(store.checkpoint()).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      await store.close();
    }
  });

  it('stops start-up with UNAVAILABLE when the database cannot be reached', async () => {
    await expect(openOracleHistoryStore(settings(await closedPort()))).rejects.toMatchObject({ code: 'UNAVAILABLE' });
  });

  it('rolls a batch back whole on a duplicate row and reports a retryable conflict, returning the session', async () => {
    const { pool, calls } = scriptedPool(driverError('ORA-00001'));
    const store = new OracleHistoryStore({ pool, tables: oracleTables() });
    await expect(store.applyBatch(oneMessageBatch())).rejects.toBeInstanceOf(HistoryWriteConflictError);
    expect(calls).toEqual(['SELECT', 'executeMany(1)', 'rollback', 'close']);
  });

  it('drops a session whose connection broke mid-batch instead of returning it to the pool', async () => {
    const { pool, calls } = scriptedPool(driverError('NJS-500'));
    const store = new OracleHistoryStore({ pool, tables: oracleTables() });
    await expect(store.applyBatch(oneMessageBatch())).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    expect(calls).not.toContain('commit');
    expect(calls.at(-1)).toBe('close(drop)');
  });

  it('reports an exhausted pool as UNAVAILABLE', async () => {
    const pool: Pool = {
      getConnection: async () => {
        throw driverError('NJS-040');
      },
      close: async () => undefined,
    };
    const store = new OracleHistoryStore({ pool, tables: oracleTables() });
    await expect(store.getRoom('r-1')).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { reason: 'connection pool exhausted' },
    });
  });

  it('skips nothing and writes nothing for a batch its checkpoint already covers', async () => {
    const calls: string[] = [];
    const connection: Connection = {
      async execute(sql: string): Promise<Result> {
        calls.push(sql.trimStart().split(/\s/)[0] ?? '');
        return { rows: [{ PARTITION_NO: 0, POSITION: 1000 }] };
      },
      async executeMany(): Promise<Result> {
        calls.push('executeMany');
        return {};
      },
      async commit() {
        calls.push('commit');
      },
      async rollback() {
        calls.push('rollback');
      },
      async close() {
        calls.push('close');
      },
    };
    const store = new OracleHistoryStore({
      pool: { getConnection: async () => connection, close: async () => undefined },
      tables: oracleTables(),
    });
    await store.applyBatch(oneMessageBatch());
    expect(calls).toEqual(['SELECT', 'rollback', 'close']);
  });
});
