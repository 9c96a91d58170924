import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { EventDecodeError } from '../../src/events/eventCodecErrors.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import { sampleEvents } from '../support/sampleEvents.js';
import { currentSchema, schemasDirWith, withFieldAdded, withFieldRemoved } from './schemaEvolution.js';

const at = { partition: 0, position: 9 };

function decodeFailure(run: () => unknown): EventDecodeError {
  try {
    run();
  } catch (error) {
    if (error instanceof EventDecodeError) return error;
    throw error;
  }
  throw new Error('expected an EventDecodeError');
}

// A rolling upgrade: a newer process registers a new version and writes with it while older processes still read.
// Their codecs loaded every version at start; refresh() is how they learn the new id.
describe('Avro codec refresh: versions registered by another process after start', () => {
  let db: Database.Database;
  let registry: SqliteSchemaRegistry;

  beforeEach(() => {
    db = new Database(':memory:');
    registry = new SqliteSchemaRegistry(db);
  });
  afterEach(() => db.close());

  it('does not know a newer version until refreshed, then reads its events into its own shape', async () => {
    const older = await createAvroEventCodec(registry);
    const newerSchema = withFieldAdded(currentSchema('MessageSent'), 'MessageSentData', {
      name: 'fieldFromTheFuture',
      type: ['null', 'string'],
      default: null,
    });
    const newer = await createAvroEventCodec(registry, { schemasDir: schemasDirWith('MessageSent', newerSchema) });
    const bytes = newer.encode(sampleEvents.MessageSent);
    const newId = bytes.readUInt32BE(1);

    const before = decodeFailure(() => older.decode(bytes, at));
    expect(before.schemaId).toBe(newId);
    expect(before.reason).toContain(`unknown schema id ${newId}`);

    expect(await older.refresh()).toEqual([newId]);
    // The field only the newer schema has is dropped: the older process sees the event as it knows it.
    expect(older.decode(bytes, at)).toStrictEqual({ ...sampleEvents.MessageSent, ...at });
    expect(await older.refresh()).toEqual([]);
  });

  it('leaves a newer version it cannot read unloaded and says why when such an event arrives', async () => {
    const older = await createAvroEventCodec(registry);
    // Backward compatible (the newer reader ignores the old field), but the older schema has no default for it.
    const newerSchema = withFieldRemoved(currentSchema('MessageSent'), 'MessageSentData', 'clientMessageId');
    const newer = await createAvroEventCodec(registry, { schemasDir: schemasDirWith('MessageSent', newerSchema) });
    const bytes = newer.encode(sampleEvents.MessageSent);
    const newId = bytes.readUInt32BE(1);

    expect(await older.refresh()).toEqual([]);
    const failure = decodeFailure(() => older.decode(bytes, at));
    expect(failure.schemaId).toBe(newId);
    expect(failure.reason).toContain(`schema id ${newId} is not readable here`);
    expect(failure.reason).toContain('chat.events.MessageSent');
    // Everything else still decodes.
    expect(older.decode(older.encode(sampleEvents.MessageSent), at)).toStrictEqual({ ...sampleEvents.MessageSent, ...at });
  });

  it('serves concurrent refreshes with one load', async () => {
    const codec = await createAvroEventCodec(registry);
    let listed = 0;
    const listVersions = registry.listVersions.bind(registry);
    registry.listVersions = (subject) => {
      listed += 1;
      return listVersions(subject);
    };
    await Promise.all([codec.refresh(), codec.refresh(), codec.refresh()]);
    const perRefresh = listed;
    await codec.refresh();
    expect(listed).toBe(perRefresh * 2);
  });
});
