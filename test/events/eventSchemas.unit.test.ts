// Every schema in schemas/events carries the same flattened envelope and a `data` record that mirrors the payload
// type in chatEvents.ts. What each payload holds comes from the tests' payload catalogue (test/support/
// eventPayloads.ts), which is typed from chatEvents.ts, so it cannot drift from the code: a field added, removed or
// retyped there fails to compile, and this test then holds the schemas to it.

import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';

import { CHAT_EVENT_TYPES, isChatEventType } from '../../src/events/chatEvents.js';
import { defaultEventSchemasDir } from '../../src/events/avro/eventSchemaFiles.js';
import { parseAvroSchema } from '../../src/events/avro/parseAvroSchema.js';
import { payloadFields, type FieldSpec } from '../support/eventPayloads.js';

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

      const expected = new Map(payloadFields(type));
      expect(data.fields.map((field) => field.name)).toEqual([...expected.keys()]);
      for (const field of data.fields) {
        const spec = expected.get(field.name);
        if (spec === undefined) throw new Error(`unexpected field ${field.name}`);
        expectAvroField(field, spec);
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

/** Holds one field of a schema's data record to what the payload catalogue says the field holds. */
function expectAvroField(field: z.infer<typeof fieldSchema>, spec: FieldSpec): void {
  if (typeof spec !== 'string') {
    const avroEnum = enumSchema.parse(field.type);
    expect(avroEnum.name, field.name).toBe(spec.enum);
    expect(avroEnum.symbols, field.name).toEqual([...spec.symbols]);
    expect(avroEnum.symbols, field.name).toContain(avroEnum.default);
    expect(field.default, field.name).toBeUndefined();
    return;
  }
  switch (spec) {
    case 'string':
      expect(field.type, field.name).toBe('string');
      expect(field.default, field.name).toBeUndefined();
      return;
    case 'nullable string':
      expect(field.type, field.name).toEqual(['null', 'string']);
      expect(field.default, field.name).toBeNull();
      return;
    case 'integer':
      expect(field.type, field.name).toBe('long');
      expect(field.default, field.name).toBeUndefined();
      return;
    case 'optional boolean':
      // Absent in the payload means false: the default is also what a reader fills in for events written without it.
      expect(field.type, field.name).toBe('boolean');
      expect(field.default, field.name).toBe(false);
      return;
    case 'optional sealed': {
      // The crypto-shredding record (src/privacy): who holds the key, and AES-GCM's iv, ciphertext and tag.
      expect(field.default, field.name).toBeNull();
      // A second sealed field of one schema names the record the first one defined (Avro defines a name once).
      const reference = z.tuple([z.literal('null'), z.literal('SealedValue')]).safeParse(field.type);
      if (reference.success) return;
      const [nullBranch, sealed] = z.tuple([z.literal('null'), recordSchema]).parse(field.type);
      expect(nullBranch).toBe('null');
      expect(sealed.name, field.name).toBe('SealedValue');
      expect(sealed.fields.map((f) => [f.name, f.type])).toEqual([
        ['keyOwner', 'string'],
        ['iv', 'bytes'],
        ['ciphertext', 'bytes'],
        ['tag', 'bytes'],
      ]);
      return;
    }
    case 'nullable integer':
      expect(field.type, field.name).toEqual(['null', 'long']);
      expect(field.default, field.name).toBeNull();
      return;
    case 'optional attachments': {
      // The files a message carries (issue #16): absent means none, so events from before attachments read as [].
      expect(field.default, field.name).toEqual([]);
      const array = z.object({ type: z.literal('array'), items: recordSchema }).parse(field.type);
      expect(array.items.name, field.name).toBe('AttachmentRef');
      expect(array.items.fields.map((f) => [f.name, f.type])).toEqual([
        ['fileId', 'string'],
        ['name', 'string'],
        ['contentType', 'string'],
        ['size', 'long'],
        ['sha256', 'string'],
        ['width', ['null', 'long']],
        ['height', ['null', 'long']],
        ['thumbnail', 'boolean'],
      ]);
      return;
    }
    case 'delivery markers': {
      // Each member's marker in a room's delivery report (src/commands/deliveries).
      expect(field.default, field.name).toBeUndefined();
      const array = z.object({ type: z.literal('array'), items: recordSchema }).parse(field.type);
      expect(array.items.name, field.name).toBe('DeliveryMarker');
      expect(array.items.fields.map((f) => [f.name, f.type])).toEqual([
        ['userId', 'string'],
        ['seq', 'long'],
      ]);
      return;
    }
    case 'strings': {
      expect(field.default, field.name).toBeUndefined();
      expect(field.type, field.name).toEqual({ type: 'array', items: 'string' });
      return;
    }
    case 'optional string':
      // Absent in the payload is null in Avro: the default a reader fills in for events written before the field.
      expect(field.type, field.name).toEqual(['null', 'string']);
      expect(field.default, field.name).toBeNull();
      return;
    case 'optional string list':
      expect(field.type, field.name).toEqual({ type: 'array', items: 'string' });
      expect(field.default, field.name).toEqual([]);
      return;
    default: {
      const unhandled: never = spec;
      throw new Error(`no Avro expectation for field spec ${String(unhandled)}`);
    }
  }
}
