import { describe, expect, it } from 'vitest';

import {
  MIGRATIONS,
  assertWellOrdered,
  latestVersion,
  planMigrations,
  type Migration,
} from '../../../../src/projections/history/oracle/migrations.js';
import { oracleTables } from '../../../../src/projections/history/oracle/oracleTables.js';

const fake = (version: number): Migration => ({ version, name: `m${version}`, statements: () => [`-- ${version}`] });

describe('migrations', () => {
  it('are numbered 1..n in order', () => {
    expect(() => assertWellOrdered(MIGRATIONS)).not.toThrow();
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(() => assertWellOrdered([fake(1), fake(3)])).toThrow(/expected 2/);
    expect(() => assertWellOrdered([fake(2), fake(1)])).toThrow(/expected 1/);
  });

  it('plan everything for a fresh database, in order', () => {
    const plan = planMigrations([]);
    expect(plan.kind).toBe('pending');
    if (plan.kind === 'pending') expect(plan.pending.map((m) => m.version)).toEqual(MIGRATIONS.map((m) => m.version));
  });

  it('plan only the rest after an earlier release, and nothing once current (re-running is a no-op)', () => {
    const all = [fake(1), fake(2), fake(3)];
    const plan = planMigrations([1], all);
    expect(plan).toMatchObject({ kind: 'pending', from: 1 });
    if (plan.kind === 'pending') expect(plan.pending.map((m) => m.version)).toEqual([2, 3]);
    expect(planMigrations([3, 1, 2], all)).toEqual({ kind: 'current', version: 3 });
    expect(planMigrations([1, 2, 3], all)).toEqual(planMigrations([1, 2, 3], all));
  });

  it('refuse a database a newer release migrated, and versions with a gap', () => {
    expect(planMigrations([1, 2, 3], [fake(1), fake(2)])).toEqual({ kind: 'newer', databaseVersion: 3, codeVersion: 2 });
    expect(planMigrations([1, 3], [fake(1), fake(2), fake(3)])).toEqual({ kind: 'inconsistent', applied: [1, 3] });
  });

  it('create only objects named with the table prefix, so two prefixes never share a table or index', () => {
    const ddl = MIGRATIONS.flatMap((m) => m.statements(oracleTables('p_')));
    const created = ddl
      .filter((statement) => statement.startsWith('CREATE'))
      .map((statement) => /^CREATE (?:UNIQUE )?(?:TABLE|INDEX) (\w+)/.exec(statement)?.[1]);
    // Every other statement alters a table this code created (named with the prefix).
    const altered = ddl.filter((statement) => !statement.startsWith('CREATE'));
    expect(altered.every((statement) => /^ALTER TABLE p_\w+ /.test(statement))).toBe(true);
    expect(created.every((name) => name?.startsWith('p_'))).toBe(true);
    const constraints = ddl.flatMap((statement) => [...statement.matchAll(/CONSTRAINT (\w+)/g)].map((m) => m[1]));
    expect(constraints.length).toBeGreaterThan(0);
    expect(constraints.every((name) => name?.startsWith('p_'))).toBe(true);
    expect(new Set(created).size).toBe(created.length);
    expect(latestVersion()).toBe(MIGRATIONS.length);
  });
});
