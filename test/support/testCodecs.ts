import Database from 'better-sqlite3';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { isChatEventType } from '../../src/events/chatEvents.js';
import type { ChatEventType } from '../../src/events/chatEvents.js';
import type { EventMetadata, EventPosition, RecordedEvent } from '../../src/events/envelope.js';
import type { EventCodec, EventToEncode } from '../../src/events/eventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import type { DataOf } from './sampleEvents.js';

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
 * against the event catalogue, so a log that mangles bytes fails loudly instead of returning a wrong shape.
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

/** How to check one payload field; derived from the field's type so the table cannot drift from the catalogue. */
type FieldCheck<V> = [V] extends [string]
  ? string extends V
    ? 'string'
    : readonly V[]
  : [V] extends [string | null]
    ? string extends Exclude<V, null>
      ? 'nullable string'
      : never
    : [V] extends [number]
      ? 'integer'
      : [V] extends [boolean | undefined]
        ? 'optional boolean'
        : [V] extends [object | undefined]
          ? 'optional sealed'
          : never;
type PayloadChecks = { [T in ChatEventType]: { [F in keyof DataOf<T>]-?: FieldCheck<DataOf<T>[F]> } };

const USER_ROLES = ['user', 'admin', 'auditor', 'analyst'] as const;
const ROOM_ROLES = ['owner', 'moderator', 'member'] as const;

const PAYLOAD_CHECKS: PayloadChecks = {
  UsernameClaimed: { username: 'string', userId: 'string' },
  UserRegistered: {
    userId: 'string',
    username: 'string',
    email: 'nullable string',
    displayName: 'string',
    passwordHash: 'string',
    role: USER_ROLES,
    sealedEmail: 'optional sealed',
    erased: 'optional boolean',
  },
  UserRoleChanged: { userId: 'string', role: USER_ROLES, changedBy: 'string' },
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
    kind: ['streamEvents', 'messageVersions'],
    streamId: 'string',
    messageId: 'nullable string',
    fromVersion: 'integer',
    limit: 'integer',
    returned: 'integer',
  },
  RoomCreated: { roomId: 'string', name: 'string', kind: ['public', 'private', 'direct'], createdBy: 'string' },
  MemberJoined: { roomId: 'string', userId: 'string', role: ROOM_ROLES, addedBy: 'nullable string' },
  MemberLeft: { roomId: 'string', userId: 'string' },
  MemberRemoved: { roomId: 'string', userId: 'string', removedBy: 'string' },
  MemberRoleChanged: { roomId: 'string', userId: 'string', role: ROOM_ROLES, changedBy: 'string' },
  MessageSent: {
    roomId: 'string',
    messageId: 'string',
    senderId: 'string',
    text: 'string',
    clientMessageId: 'string',
    sealedText: 'optional sealed',
    erased: 'optional boolean',
  },
  MessageEdited: {
    roomId: 'string',
    messageId: 'string',
    text: 'string',
    editedBy: 'string',
    sealedText: 'optional sealed',
    erased: 'optional boolean',
  },
  MessageDeleted: { roomId: 'string', messageId: 'string', deletedBy: 'string' },
  MessagesDelivered: { userId: 'string', roomId: 'string', seq: 'integer' },
  MessagesRead: { userId: 'string', roomId: 'string', seq: 'integer' },
};

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
    Object.entries(PAYLOAD_CHECKS[type]).every(([field, check]) => passes(check, data[field]))
  );
}

function passes(check: string | readonly string[], value: unknown): boolean {
  if (check === 'string') return typeof value === 'string';
  if (check === 'nullable string') return value === null || typeof value === 'string';
  if (check === 'integer') return Number.isSafeInteger(value);
  if (check === 'optional boolean') return value === undefined || typeof value === 'boolean';
  // The JSON stand-in cannot carry a sealed value's bytes (tests that seal use the Avro codec): only absence passes.
  if (check === 'optional sealed') return value === undefined;
  return typeof value === 'string' && check.includes(value);
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
