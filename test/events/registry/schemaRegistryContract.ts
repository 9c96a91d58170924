// The SchemaRegistry contract: the embedded registry (SQLite) and the distributed one (a Confluent-compatible
// server) run this same suite, so the codec gets the same ids, versions and refusals whichever one the
// composition root picks. What only one adapter does (its id numbering, how many earlier versions it checks, its
// failure modes when the server is away) stays in that adapter's own test file.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { RegisteredSchema, SchemaRegistry } from '../../../src/events/registry/schemaRegistry.js';
import {
  SchemaIncompatibleError,
  SchemaInvalidError,
  SchemaNotFoundError,
} from '../../../src/events/registry/schemaRegistryErrors.js';

export interface SchemaRegistryUnderTest {
  registry: SchemaRegistry;
  /**
   * Put before every subject the suite names. A shared registry needs one no other test or run uses; everything
   * under it is this test's own, and `cleanup` removes it.
   */
  subjectPrefix: string;
  /** Another adapter on the same store, as a second process would open it (its own connection, no shared cache). */
  openAnother: () => SchemaRegistry;
  /** Closes what the fixture opened and removes whatever the test registered. */
  cleanup: () => Promise<void>;
}

type Field = { name: string; type: unknown; default?: unknown };

/** Compact JSON with the keys in the order Avro writes them, so a registry that keeps Avro's form keeps the text. */
export const record = (name: string, fields: Field[]): string =>
  JSON.stringify({ type: 'record', name, namespace: 'test', fields });

export const v1 = record('Thing', [{ name: 'id', type: 'string' }]);
/** Reads v1's data: the added field has a default. */
export const v2 = record('Thing', [
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
]);
export const other = record('Other', [{ name: 'id', type: 'string' }]);
/** Cannot read v1's data: the added field has no default. */
export const addsRequiredField = record('Thing', [
  { name: 'id', type: 'string' },
  { name: 'required', type: 'string' },
]);
/** Cannot read v2's data: `id` became an int. */
export const changesFieldType = record('Thing', [
  { name: 'id', type: 'int' },
  { name: 'note', type: ['null', 'string'], default: null },
]);

/** An id no registry in these tests reaches. */
const UNKNOWN_ID = 2_000_000_000;

export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function schemaRegistryContract(name: string, makeRegistry: () => Promise<SchemaRegistryUnderTest>): void {
  describe(`SchemaRegistry contract: ${name}`, () => {
    let registry: SchemaRegistry;
    let fixture: SchemaRegistryUnderTest;

    beforeEach(async () => {
      fixture = await makeRegistry();
      registry = fixture.registry;
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const subject = (name: string): string => `${fixture.subjectPrefix}${name}`;
    /** allSchemas() narrowed to this test's subjects (a shared registry holds others'). */
    const ours = async (): Promise<RegisteredSchema[]> =>
      (await registry.allSchemas()).filter((schema) => schema.subject.startsWith(fixture.subjectPrefix));

    describe('registering', () => {
      it('returns one id for one schema, however it is formatted, and keeps the text first registered', async () => {
        const s = subject('Idempotent');
        const id = await registry.register(s, v1);
        expect(await registry.register(s, v1)).toBe(id);
        const reformatted = JSON.stringify(
          { fields: [{ type: 'string', name: 'id' }], namespace: 'test', name: 'Thing', type: 'record' },
          null,
          2,
        );
        expect(await registry.register(s, reformatted)).toBe(id);
        expect(await registry.listVersions(s)).toEqual([{ id, subject: s, version: 1, schema: v1 }]);
      });

      it('adds a compatible schema as the next version with a new id; the last version listed is the latest', async () => {
        const s = subject('Evolution');
        const id1 = await registry.register(s, v1);
        const id2 = await registry.register(s, v2);
        expect(id2).not.toBe(id1);
        const versions = await registry.listVersions(s);
        expect(versions).toEqual([
          { id: id1, subject: s, version: 1, schema: v1 },
          { id: id2, subject: s, version: 2, schema: v2 },
        ]);
        expect(versions.at(-1)).toEqual({ id: id2, subject: s, version: 2, schema: v2 });
        expect(await registry.getSchema(id1)).toBe(v1);
        expect(await registry.getSchema(id2)).toBe(v2);
      });

      it('returns an earlier version id when that version is registered again, without a new version', async () => {
        const s = subject('Again');
        const id1 = await registry.register(s, v1);
        await registry.register(s, v2);
        expect(await registry.register(s, v1)).toBe(id1);
        expect(await registry.listVersions(s)).toHaveLength(2);
      });

      it('gives a schema registered under a second subject its existing id, as a version of that subject', async () => {
        const first = subject('Thing');
        const second = subject('topic.Thing');
        const id = await registry.register(first, v1);
        expect(await registry.register(second, v1)).toBe(id);
        expect(await registry.listVersions(second)).toEqual([{ id, subject: second, version: 1, schema: v1 }]);
        expect(await registry.listVersions(first)).toHaveLength(1);
      });

      it('gives different schemas different ids, in one subject and across subjects', async () => {
        const thing = subject('Thing');
        const ids = [
          await registry.register(thing, v1),
          await registry.register(subject('Other'), other),
          await registry.register(thing, v2),
        ];
        expect(new Set(ids).size).toBe(3);
      });
    });

    describe('refusing', () => {
      it('refuses a version that cannot read the latest (a field added without a default), storing nothing', async () => {
        const s = subject('Required');
        const id1 = await registry.register(s, v1);
        const error = await rejectionOf(registry.register(s, addsRequiredField));
        expect(error).toBeInstanceOf(SchemaIncompatibleError);
        if (error instanceof SchemaIncompatibleError) {
          expect(error.code).toBe('SCHEMA_INCOMPATIBLE');
          expect(error.subject).toBe(s);
          expect(error.message).toContain(s);
          expect(error.reason).not.toBe('');
        }
        expect(await registry.listVersions(s)).toEqual([{ id: id1, subject: s, version: 1, schema: v1 }]);
        // The refusal leaves the subject usable: a compatible version still goes in, as version 2.
        await registry.register(s, v2);
        expect((await registry.listVersions(s)).map((version) => version.version)).toEqual([1, 2]);
      });

      it("refuses a version that changes a field's type, naming the subject", async () => {
        const s = subject('Retyped');
        await registry.register(s, v1);
        await registry.register(s, v2);
        await expect(registry.register(s, changesFieldType)).rejects.toBeInstanceOf(SchemaIncompatibleError);
        await expect(registry.register(s, changesFieldType)).rejects.toMatchObject({
          code: 'SCHEMA_INCOMPATIBLE',
          subject: s,
          message: expect.stringContaining(s),
        });
        expect(await registry.listVersions(s)).toHaveLength(2);
      });

      it('refuses text that is not JSON or not Avro with SchemaInvalidError, storing nothing', async () => {
        const s = subject('Invalid');
        await expect(registry.register(s, '{not json')).rejects.toBeInstanceOf(SchemaInvalidError);
        const notAvro = await rejectionOf(registry.register(s, JSON.stringify({ type: 'record', name: 'X' })));
        expect(notAvro).toBeInstanceOf(SchemaInvalidError);
        expect(notAvro).toMatchObject({ code: 'SCHEMA_INVALID', subject: s });
        expect(await registry.listVersions(s)).toEqual([]);
        expect(await ours()).toEqual([]);
      });
    });

    describe('reading', () => {
      it('throws SchemaNotFoundError for an id nobody registered', async () => {
        await expect(registry.getSchema(UNKNOWN_ID)).rejects.toBeInstanceOf(SchemaNotFoundError);
        await expect(registry.getSchema(UNKNOWN_ID)).rejects.toMatchObject({
          code: 'SCHEMA_NOT_FOUND',
          schemaId: UNKNOWN_ID,
        });
      });

      it('lists a subject nobody registered as empty', async () => {
        expect(await registry.listVersions(subject('Nothing'))).toEqual([]);
      });

      it('lists every version of every subject, ordered by subject then version', async () => {
        const thing = subject('Thing');
        const otherSubject = subject('Other');
        const thing1 = await registry.register(thing, v1);
        const other1 = await registry.register(otherSubject, other);
        const thing2 = await registry.register(thing, v2);
        expect(await ours()).toEqual([
          { id: other1, subject: otherSubject, version: 1, schema: other },
          { id: thing1, subject: thing, version: 1, schema: v1 },
          { id: thing2, subject: thing, version: 2, schema: v2 },
        ]);
      });

      it('shows a second adapter on the same store the same ids, versions and texts, and each what the other adds', async () => {
        const s = subject('Shared');
        const id1 = await registry.register(s, v1);
        const another = fixture.openAnother();
        // Asked first, so the text comes from the store and not from whatever registering put in a cache.
        expect(await another.getSchema(id1)).toBe(v1);
        expect(await another.register(s, v1)).toBe(id1);
        const id2 = await another.register(s, v2);
        expect(id2).not.toBe(id1);
        expect(await registry.getSchema(id2)).toBe(v2);
        expect(await registry.listVersions(s)).toEqual(await another.listVersions(s));
        expect((await registry.listVersions(s)).map(({ id, version }) => [id, version])).toEqual([
          [id1, 1],
          [id2, 2],
        ]);
      });
    });
  });
}
