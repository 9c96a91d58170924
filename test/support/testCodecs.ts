import Database from 'better-sqlite3';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { isChatEventType } from '../../src/events/chatEvents.js';
import type { EventMetadata, EventPosition, RecordedEvent } from '../../src/events/envelope.js';
import type { EventCodec, EventToEncode } from '../../src/events/eventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import { payloadFields, type FieldSpec } from './eventPayloads.js';

/**
 * The real codec, as the service runs it: Avro in the Confluent wire format, schemas from schemas/events,
 * registered in an embedded registry on a private in-memory database (kept open for the life of the test
 * process: the codec reads every schema at creation and never touches the registry again). Prefer this one.
 */
export async function createTestCodec(): Promise<EventCodec> {
  return createAvroEventCodec(new SqliteSchemaRegistry(new Database(':memory:')));
}

/**
 * A codec for tests that need one synchronously. It is the JSON stand-in below, because the Avro codec can only
 * be created asynchronously (it reads schema files and registers them); tests that can await should use
 * createTestCodec().
 */
export function makeTestCodec(): EventCodec {
  return makeJsonTestCodec();
}

/**
 * TEST-ONLY stand-in for the Avro codec: the event (minus its place in the log) as UTF-8 JSON. It is not the wire
 * format, knows nothing of schema versions, and must never be wired into the service. Decoding checks every field
 * against the payload catalogue (eventPayloads.ts), so a log that mangles bytes fails loudly instead of returning a
 * wrong shape.
 */
export function makeJsonTestCodec(): EventCodec {
  return {
    encode(event: EventToEncode): Buffer {
      const { type, data, eventId, streamId, streamVersion, previousHash, metadata } = event;
      return Buffer.from(
        JSON.stringify({ type, data, eventId, streamId, streamVersion, previousHash, metadata }),
        'utf8',
      );
    },
    decode(bytes: Buffer, at: EventPosition): RecordedEvent {
      const value: unknown = JSON.parse(bytes.toString('utf8'));
      if (!isStoredEvent(value)) {
        throw new Error(`bytes at position ${at.position} of partition ${at.partition} are not an event`);
      }
      return { ...value, partition: at.partition, position: at.position };
    },
  };
}

/** Omit that keeps the union of event types apart (the built-in Omit merges the members). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
type StoredEvent = DistributiveOmit<RecordedEvent, 'partition' | 'position'>;

function isStoredEvent(value: unknown): value is StoredEvent {
  if (!isObject(value)) return false;
  const { type, data, eventId, streamId, streamVersion, previousHash, metadata } = value;
  return (
    typeof type === 'string' &&
    (previousHash === null || typeof previousHash === 'string') &&
    isChatEventType(type) &&
    typeof eventId === 'string' &&
    typeof streamId === 'string' &&
    typeof streamVersion === 'number' &&
    isMetadata(metadata) &&
    isObject(data) &&
    payloadFields(type).every(([field, spec]) => passes(spec, data[field]))
  );
}

/** Whether a value parsed from JSON has the shape the payload catalogue gives its field. */
function passes(spec: FieldSpec, value: unknown): boolean {
  if (typeof spec !== 'string') return typeof value === 'string' && spec.symbols.includes(value);
  switch (spec) {
    case 'string':
      return typeof value === 'string';
    case 'nullable string':
      return value === null || typeof value === 'string';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'optional boolean':
      return value === undefined || typeof value === 'boolean';
    case 'optional sealed':
      // The JSON stand-in cannot carry a sealed value's bytes (tests that seal use the Avro codec): only absence
      // passes.
      return value === undefined;
    case 'nullable integer':
      return value === null || Number.isSafeInteger(value);
    case 'optional attachments':
      return (
        value === undefined ||
        (Array.isArray(value) &&
          value.every(
            (item: unknown) =>
              isObject(item) &&
              typeof item.fileId === 'string' &&
              typeof item.name === 'string' &&
              typeof item.contentType === 'string' &&
              Number.isSafeInteger(item.size) &&
              typeof item.sha256 === 'string',
          ))
      );
    case 'delivery markers':
      return (
        Array.isArray(value) &&
        value.every((marker: unknown) => isObject(marker) && typeof marker.userId === 'string' && Number.isSafeInteger(marker.seq))
      );
    case 'strings':
      return Array.isArray(value) && value.every((item: unknown) => typeof item === 'string');
    case 'optional string':
      return value === undefined || typeof value === 'string';
    case 'optional string list':
      return value === undefined || (Array.isArray(value) && value.every((item: unknown) => typeof item === 'string'));
    default: {
      const unhandled: never = spec;
      throw new Error(`no JSON check for field spec ${String(unhandled)}`);
    }
  }
}

function isMetadata(value: unknown): value is EventMetadata {
  return (
    isObject(value) &&
    (value.actorId === null || typeof value.actorId === 'string') &&
    typeof value.commandId === 'string' &&
    typeof value.correlationId === 'string' &&
    typeof value.occurredAt === 'number'
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
