// The shared HistoryStore contract on a real Oracle Database. Oracle cannot run on this project's machines, so the
// suite runs only where ORACLE_CONNECT_STRING is set (`npm run test:oracle`, docker compose's `oracle` service);
// elsewhere, CI included, it reports itself as not run. Every store gets its own tables (a random prefix),
// dropped afterwards, so runs never see each other's rows.

import { randomBytes } from 'node:crypto';

import type { Pool } from 'oracledb';
import { afterAll, describe, expect, it } from 'vitest';

import { HistorySchemaOutdatedError } from '../../../src/projections/history/historyStoreErrors.js';
import { assertSchemaCurrent, migrate } from '../../../src/projections/history/oracle/migrationRunner.js';
import { MIGRATIONS } from '../../../src/projections/history/oracle/migrations.js';
import { OracleHistoryStore } from '../../../src/projections/history/oracle/oracleHistoryStore.js';
import { createOraclePool, prepareSchema } from '../../../src/projections/history/oracle/openOracleHistoryStore.js';
import { oracleTables, type OracleTables } from '../../../src/projections/history/oracle/oracleTables.js';
import { describeWithServices } from '../../support/realServices.js';
import { historyStoreContract } from './historyStoreContract.js';

describeWithServices('Oracle history store', ['ORACLE_CONNECT_STRING'], (env) => {
  let pool: Pool | undefined;
  async function sharedPool(): Promise<Pool> {
    pool ??= await createOraclePool({
      connectString: env('ORACLE_CONNECT_STRING'),
      // docker-compose.yml's `oracle` service creates this user.
      user: process.env.ORACLE_USER ?? 'chat',
      password: process.env.ORACLE_PASSWORD ?? 'chat',
      poolMin: 0,
      poolMax: 4,
      queueTimeoutMs: 30_000,
      tablePrefix: '',
      migrate: 'auto',
    });
    return pool;
  }
  const freshTables = (): OracleTables => oracleTables(`t${randomBytes(3).toString('hex')}_`);

  async function dropTables(tables: OracleTables): Promise<void> {
    const connection = await (await sharedPool()).getConnection();
    try {
      for (const table of [tables.edits, tables.messages, tables.markers, tables.members, tables.rooms, tables.users, tables.checkpoints, tables.migrations]) {
        await connection.execute(`DROP TABLE ${table} PURGE`).catch(() => undefined);
      }
    } finally {
      await connection.close();
    }
  }

  afterAll(async () => {
    await pool?.close(0);
  });

  historyStoreContract('Oracle', async () => {
    const tables = freshTables();
    await prepareSchema(await sharedPool(), tables, 'auto');
    const store = new OracleHistoryStore({ pool: await sharedPool(), tables });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropTables(tables);
      },
    };
  });

  describe('migrations on Oracle', () => {
    it('apply every version once, then nothing; a schema behind the code is refused with HISTORY_SCHEMA_OUTDATED', async () => {
      const tables = freshTables();
      const connection = await (await sharedPool()).getConnection();
      try {
        await expect(assertSchemaCurrent(connection, tables)).rejects.toBeInstanceOf(HistorySchemaOutdatedError);
        expect((await migrate(connection, tables, MIGRATIONS.slice(0, 1))).applied).toEqual([1]);
        await expect(assertSchemaCurrent(connection, tables)).rejects.toMatchObject({
          code: 'HISTORY_SCHEMA_OUTDATED',
          details: { databaseVersion: 1, codeVersion: MIGRATIONS.length },
        });
        expect((await migrate(connection, tables)).applied).toEqual(MIGRATIONS.slice(1).map((m) => m.version));
        expect((await migrate(connection, tables)).applied).toEqual([]);
        await assertSchemaCurrent(connection, tables);
      } finally {
        await connection.close();
        await dropTables(tables);
      }
    });
  });
});
