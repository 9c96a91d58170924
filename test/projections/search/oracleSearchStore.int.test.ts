// The shared SearchStore contract on a real Oracle Database (Oracle Text). Runs only where ORACLE_CONNECT_STRING is
// set (docker compose's `oracle` service; the user needs the CTXAPP role, which Oracle Free's APP_USER has through
// the default grants of CREATE INDEX on CTXSYS.CONTEXT); elsewhere it reports itself as not run. Every store gets
// its own tables (a random prefix), dropped afterwards.

import { randomBytes } from 'node:crypto';

import type { Pool } from 'oracledb';
import { afterAll } from 'vitest';

import { createOraclePool, prepareSchema } from '../../../src/projections/history/oracle/openOracleHistoryStore.js';
import { oracleTables, type OracleTables } from '../../../src/projections/history/oracle/oracleTables.js';
import { oracleSearchTables } from '../../../src/projections/history/oracle/searchMigration.js';
import { OracleSearchStore } from '../../../src/projections/search/oracle/oracleSearchStore.js';
import { describeWithServices } from '../../support/realServices.js';
import { searchStoreContract } from './searchStoreContract.js';

describeWithServices('Oracle search store', ['ORACLE_CONNECT_STRING'], (env) => {
  let pool: Pool | undefined;
  async function sharedPool(): Promise<Pool> {
    pool ??= await createOraclePool({
      connectString: env('ORACLE_CONNECT_STRING'),
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

  async function dropTables(tables: OracleTables): Promise<void> {
    const search = oracleSearchTables(tables);
    const connection = await (await sharedPool()).getConnection();
    try {
      const all = [search.docs, search.members, search.rooms, tables.pins, tables.reactions, tables.erasedReactors, tables.friendships,
        tables.edits, tables.messages, tables.markers, tables.members, tables.rooms, tables.users, tables.checkpoints, tables.migrations];
      for (const table of all) await connection.execute(`DROP TABLE ${table} PURGE`).catch(() => undefined);
    } finally {
      await connection.close();
    }
  }

  afterAll(async () => {
    await pool?.close(0);
  });

  searchStoreContract('Oracle Text', async () => {
    const tables = oracleTables(`s${randomBytes(3).toString('hex')}_`);
    await prepareSchema(await sharedPool(), tables, 'auto');
    const store = new OracleSearchStore({ pool: await sharedPool(), tables });
    return {
      store,
      cleanup: async () => {
        await store.close();
        await dropTables(tables);
      },
    };
  });
});
