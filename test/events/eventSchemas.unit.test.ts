// Every schema in schemas/events carries the same flattened envelope and a `data` record that mirrors the payload
// type in chatEvents.ts. The payload table below is typed from chatEvents.ts, so it cannot drift from the code:
// a field added, removed or retyped there fails to compile here, and the test then holds the schemas to it.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { CHAT_EVENT_TYPES, isChatEventType, type ChatEvent, type ChatEventType } from '../../src/events/chatEvents.js';
import { defaultEventSchemasDir } from '../../src/events/avro/eventSchemaFiles.js';
import { AUDIT_READ_KINDS, ROOM_KINDS, ROOM_ROLES, USER_ROLES } from '../../src/events/avro/eventPayloadReaders.js';
import { parseAvroSchema } from '../../src/events/avro/parseAvroSchema.js';

type DataOf<K extends ChatEventType> = Extract<ChatEvent, { type: K }>['data'];
type FieldSpec<V> = [V] extends [string]
  ? string extends V
    ? 'string'
    : { enum: string; symbols: readonly V[] }
  : [V] extends [string | null]
    ? 'nullable string'
    : [V] extends [number]
      ? 'long'
      : [V] extends [boolean | undefined]
        ? 'boolean false by default'
        : [V] extends [object | undefined]
          ? 'nullable sealed value'
          : never;
type PayloadTable = { [K in ChatEventType]: { [F in keyof DataOf<K>]-?: FieldSpec<DataOf<K>[F]> } };

const userRole = { enum: 'UserRole', symbols: USER_ROLES } as const;
const roomKind = { enum: 'RoomKind', symbols: ROOM_KINDS } as const;
const roomRole = { enum: 'RoomRole', symbols: ROOM_ROLES } as const;

// Field order as declared in chatEvents.ts; the schemas keep the same order.
const payloads: PayloadTable = {
  UsernameClaimed: { username: 'string', userId: 'string' },
  UserRegistered: {
    userId: 'string',
    username: 'string',
    email: 'nullable string',
    displayName: 'string',
    passwordHash: 'string',
    role: userRole,
    sealedEmail: 'nullable sealed value',
    erased: 'boolean false by default',
  },
  UserRoleChanged: { userId: 'string', role: userRole, changedBy: 'string' },
  PersonalDataErased: { userId: 'string', erasedBy: 'string' },
  ProfileUpdated: { userId: 'string', displayName: 'string', statusText: 'string', avatarUrl: 'nullable string' },
  PasswordChanged: { userId: 'string', passwordHash: 'string' },
  FriendRequested: { from: 'string', to: 'string' },
  FriendRequestAccepted: { from: 'string', to: 'string' },
  FriendRequestRejected: { from: 'string', to: 'string' },
  FriendRequestCancelled: { from: 'string', to: 'string' },
  FriendRemoved: { removedBy: 'string', friendId: 'string' },
  AuditLogRead: {
    auditorId: 'string',
    kind: { enum: 'AuditReadKind', symbols: AUDIT_READ_KINDS },
    streamId: 'string',
    messageId: 'nullable string',
    fromVersion: 'long',
    limit: 'long',
    returned: 'long',
  },
  RoomCreated: { roomId: 'string', name: 'string', kind: roomKind, createdBy: 'string' },
  MemberJoined: { roomId: 'string', userId: 'string', role: roomRole, addedBy: 'nullable string' },
  MemberLeft: { roomId: 'string', userId: 'string' },
  MemberRemoved: { roomId: 'string', userId: 'string', removedBy: 'string' },
  MemberRoleChanged: { roomId: 'string', userId: 'string', role: roomRole, changedBy: 'string' },
  MessageSent: {
    roomId: 'string',
    messageId: 'string',
    senderId: 'string',
    text: 'string',
    clientMessageId: 'string',
    sealedText: 'nullable sealed value',
    erased: 'boolean false by default',
  },
  MessageEdited: {
    roomId: 'string',
    messageId: 'string',
    text: 'string',
    editedBy: 'string',
    sealedText: 'nullable sealed value',
    erased: 'boolean false by default',
  },
  MessageDeleted: { roomId: 'string', messageId: 'string', deletedBy: 'string' },
  MessagesDelivered: { userId: 'string', roomId: 'string', seq: 'long' },
  MessagesRead: { userId: 'string', roomId: 'string', seq: 'long' },
};

// [name, type, default (undefined: none)]
const envelope: [string, unknown, unknown][] = [
  ['eventId', 'string', undefined],
  ['streamId', 'string', undefined],
  ['streamVersion', 'long', undefined],
  ['occurredAt', { type: 'long', logicalType: 'timestamp-millis' }, undefined],
  ['actorId', ['null', 'string'], null],
  ['commandId', 'string', undefined],
  ['correlationId', 'string', undefined],
  ['previousHash', ['null', 'string'], null],
];

const fieldSchema = z.object({
  name: z.string(),
  type: z.unknown(),
  doc: z.string().min(1),
  default: z.unknown().optional(),
});
const recordSchema = z.object({
  type: z.literal('record'),
  name: z.string(),
  namespace: z.string().optional(),
  doc: z.string().min(1),
  fields: z.array(fieldSchema),
});
const enumSchema = z.object({
  type: z.literal('enum'),
  name: z.string(),
  doc: z.string().min(1),
  symbols: z.array(z.string()),
  default: z.string(),
});

const schemasDir = defaultEventSchemasDir();
const files = readdirSync(schemasDir).filter((name) => name.endsWith('.avsc'));

describe('schemas/events', () => {
  it('has exactly one schema file per event type', () => {
    expect(files.map((name) => name.replace(/\.avsc$/, '')).sort()).toEqual([...CHAT_EVENT_TYPES].sort());
  });

  describe.each(files)('%s', (file) => {
    const type = file.replace(/\.avsc$/, '');
    const text = readFileSync(path.join(schemasDir, file), 'utf8');

    it('is valid Avro', () => {
      expect(parseAvroSchema(text).name).toBe(`chat.events.${type}`);
    });

    it('is a documented record named after its type in chat.events', () => {
      const schema = recordSchema.parse(JSON.parse(text));
      expect(schema.name).toBe(type);
      expect(schema.namespace).toBe('chat.events');
    });

    it('carries the envelope fields, then data', () => {
      const { fields } = recordSchema.parse(JSON.parse(text));
      expect(fields.map((field) => field.name)).toEqual([...envelope.map(([name]) => name), 'data']);
      for (const [name, fieldType, defaultValue] of envelope) {
        const field = fields.find((candidate) => candidate.name === name);
        expect(field?.type, name).toEqual(fieldType);
        expect(field?.default, name).toEqual(defaultValue);
      }
    });

    it('has a data record that mirrors the payload type in chatEvents.ts', () => {
      if (!isChatEventType(type)) {
        throw new Error(`${type} is not in the event catalogue`);
      }
      const dataField = recordSchema.parse(JSON.parse(text)).fields.find((field) => field.name === 'data');
      const data = recordSchema.parse(dataField?.type);
      expect(data.name).toBe(`${type}Data`);
      expect(data.namespace).toBeUndefined();

      const expected: Record<
        string,
        | 'string'
        | 'nullable string'
        | 'long'
        | 'boolean false by default'
        | 'nullable sealed value'
        | { enum: string; symbols: readonly string[] }
      > = payloads[type];
      expect(data.fields.map((field) => field.name)).toEqual(Object.keys(expected));
      for (const field of data.fields) {
        const spec = expected[field.name];
        if (spec === 'string') {
          expect(field.type, field.name).toBe('string');
          expect(field.default, field.name).toBeUndefined();
        } else if (spec === 'long') {
          expect(field.type, field.name).toBe('long');
          expect(field.default, field.name).toBeUndefined();
        } else if (spec === 'boolean false by default') {
          expect(field.type, field.name).toBe('boolean');
          expect(field.default, field.name).toBe(false);
        } else if (spec === 'nullable sealed value') {
          // The crypto-shredding record (src/privacy): who holds the key, and AES-GCM's iv, ciphertext and tag.
          expect(field.default, field.name).toBeNull();
          const [nullBranch, sealed] = z.tuple([z.literal('null'), recordSchema]).parse(field.type);
          expect(nullBranch).toBe('null');
          expect(sealed.name, field.name).toBe('SealedValue');
          expect(sealed.fields.map((f) => [f.name, f.type])).toEqual([
            ['keyOwner', 'string'],
            ['iv', 'bytes'],
            ['ciphertext', 'bytes'],
            ['tag', 'bytes'],
          ]);
        } else if (spec === 'nullable string') {
          expect(field.type, field.name).toEqual(['null', 'string']);
          expect(field.default, field.name).toBeNull();
        } else if (spec !== undefined) {
          const avroEnum = enumSchema.parse(field.type);
          expect(avroEnum.name, field.name).toBe(spec.enum);
          expect(avroEnum.symbols, field.name).toEqual([...spec.symbols]);
          expect(avroEnum.symbols, field.name).toContain(avroEnum.default);
          expect(field.default, field.name).toBeUndefined();
        } else {
          throw new Error(`unexpected field ${field.name}`);
        }
      }
    });
  });

  it('gives each shared enum the same definition (and default) in every schema', () => {
    const definitions = new Map<string, string>();
    for (const file of files) {
      const text = readFileSync(path.join(schemasDir, file), 'utf8');
      const dataField = recordSchema.parse(JSON.parse(text)).fields.find((field) => field.name === 'data');
      for (const field of recordSchema.parse(dataField?.type).fields) {
        const avroEnum = enumSchema.safeParse(field.type);
        if (!avroEnum.success) continue;
        const definition = JSON.stringify(avroEnum.data);
        expect(definitions.get(avroEnum.data.name) ?? definition, `${file}: ${avroEnum.data.name}`).toBe(definition);
        definitions.set(avroEnum.data.name, definition);
      }
    }
    expect([...definitions.keys()].sort()).toEqual(['AuditReadKind', 'RoomKind', 'RoomRole', 'UserRole']);
  });
});
