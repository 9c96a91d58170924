// Applies the pending migrations of migrations.ts to a database, or checks that none is pending. Used at start-up
// (ORACLE_MIGRATE=auto) and by `chat migrate`.

import oracledb, { type Connection } from 'oracledb';

import { HistorySchemaOutdatedError } from '../historyStoreErrors.js';
import { MIGRATIONS, latestVersion, planMigrations, type Migration, type MigrationPlan } from './migrations.js';
import { classifyOracleError } from './oracleErrors.js';
import { versionRow } from './oracleRows.js';
import type { OracleTables } from './oracleTables.js';

export interface MigrationResult {
  /** Versions applied by this call, in order (empty when the schema was current). */
  applied: number[];
  version: number;
}

/** Brings the schema to the code's version; refuses a database that is newer or inconsistent. */
export async function migrate(
  connection: Connection,
  tables: OracleTables,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrationResult> {
  await runDdl(
    connection,
    `CREATE TABLE ${tables.migrations} (
      version    NUMBER(10) NOT NULL,
      name       VARCHAR2(200 CHAR) NOT NULL,
      applied_at TIMESTAMP(3) WITH TIME ZONE DEFAULT SYSTIMESTAMP NOT NULL,
      CONSTRAINT ${tables.prefix}schema_migrations_pk PRIMARY KEY (version)
    )`,
  );
  const plan = planMigrations(await appliedVersions(connection, tables), migrations);
  refuseUnusable(plan);
  if (plan.kind !== 'pending') return { applied: [], version: latestVersion(migrations) };
  const applied: number[] = [];
  for (const migration of plan.pending) {
    for (const statement of migration.statements(tables)) await runDdl(connection, statement);
    // MERGE: a concurrent `chat migrate` that recorded the version first is not an error.
    await connection.execute(
      `MERGE INTO ${tables.migrations} m USING (SELECT :version AS version FROM dual) s ON (m.version = s.version)
       WHEN NOT MATCHED THEN INSERT (version, name) VALUES (s.version, :name)`,
      { version: migration.version, name: migration.name },
    );
    await connection.commit();
    applied.push(migration.version);
  }
  return { applied, version: latestVersion(migrations) };
}

/** For ORACLE_MIGRATE=check: the schema must already be at the code's version. */
export async function assertSchemaCurrent(
  connection: Connection,
  tables: OracleTables,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<void> {
  let versions: number[];
  try {
    versions = await appliedVersions(connection, tables);
  } catch (error) {
    if (classifyOracleError(error) !== 'schemaMissing') throw error;
    versions = [];
  }
  const plan = planMigrations(versions, migrations);
  refuseUnusable(plan);
  if (plan.kind === 'pending') {
    throw new HistorySchemaOutdatedError(plan.from, latestVersion(migrations), 'run `chat migrate` (or set ORACLE_MIGRATE=auto)');
  }
}

function refuseUnusable(plan: MigrationPlan): void {
  if (plan.kind === 'newer') {
    throw new HistorySchemaOutdatedError(
      plan.databaseVersion,
      plan.codeVersion,
      'the database was migrated by a newer release; deploy it, or point this one at another schema',
    );
  }
  if (plan.kind === 'inconsistent') {
    throw new HistorySchemaOutdatedError(
      plan.applied.length,
      latestVersion(),
      `schema_migrations holds versions ${plan.applied.join(', ')}, not 1..n; repair it by hand`,
    );
  }
}

async function appliedVersions(connection: Connection, tables: OracleTables): Promise<number[]> {
  const result = await connection.execute(`SELECT version FROM ${tables.migrations}`, {}, {
    outFormat: oracledb.OUT_FORMAT_OBJECT,
  });
  return (result.rows ?? []).map((row) => versionRow.parse(row));
}

/** DDL that already ran (an interrupted migration, a concurrent one) is done, not an error. */
async function runDdl(connection: Connection, statement: string): Promise<void> {
  try {
    await connection.execute(statement);
  } catch (error) {
    if (classifyOracleError(error) !== 'alreadyExists') throw error;
  }
}
