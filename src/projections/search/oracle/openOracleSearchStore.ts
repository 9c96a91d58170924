// Opens the Oracle search store from the same settings as the history store: its own pool, and the schema migrated
// (migration 11 creates its tables) or checked, as ORACLE_MIGRATE says.

import { createOraclePool, prepareSchema, type OracleSettings } from '../../history/oracle/openOracleHistoryStore.js';
import { oracleTables } from '../../history/oracle/oracleTables.js';
import { OracleSearchStore } from './oracleSearchStore.js';

export async function openOracleSearchStore(settings: OracleSettings): Promise<OracleSearchStore> {
  const tables = oracleTables(settings.tablePrefix);
  const pool = await createOraclePool(settings);
  try {
    await prepareSchema(pool, tables, settings.migrate);
  } catch (error) {
    await pool.close(0).catch(() => undefined);
    throw error;
  }
  return new OracleSearchStore({ pool, tables, ownsPool: true });
}
