// Opens the Oracle history store from configuration: a Thin-mode pool (never initOracleClient: no Instant Client
// on the hosts), a check that the database can hold our text, then the schema migrated or checked.

import oracledb, { type Connection, type Pool } from 'oracledb';

import { HistoryStoreMisconfiguredError } from '../historyStoreErrors.js';
import { assertSchemaCurrent, migrate } from './migrationRunner.js';
import { toHistoryStoreError } from './oracleErrors.js';
import { latestVersion } from './migrations.js';
import { OracleHistoryStore } from './oracleHistoryStore.js';
import { characterSetRow } from './oracleRows.js';
import { oracleTables, type OracleTables } from './oracleTables.js';

export interface OracleSettings {
  connectString: string;
  user: string;
  password: string;
  poolMin: number;
  poolMax: number;
  /** How long a caller waits for a free pooled connection before NJS-040 (reported as UNAVAILABLE). */
  queueTimeoutMs: number;
  tablePrefix: string;
  /** auto: apply pending migrations at start; check: refuse to start on an older schema (run `chat migrate`). */
  migrate: 'auto' | 'check';
}

/** A session as the store needs it: binary comparison and sorting, so keyset cursors order like SQLite. */
function sessionSetup(connection: Connection, _requestedTag: string, done: (error?: Error) => void): void {
  connection
    .execute(`ALTER SESSION SET NLS_SORT = BINARY NLS_COMP = BINARY TIME_ZONE = '+00:00'`)
    .then(() => done(), (error: unknown) => done(error instanceof Error ? error : new Error(String(error))));
}

export async function createOraclePool(settings: OracleSettings): Promise<Pool> {
  if (!oracledb.thin) throw new HistoryStoreMisconfiguredError('node-oracledb is not in Thin mode');
  try {
    return await oracledb.createPool({
      user: settings.user,
      password: settings.password,
      connectString: settings.connectString,
      poolMin: settings.poolMin,
      poolMax: settings.poolMax,
      poolIncrement: 1,
      queueTimeout: settings.queueTimeoutMs,
      sessionCallback: sessionSetup,
    });
  } catch (error) {
    throw toHistoryStoreError(error, 'createPool', latestVersion());
  }
}

/**
 * VARCHAR2(1000 CHAR) holds 1000 code points in at most 4000 bytes only in AL32UTF8 (in the older UTF8, a
 * supplementary character counts as two), so any other database character set is refused at start.
 */
export function assertCharacterSet(characterSet: string): void {
  if (characterSet !== 'AL32UTF8') {
    throw new HistoryStoreMisconfiguredError(
      `the database character set is ${characterSet}; the history store needs AL32UTF8`,
      { characterSet },
    );
  }
}

/** Runs the migrations (or checks them) on one connection of the pool. */
export async function prepareSchema(pool: Pool, tables: OracleTables, mode: 'auto' | 'check' | 'only-migrate'): Promise<number[]> {
  let connection: Connection;
  try {
    connection = await pool.getConnection();
  } catch (error) {
    throw toHistoryStoreError(error, 'prepareSchema', latestVersion());
  }
  try {
    const result = await connection.execute(
      `SELECT value FROM nls_database_parameters WHERE parameter = 'NLS_CHARACTERSET'`,
      {},
      { outFormat: oracledb.OUT_FORMAT_OBJECT },
    );
    const [row] = result.rows ?? [];
    assertCharacterSet(row === undefined ? 'unknown' : characterSetRow.parse(row));
    if (mode === 'check') {
      await assertSchemaCurrent(connection, tables);
      return [];
    }
    return (await migrate(connection, tables)).applied;
  } catch (error) {
    throw toHistoryStoreError(error, 'prepareSchema', latestVersion());
  } finally {
    await connection.close().catch(() => undefined);
  }
}

export async function openOracleHistoryStore(settings: OracleSettings, projectionName?: string): Promise<OracleHistoryStore> {
  const tables = oracleTables(settings.tablePrefix);
  const pool = await createOraclePool(settings);
  try {
    await prepareSchema(pool, tables, settings.migrate);
  } catch (error) {
    await pool.close(0).catch(() => undefined);
    throw error;
  }
  return new OracleHistoryStore({ pool, tables, ownsPool: true, ...(projectionName ? { projectionName } : {}) });
}

/** `chat migrate`: the pending migrations applied, nothing else; returns the versions it applied. */
export async function migrateOracle(settings: OracleSettings): Promise<number[]> {
  const pool = await createOraclePool(settings);
  try {
    return await prepareSchema(pool, oracleTables(settings.tablePrefix), 'only-migrate');
  } finally {
    await pool.close(0).catch(() => undefined);
  }
}
