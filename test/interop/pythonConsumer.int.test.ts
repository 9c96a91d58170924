import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin, type Producer } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';

import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { CHAT_EVENT_TYPES } from '../../src/events/chatEvents.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { ConfluentSchemaRegistry } from '../../src/events/registry/confluentSchemaRegistry.js';
import { describeWithServices } from '../support/realServices.js';
import { sampleEvents } from '../support/sampleEvents.js';
import { deleteSubjects, subjectsWithPrefix, uniqueSubjectPrefix } from '../support/schemaRegistry.js';
import { consumeWithPython, interopPython, type ConsumedRecord } from './pythonInterop.js';

// Issue 4, item 7: a third party reads our events with Confluent's own Python client (confluent-kafka's
// DeserializingConsumer and AvroDeserializer, from PyPI) and gets the fields the service wrote. Passing proves the
// bytes are the standard Confluent wire format and the schemas in the registry are the ones the bytes name.

describeWithServices(
  "Confluent's Python client reads the events the service writes",
  ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL'],
  (env) => {
    const brokers = env('KAFKA_BROKERS');
    const registryUrl = env('SCHEMA_REGISTRY_URL');
    const topic = `interop-${randomUUID()}`;
    const subjectPrefix = uniqueSubjectPrefix('interop');
    const kafka = new Kafka({
      clientId: 'interop-test',
      brokers: brokers.split(','),
      logLevel: logLevel.NOTHING,
      connectionTimeout: 5000,
      requestTimeout: 10_000,
    });
    let admin: Admin | undefined;
    let producer: Producer | undefined;
    let codec: EventCodec;
    let python: string;

    beforeAll(async () => {
      // A cold venv is a pip install from PyPI (about 15 s here); a warm one is a hash comparison.
      python = await interopPython((line) => console.log(`[interop] ${line}`));
      codec = await createAvroEventCodec(new ConfluentSchemaRegistry({ url: registryUrl }), { subjectPrefix });
      admin = kafka.admin();
      await admin.connect();
      // Three partitions, so the reader has to find every partition's events, as a real consumer of our topic would.
      await admin.createTopics({ topics: [{ topic, numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
      producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
    }, 300_000);

    afterAll(async () => {
      await producer?.disconnect();
      await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
      await admin?.disconnect();
      await deleteSubjects(registryUrl, await subjectsWithPrefix(registryUrl, subjectPrefix));
    });

    it('decodes one event of every type into the fields the service wrote', async () => {
      const events = CHAT_EVENT_TYPES.map((type) => sampleEvents[type]);
      await producer?.send({
        topic,
        acks: -1,
        messages: events.map((event) => ({ key: event.streamId, value: codec.encode(event) })),
      });

      const records = await consumeWithPython(python, { brokers, registryUrl, topic, timeoutSeconds: 60 });

      expect(records).toHaveLength(events.length);
      const byEventId = new Map(records.map((record) => [eventIdOf(record), record]));
      for (const event of events) {
        const record = byEventId.get(event.eventId);
        expect(record, `${event.type} (${event.eventId}) was not read by the Python client`).toBeDefined();
        if (record === undefined) continue;
        expect(record.key).toBe(event.streamId);
        const { occurredAt, ...value } = asObject(record.value);
        // An Avro timestamp-millis arrives in Python as a datetime (the logical type was honoured); the script
        // prints it as ISO 8601 with its offset, which must name the same millisecond.
        expect(typeof occurredAt, event.type).toBe('string');
        expect(Date.parse(String(occurredAt)), event.type).toBe(event.metadata.occurredAt);
        expect(value, event.type).toStrictEqual({
          eventId: event.eventId,
          streamId: event.streamId,
          streamVersion: event.streamVersion,
          actorId: event.metadata.actorId,
          commandId: event.metadata.commandId,
          correlationId: event.metadata.correlationId,
          previousHash: event.previousHash,
          // Enums arrive as their symbols, nullable fields as null or the string: the same JSON as the service's.
          data: { ...event.data, ...storedDefaults(event) },
        });
      }
    });
  },
);

/**
 * The crypto-shredding fields the service leaves out of a payload when unset (src/privacy) are written with their
 * schema defaults, which a generic Avro reader shows: no sealed value (null), not erased (false), no attachments ([])
 * and no thumbnail (false); likewise a message that answers nothing and mentions nobody (replyTo and threadId null,
 * mentions []).
 */
function storedDefaults(event: { type: string; data: object }): Record<string, unknown> {
  if (event.type === 'MessageSent') {
    return { sealedText: null, erased: false, attachments: [], sealedNames: null, replyTo: null, threadId: null, mentions: [], ...event.data };
  }
  if (event.type === 'MessageEdited') return { sealedText: null, erased: false, ...event.data };
  if (event.type === 'FileUploaded') return { sealedName: null, erased: false, thumbnail: false, ...event.data };
  if (event.type === 'UserRegistered') return { sealedEmail: null, erased: false, ...event.data };
  return {};
}

function asObject(value: unknown): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new Error(`the Python client decoded ${JSON.stringify(value)}, not a record`);
  }
  return Object.fromEntries(Object.entries(value));
}

function eventIdOf(record: ConsumedRecord): unknown {
  return asObject(record.value).eventId;
}
