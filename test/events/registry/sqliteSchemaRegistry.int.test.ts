import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SqliteSchemaRegistry } from '../../../src/events/registry/sqliteSchemaRegistry.js';
import { SchemaIncompatibleError } from '../../../src/events/registry/schemaRegistryErrors.js';
import { addsRequiredField, other, record, rejectionOf, schemaRegistryContract, v1, v2 } from './schemaRegistryContract.js';

schemaRegistryContract('SqliteSchemaRegistry (temp file)', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'schema-registry-'));
  const file = path.join(dir, 'registry.db');
  const db = new Database(file);
  const connections = [db];
  const open = (): SqliteSchemaRegistry => {
    const another = new Database(file);
    connections.push(another);
    return new SqliteSchemaRegistry(another);
  };
  return {
    registry: new SqliteSchemaRegistry(db),
    subjectPrefix: 'test.',
    openAnother: open,
    cleanup: async () => {
      for (const connection of connections) connection.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describe('SqliteSchemaRegistry specifics', () => {
  let db: Database.Database;
  let registry: SqliteSchemaRegistry;

  beforeEach(() => {
    db = new Database(':memory:');
    registry = new SqliteSchemaRegistry(db);
  });

  afterEach(() => {
    db.close();
  });

  it('hands out ids from 1 upwards, global across subjects; a refused version uses none up', async () => {
    expect(await registry.register('test.Thing', v1)).toBe(1);
    await expect(registry.register('test.Thing', addsRequiredField)).rejects.toBeInstanceOf(SchemaIncompatibleError);
    expect(await registry.register('test.Other', other)).toBe(2);
    expect(await registry.register('test.Thing', v2)).toBe(3);
  });

  it('names the earlier version it cannot read, and the field, in a refusal', async () => {
    await registry.register('test.Thing', v1);
    const error = await rejectionOf(registry.register('test.Thing', addsRequiredField));
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    if (error instanceof SchemaIncompatibleError) {
      expect(error.againstVersion).toBe(1);
      expect(error.reason).toContain('test.Thing.required');
    }
  });

  describe('checking earlier versions', () => {
    // v3 reads v2 (a field re-added with a default) but not v1, which wrote that field as a string.
    const a1 = record('Thing', [
      { name: 'id', type: 'string' },
      { name: 'x', type: 'string' },
    ]);
    const a2 = record('Thing', [{ name: 'id', type: 'string' }]);
    const a3 = record('Thing', [
      { name: 'id', type: 'string' },
      { name: 'x', type: 'int', default: 0 },
    ]);

    it('checks every earlier version by default (BACKWARD_TRANSITIVE)', async () => {
      await registry.register('test.Thing', a1);
      await registry.register('test.Thing', a2);
      await expect(registry.register('test.Thing', a3)).rejects.toMatchObject({
        code: 'SCHEMA_INCOMPATIBLE',
        againstVersion: 1,
      });
    });

    it('checks only the latest version when configured BACKWARD', async () => {
      const latestOnly = new SqliteSchemaRegistry(db, { compatibility: 'BACKWARD' });
      await latestOnly.register('test.Thing', a1);
      await latestOnly.register('test.Thing', a2);
      expect(await latestOnly.register('test.Thing', a3)).toBe(3);
    });
  });
});

describe('SqliteSchemaRegistry on a file', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'schema-registry-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps ids and versions across a restart and continues numbering after them', async () => {
    const file = path.join(dir, 'registry.db');
    const first = new Database(file);
    const before = new SqliteSchemaRegistry(first);
    const id1 = await before.register('test.Thing', v1);
    const id2 = await before.register('test.Other', other);
    first.close();

    const second = new Database(file);
    const after = new SqliteSchemaRegistry(second);
    expect(await after.register('test.Thing', v1)).toBe(id1);
    expect(await after.register('test.Other', other)).toBe(id2);
    expect(await after.register('test.Thing', v2)).toBe(3);
    expect(await after.getSchema(id1)).toBe(v1);
    second.close();
  });
});
