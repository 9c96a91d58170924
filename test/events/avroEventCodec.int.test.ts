import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import avro from 'avsc';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { CHAT_EVENT_TYPES } from '../../src/events/chatEvents.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { defaultEventSchemasDir } from '../../src/events/avro/eventSchemaFiles.js';
import { parseAvroSchema } from '../../src/events/avro/parseAvroSchema.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { EventDecodeError, EventEncodeError } from '../../src/events/eventCodecErrors.js';
import { eventSubject } from '../../src/events/registry/schemaRegistry.js';
import { SchemaIncompatibleError, SchemaInvalidError } from '../../src/events/registry/schemaRegistryErrors.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import { GENESIS_HASH } from '../../src/events/hashChain.js';
import { sampleEvents } from '../support/sampleEvents.js';
import { withFieldRemoved } from './schemaEvolution.js';

const timestamp = { type: 'long', logicalType: 'timestamp-millis' };
const stringField = (name: string) => ({ name, type: 'string' });

/** MessageSent as it might once have been: no actorId yet, and a `format` field since dropped. */
const oldMessageSent = {
  type: 'record',
  name: 'MessageSent',
  namespace: 'chat.events',
  fields: [
    stringField('eventId'),
    stringField('streamId'),
    { name: 'streamVersion', type: 'long' },
    { name: 'occurredAt', type: timestamp },
    stringField('commandId'),
    stringField('correlationId'),
    {
      name: 'data',
      type: {
        type: 'record',
        name: 'MessageSentData',
        fields: ['roomId', 'messageId', 'senderId', 'text', 'clientMessageId', 'format'].map(stringField),
      },
    },
  ],
};

/** RoomCreated from a version that had a room kind the current schema no longer knows. */
const oldRoomCreated = {
  type: 'record',
  name: 'RoomCreated',
  namespace: 'chat.events',
  fields: [
    stringField('eventId'),
    stringField('streamId'),
    { name: 'streamVersion', type: 'long' },
    { name: 'occurredAt', type: timestamp },
    { name: 'actorId', type: ['null', 'string'], default: null },
    stringField('commandId'),
    stringField('correlationId'),
    {
      name: 'data',
      type: {
        type: 'record',
        name: 'RoomCreatedData',
        fields: [
          stringField('roomId'),
          stringField('name'),
          {
            name: 'kind',
            type: { type: 'enum', name: 'RoomKind', symbols: ['public', 'private', 'direct', 'broadcast'] },
          },
          stringField('createdBy'),
        ],
      },
    },
  ],
};

/** Confluent framing written by hand, so the test does not trust the codec to frame old data. */
function frame(schemaId: number, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.writeUInt32BE(schemaId, 1);
  return Buffer.concat([header, body]);
}

function expectDecodeError(codec: EventCodec, bytes: Buffer, reasonPart: string): void {
  let caught: unknown;
  try {
    codec.decode(bytes, { partition: 0, position: 1 });
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(EventDecodeError);
  if (caught instanceof EventDecodeError) {
    expect(caught.code).toBe('EVENT_DECODE_FAILED');
    expect(caught.reason).toContain(reasonPart);
  }
}

describe('Avro event codec on a SQLite schema registry', () => {
  let dir: string;
  let dbFile: string;
  let db: Database.Database;
  let registry: SqliteSchemaRegistry;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'avro-codec-'));
    dbFile = path.join(dir, 'chat.db');
    db = new Database(dbFile);
    registry = new SqliteSchemaRegistry(db);
  });

  afterEach(() => {
    if (db.open) db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it.each(CHAT_EVENT_TYPES)('round-trips %s', async (type) => {
    const codec = await createAvroEventCodec(registry);
    const event = sampleEvents[type];
    // The place is the log's, not part of the bytes: the codec puts back whatever it is given.
    expect(codec.decode(codec.encode(event), { partition: 5, position: 42 })).toStrictEqual({
      ...event,
      partition: 5,
      position: 42,
    });
  });

  it('round-trips null and non-null values of every nullable field', async () => {
    const codec = await createAvroEventCodec(registry);
    const joined = sampleEvents.MemberJoined;
    const variants = [
      { ...joined, metadata: { ...joined.metadata, actorId: null }, data: { ...joined.data, addedBy: 'u-bob' } },
      { ...sampleEvents.UserRegistered, data: { ...sampleEvents.UserRegistered.data, email: null } },
    ];
    for (const event of variants) {
      expect(codec.decode(codec.encode(event), { partition: 0, position: 7 })).toStrictEqual({
        ...event,
        partition: 0,
        position: 7,
      });
    }
  });

  it("round-trips a reply's place in its thread and its mentions, and reads a message without them as having none", async () => {
    const codec = await createAvroEventCodec(registry);
    const sent = sampleEvents.MessageSent;
    const { roomId } = sent.data;
    const reply = {
      ...sent,
      data: { ...sent.data, replyTo: `${roomId}.2`, threadId: `${roomId}.1`, mentions: ['u-bob', 'u-carol'] },
    };
    expect(codec.decode(codec.encode(reply), { partition: 0, position: 8 })).toStrictEqual({ ...reply, partition: 0, position: 8 });
    const plain = codec.decode(codec.encode(sent), { partition: 0, position: 9 });
    expect(plain.type === 'MessageSent' && Object.keys(plain.data)).not.toContain('mentions');
  });

  it('keeps occurredAt as epoch milliseconds, including far-future and pre-1970 instants', async () => {
    const codec = await createAvroEventCodec(registry);
    for (const occurredAt of [0, -86_400_000, Date.UTC(9999, 11, 31), 8.64e15]) {
      const event = { ...sampleEvents.MessageSent, metadata: { ...sampleEvents.MessageSent.metadata, occurredAt } };
      expect(codec.decode(codec.encode(event), { partition: 0, position: 1 }).metadata.occurredAt).toBe(occurredAt);
    }
  });

  it('encodes events larger than its scratch buffer', async () => {
    const codec = await createAvroEventCodec(registry);
    const text = '🦊'.repeat(50_000);
    const event = { ...sampleEvents.MessageSent, data: { ...sampleEvents.MessageSent.data, text } };
    expect(codec.decode(codec.encode(event), { partition: 0, position: 1 })).toStrictEqual({
      ...event,
      partition: 0,
      position: 1,
    });
    expect(codec.decode(codec.encode(sampleEvents.MessageEdited), { partition: 0, position: 2 })).toStrictEqual({
      ...sampleEvents.MessageEdited,
      partition: 0,
      position: 2,
    });
  });

  it('writes the Confluent wire format: magic byte 0, the registered id, then the Avro body', async () => {
    const codec = await createAvroEventCodec(registry);
    const bytes = codec.encode(sampleEvents.MessageSent);
    const [registered] = await registry.listVersions(eventSubject('MessageSent'));
    expect(bytes[0]).toBe(0);
    expect(bytes.readUInt32BE(1)).toBe(registered?.id);

    // Any Avro reader with the registered schema reads the body, with occurredAt as a standard long.
    const plain = avro.Type.forSchema(JSON.parse(registered?.schema ?? ''));
    expect(plain.fromBuffer(bytes.subarray(5))).toMatchObject({
      eventId: 'evt-8',
      occurredAt: sampleEvents.MessageSent.metadata.occurredAt,
      data: { text: sampleEvents.MessageSent.data.text },
    });
  });

  it('registers every event type under chat.events.<Type> with the file text', async () => {
    await createAvroEventCodec(registry);
    const all = await registry.allSchemas();
    expect(all.map((schema) => schema.subject).sort()).toEqual(CHAT_EVENT_TYPES.map(eventSubject).sort());
    expect(new Set(all.map((schema) => schema.id)).size).toBe(CHAT_EVENT_TYPES.length);
  });

  it('keeps schema ids stable across a restart, and still reads what was written before it', async () => {
    const first = await createAvroEventCodec(registry);
    const written = CHAT_EVENT_TYPES.map((type) => first.encode(sampleEvents[type]));
    db.close();

    db = new Database(dbFile);
    registry = new SqliteSchemaRegistry(db);
    const second = await createAvroEventCodec(registry);
    CHAT_EVENT_TYPES.forEach((type, i) => {
      const again = second.encode(sampleEvents[type]);
      expect(again.readUInt32BE(1), type).toBe(written[i]?.readUInt32BE(1));
      expect(second.decode(written[i] ?? Buffer.alloc(0), { partition: 0, position: i + 1 })).toStrictEqual({
        ...sampleEvents[type],
        partition: 0,
        position: i + 1,
      });
    });
    expect(await registry.allSchemas()).toHaveLength(CHAT_EVENT_TYPES.length);
  });

  it('decodes data written with an older schema version into the current shape', async () => {
    const oldType = parseAvroSchema(JSON.stringify(oldMessageSent));
    const oldId = await registry.register(eventSubject('MessageSent'), JSON.stringify(oldMessageSent));
    const oldBytes = frame(
      oldId,
      oldType.toBuffer({
        eventId: 'evt-old',
        streamId: 'room-r1',
        streamVersion: 3,
        occurredAt: 1_600_000_000_000,
        commandId: 'cmd-old',
        correlationId: 'corr-old',
        data: {
          roomId: 'r1',
          messageId: 'r1:3',
          senderId: 'u-bob',
          text: 'from 2020',
          clientMessageId: 'c-9',
          format: 'markdown',
        },
      }),
    );

    const codec = await createAvroEventCodec(registry);
    const versions = await registry.listVersions(eventSubject('MessageSent'));
    expect(versions.map((v) => v.version)).toEqual([1, 2]);
    expect(codec.encode(sampleEvents.MessageSent).readUInt32BE(1)).toBe(versions[1]?.id);

    expect(codec.decode(oldBytes, { partition: 3, position: 99 })).toStrictEqual({
      type: 'MessageSent',
      eventId: 'evt-old',
      streamId: 'room-r1',
      streamVersion: 3,
      partition: 3,
      position: 99,
      previousHash: null,
      metadata: { actorId: null, commandId: 'cmd-old', correlationId: 'corr-old', occurredAt: 1_600_000_000_000 },
      data: { roomId: 'r1', messageId: 'r1:3', senderId: 'u-bob', text: 'from 2020', clientMessageId: 'c-9' },
    });
  });

  // Logs written before hash chains existed hold bytes without previousHash: they must still decode, as null.
  it.each(CHAT_EVENT_TYPES)('decodes a %s written before previousHash existed, with previousHash null', async (type) => {
    const current: unknown = JSON.parse(readFileSync(path.join(defaultEventSchemasDir(), `${type}.avsc`), 'utf8'));
    const beforeChains = JSON.stringify(withFieldRemoved(current, type, 'previousHash'));
    expect(beforeChains).not.toContain('previousHash');
    const oldId = await registry.register(eventSubject(type), beforeChains);
    // The old writer has no previousHash field, so whatever the sample holds there is not written.
    const { metadata, ...rest } = { ...sampleEvents[type], previousHash: GENESIS_HASH };
    const oldBytes = frame(oldId, parseAvroSchema(beforeChains).toBuffer({ ...rest, ...metadata }));

    const codec = await createAvroEventCodec(registry);
    expect(codec.encode(sampleEvents[type]).readUInt32BE(1)).not.toBe(oldId);
    expect(codec.decode(oldBytes, { partition: 0, position: 7 })).toStrictEqual({
      ...sampleEvents[type],
      previousHash: null,
      partition: 0,
      position: 7,
    });
  });

  it('reads an enum symbol the current schema dropped as the enum default (a room kind becomes private)', async () => {
    const oldType = parseAvroSchema(JSON.stringify(oldRoomCreated));
    const oldId = await registry.register(eventSubject('RoomCreated'), JSON.stringify(oldRoomCreated));
    const { metadata, ...event } = sampleEvents.RoomCreated;
    const oldBytes = frame(
      oldId,
      oldType.toBuffer({ ...event, ...metadata, data: { ...event.data, kind: 'broadcast' } }),
    );
    const codec = await createAvroEventCodec(registry);
    expect(codec.decode(oldBytes, { partition: 0, position: 1 })).toStrictEqual({
      ...sampleEvents.RoomCreated,
      data: { ...sampleEvents.RoomCreated.data, kind: 'private' },
      // That old version had no previousHash either.
      previousHash: null,
      partition: 0,
      position: 1,
    });
  });

  it('refuses to start when a schema file cannot read a registered version', async () => {
    await createAvroEventCodec(registry);
    const schemasDir = path.join(dir, 'schemas');
    cpSync(defaultEventSchemasDir(), schemasDir, { recursive: true });
    const incompatible = {
      type: 'record',
      name: 'MessageDeleted',
      namespace: 'chat.events',
      fields: [stringField('eventId'), stringField('reason')],
    };
    writeFileSync(path.join(schemasDir, 'MessageDeleted.avsc'), JSON.stringify(incompatible));
    await expect(createAvroEventCodec(registry, { schemasDir })).rejects.toBeInstanceOf(SchemaIncompatibleError);
    await expect(createAvroEventCodec(registry, { schemasDir })).rejects.toMatchObject({
      subject: 'chat.events.MessageDeleted',
    });
  });

  it('refuses to start when a schema file is missing or names the wrong record', async () => {
    const schemasDir = path.join(dir, 'schemas');
    cpSync(defaultEventSchemasDir(), schemasDir, { recursive: true });
    rmSync(path.join(schemasDir, 'MemberLeft.avsc'));
    await expect(createAvroEventCodec(registry, { schemasDir })).rejects.toBeInstanceOf(SchemaInvalidError);

    cpSync(path.join(defaultEventSchemasDir(), 'MemberRemoved.avsc'), path.join(schemasDir, 'MemberLeft.avsc'));
    await expect(createAvroEventCodec(registry, { schemasDir })).rejects.toMatchObject({
      code: 'SCHEMA_INVALID',
      reason: expect.stringContaining('expected chat.events.MemberLeft'),
    });
  });

  describe('given bytes it cannot read', () => {
    let codec: EventCodec;
    let good: Buffer;

    beforeEach(async () => {
      codec = await createAvroEventCodec(registry);
      good = codec.encode(sampleEvents.MessageSent);
    });

    it('rejects input shorter than the header', () => {
      expectDecodeError(codec, Buffer.alloc(0), 'shorter than the 5-byte header');
      expectDecodeError(codec, good.subarray(0, 3), 'shorter than the 5-byte header');
    });

    it('rejects a wrong magic byte', () => {
      const bytes = Buffer.from(good);
      bytes[0] = 1;
      expectDecodeError(codec, bytes, 'magic byte is 1');
    });

    it('rejects an unknown schema id, naming it', () => {
      const bytes = Buffer.from(good);
      bytes.writeUInt32BE(987_654, 1);
      expectDecodeError(codec, bytes, 'unknown schema id 987654');
    });

    it('rejects a truncated body', () => {
      expectDecodeError(codec, good.subarray(0, good.length - 3), 'truncated');
      expectDecodeError(codec, good.subarray(0, 5), 'truncated');
    });

    it('rejects trailing bytes after the body', () => {
      expectDecodeError(codec, Buffer.concat([good, Buffer.from([0])]), 'unexpected bytes');
    });

    it('rejects a corrupt body', () => {
      // The envelope up to actorId, whose union branch index is then 7: there is no such branch.
      const prefix = avro.Type.forSchema({
        type: 'record',
        name: 'Prefix',
        fields: [
          stringField('eventId'),
          stringField('streamId'),
          { name: 'streamVersion', type: 'long' },
          { name: 'occurredAt', type: 'long' },
          { name: 'actorBranch', type: 'long' },
        ],
      });
      const body = prefix.toBuffer({ eventId: 'e', streamId: 's', streamVersion: 1, occurredAt: 0, actorBranch: 7 });
      expectDecodeError(codec, frame(good.readUInt32BE(1), body), 'corrupt Avro body: invalid union index: 7');
    });
  });

  it('refuses to encode a value its schema cannot hold, naming the field but not the value', async () => {
    const codec = await createAvroEventCodec(registry);
    const event = { ...sampleEvents.UserRegistered, streamVersion: 1.5 };
    let caught: unknown;
    try {
      codec.encode(event);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EventEncodeError);
    if (caught instanceof EventEncodeError) {
      expect(caught.code).toBe('EVENT_ENCODE_FAILED');
      expect(caught.reason).toBe('invalid value at streamVersion');
      expect(caught.message).not.toContain('argon2');
    }
  });
});
