import { afterAll, beforeAll, expect, it } from 'vitest';

import { createAvroEventCodec, type RefreshableEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { parseAvroSchema } from '../../src/events/avro/parseAvroSchema.js';
import { CHAT_EVENT_TYPES } from '../../src/events/chatEvents.js';
import { ConfluentSchemaRegistry } from '../../src/events/registry/confluentSchemaRegistry.js';
import { prefixedEventSubject } from '../../src/events/registry/schemaRegistry.js';
import { SchemaIncompatibleError } from '../../src/events/registry/schemaRegistryErrors.js';
import { describeWithServices } from '../support/realServices.js';
import { sampleEvents } from '../support/sampleEvents.js';
import { deleteSubjects, subjectsWithPrefix, uniqueSubjectPrefix } from '../support/schemaRegistry.js';
import { currentSchema, schemasDirWith, withFieldAdded, withFieldType } from './schemaEvolution.js';

describeWithServices('Avro event codec on a Confluent-compatible registry', ['SCHEMA_REGISTRY_URL'], (env) => {
  const url = env('SCHEMA_REGISTRY_URL');
  const registry = new ConfluentSchemaRegistry({ url });
  const prefixes: string[] = [];
  const newPrefix = (label: string): string => {
    const prefix = uniqueSubjectPrefix(label);
    prefixes.push(prefix);
    return prefix;
  };
  const subjectPrefix = newPrefix('codec');
  let codec: RefreshableEventCodec;

  beforeAll(async () => {
    codec = await createAvroEventCodec(registry, { subjectPrefix });
  });

  afterAll(async () => {
    for (const prefix of prefixes) await deleteSubjects(url, await subjectsWithPrefix(url, prefix));
  });

  it.each(CHAT_EVENT_TYPES)('round-trips %s', (type) => {
    const event = sampleEvents[type];
    const at = { partition: 3, position: 17 };
    expect(codec.decode(codec.encode(event), at)).toStrictEqual({ ...event, ...at });
  });

  it('writes the id the registry gave the subject, and the registry returns that schema for it', async () => {
    for (const type of CHAT_EVENT_TYPES) {
      const bytes = codec.encode(sampleEvents[type]);
      expect(bytes[0]).toBe(0);
      const id = bytes.readUInt32BE(1);
      const [version] = await registry.listVersions(prefixedEventSubject(subjectPrefix, type));
      expect(version?.id, type).toBe(id);
      expect(parseAvroSchema(await new ConfluentSchemaRegistry({ url }).getSchema(id)).name).toBe(`chat.events.${type}`);
    }
  });

  it('gets the same ids in a second process starting on the same registry, so both write the same bytes', async () => {
    const second = await createAvroEventCodec(new ConfluentSchemaRegistry({ url }), { subjectPrefix });
    for (const type of CHAT_EVENT_TYPES) {
      expect(second.encode(sampleEvents[type]).equals(codec.encode(sampleEvents[type])), type).toBe(true);
    }
    for (const type of CHAT_EVENT_TYPES) {
      expect(await registry.listVersions(prefixedEventSubject(subjectPrefix, type)), type).toHaveLength(1);
    }
  });

  it('reads events of a version another process registered later, after refresh()', async () => {
    const prefix = newPrefix('refresh');
    const older = await createAvroEventCodec(new ConfluentSchemaRegistry({ url }), { subjectPrefix: prefix });
    const newerSchema = withFieldAdded(currentSchema('MessageSent'), 'MessageSentData', {
      name: 'fieldFromTheFuture',
      type: ['null', 'string'],
      default: null,
    });
    const newer = await createAvroEventCodec(new ConfluentSchemaRegistry({ url }), {
      subjectPrefix: prefix,
      schemasDir: schemasDirWith('MessageSent', newerSchema),
    });
    const bytes = newer.encode(sampleEvents.MessageSent);
    const newId = bytes.readUInt32BE(1);
    const at = { partition: 0, position: 1 };

    expect(() => older.decode(bytes, at)).toThrow(`unknown schema id ${newId}`);
    expect(await older.refresh()).toEqual([newId]);
    expect(older.decode(bytes, at)).toStrictEqual({ ...sampleEvents.MessageSent, ...at });
  });

  it('fails to start against a registry holding an incompatible earlier version, naming subject and reason', async () => {
    const prefix = newPrefix('incompatible');
    const subject = prefixedEventSubject(prefix, 'RoomCreated');
    // An earlier RoomCreated whose roomId was a long: today's schema (a string) cannot read its events.
    await registry.register(subject, JSON.stringify(withFieldType(currentSchema('RoomCreated'), 'roomId', 'long')));

    let failure: unknown;
    try {
      await createAvroEventCodec(new ConfluentSchemaRegistry({ url }), { subjectPrefix: prefix });
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(SchemaIncompatibleError);
    if (failure instanceof SchemaIncompatibleError) {
      expect(failure.subject).toBe(subject);
      expect(failure.message).toContain(subject);
      expect(failure.message).toContain('not backward compatible');
      expect(failure.reason.toUpperCase()).toMatch(/LONG/);
    }
    expect(await registry.listVersions(subject)).toHaveLength(1);
  });
});
