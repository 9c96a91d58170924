import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { SqliteSchemaRegistry } from '../../../src/events/registry/sqliteSchemaRegistry.js';
import {
  SchemaIncompatibleError,
  SchemaInvalidError,
  SchemaNotFoundError,
} from '../../../src/events/registry/schemaRegistryErrors.js';

type Field = { name: string; type: unknown; default?: unknown };
const record = (name: string, fields: Field[]): string =>
  JSON.stringify({ type: 'record', name, namespace: 'test', fields });

const v1 = record('Thing', [{ name: 'id', type: 'string' }]);
const v2 = record('Thing', [
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
]);
const other = record('Other', [{ name: 'id', type: 'string' }]);

describe('SqliteSchemaRegistry', () => {
  let db: Database.Database;
  let registry: SqliteSchemaRegistry;

  beforeEach(() => {
    db = new Database(':memory:');
    registry = new SqliteSchemaRegistry(db);
  });

  afterEach(() => {
    db.close();
  });

  it('hands out ids from 1 upwards, global across subjects', async () => {
    expect(await registry.register('test.Thing', v1)).toBe(1);
    expect(await registry.register('test.Other', other)).toBe(2);
    expect(await registry.register('test.Thing', v2)).toBe(3);
  });

  it('returns the same id for the same schema, whatever its whitespace or key order', async () => {
    const id = await registry.register('test.Thing', v1);
    const reformatted = JSON.stringify(
      { fields: [{ type: 'string', name: 'id' }], namespace: 'test', name: 'Thing', type: 'record' },
      null,
      2,
    );
    expect(await registry.register('test.Thing', v1)).toBe(id);
    expect(await registry.register('test.Thing', reformatted)).toBe(id);
    expect(await registry.listVersions('test.Thing')).toHaveLength(1);
  });

  it('gives a schema registered under a second subject its existing id, as a version of that subject', async () => {
    const id = await registry.register('test.Thing', v1);
    expect(await registry.register('topic-test.Thing', v1)).toBe(id);
    expect(await registry.listVersions('topic-test.Thing')).toEqual([
      { id, subject: 'topic-test.Thing', version: 1, schema: v1 },
    ]);
  });

  it('adds a compatible schema as the next version', async () => {
    const id1 = await registry.register('test.Thing', v1);
    const id2 = await registry.register('test.Thing', v2);
    expect(await registry.listVersions('test.Thing')).toEqual([
      { id: id1, subject: 'test.Thing', version: 1, schema: v1 },
      { id: id2, subject: 'test.Thing', version: 2, schema: v2 },
    ]);
    expect(await registry.getSchema(id1)).toBe(v1);
    expect(await registry.getSchema(id2)).toBe(v2);
  });

  it('returns an earlier version id when that version is registered again, without a new version', async () => {
    const id1 = await registry.register('test.Thing', v1);
    await registry.register('test.Thing', v2);
    expect(await registry.register('test.Thing', v1)).toBe(id1);
    expect(await registry.listVersions('test.Thing')).toHaveLength(2);
  });

  it('refuses an incompatible version with a typed error naming the subject, and stores nothing', async () => {
    await registry.register('test.Thing', v1);
    const incompatible = record('Thing', [
      { name: 'id', type: 'string' },
      { name: 'required', type: 'string' },
    ]);
    const error = await registry.register('test.Thing', incompatible).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    if (error instanceof SchemaIncompatibleError) {
      expect(error.code).toBe('SCHEMA_INCOMPATIBLE');
      expect(error.subject).toBe('test.Thing');
      expect(error.againstVersion).toBe(1);
      expect(error.reason).toContain('test.Thing.required');
      expect(error.message).toContain('test.Thing');
    }
    expect(await registry.listVersions('test.Thing')).toHaveLength(1);
    expect(await registry.register('test.Other', other)).toBe(2);
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

  it('refuses text that is not JSON or not Avro with SchemaInvalidError', async () => {
    await expect(registry.register('test.Thing', '{not json')).rejects.toBeInstanceOf(SchemaInvalidError);
    await expect(registry.register('test.Thing', '{"type":"record","name":"X"}')).rejects.toMatchObject({
      code: 'SCHEMA_INVALID',
      subject: 'test.Thing',
    });
    expect(await registry.allSchemas()).toEqual([]);
  });

  it('throws SchemaNotFoundError for an unknown id', async () => {
    await expect(registry.getSchema(42)).rejects.toBeInstanceOf(SchemaNotFoundError);
    await expect(registry.getSchema(42)).rejects.toMatchObject({ code: 'SCHEMA_NOT_FOUND', schemaId: 42 });
  });

  it('lists an unknown subject as empty and all schemas by subject then version', async () => {
    expect(await registry.listVersions('test.Nothing')).toEqual([]);
    await registry.register('test.Thing', v1);
    await registry.register('test.Other', other);
    await registry.register('test.Thing', v2);
    expect((await registry.allSchemas()).map(({ subject, version, id }) => [subject, version, id])).toEqual([
      ['test.Other', 1, 2],
      ['test.Thing', 1, 1],
      ['test.Thing', 2, 3],
    ]);
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
