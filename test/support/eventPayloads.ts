// What each event type's payload holds, field by field: the one hand-kept payload catalogue of the tests (issue #12).
// The JSON test codec derives its decoding checks from it (testCodecs.ts) and the schema test derives what each
// .avsc's data record must hold (test/events/eventSchemas.unit.test.ts), so a new event type or field is written
// down once. The table is typed from chatEvents.ts: a type or field added, removed or retyped there fails to
// compile here until the table says the same.

import type { AttachmentRef, ChatEventType, DeliveryMarker } from '../../src/events/chatEvents.js';
import { AUDIT_READ_KINDS, ROOM_KINDS, ROOM_ROLES, USER_ROLES } from '../../src/events/avro/eventPayloadReaders.js';
import type { DataOf } from './sampleEvents.js';

/** An enum field: the Avro enum's name (shared across schemas) and its symbols, in schema order. */
export interface EnumSpec<S extends string = string> {
  enum: string;
  symbols: readonly S[];
}

/**
 * One payload field, named for what the payload holds (Avro spells it differently):
 * - 'string', 'nullable string': `string`, `string | null` (Avro: string, ["null","string"] defaulting to null);
 * - 'integer': a `number` that is always whole (Avro: long);
 * - 'optional boolean': absent means false (Avro: boolean defaulting to false);
 * - 'optional sealed': an optional SealedValue (Avro: ["null", SealedValue] defaulting to null);
 * - 'delivery markers': a DeliveryMarker[] (Avro: an array of DeliveryMarker records, userId string and seq long);
 * - 'nullable integer': `number | null` (Avro: ["null","long"] defaulting to null);
 * - 'optional attachments': an optional AttachmentRef[], absent for none (Avro: an array of AttachmentRef records
 *   defaulting to []);
 * - 'strings': a string[] (Avro: an array of strings);
 * - 'optional string': absent or a `string` (Avro: ["null","string"] defaulting to null, read back as absent);
 * - 'optional string list': absent or a `string[]` (Avro: an array of strings defaulting to [], read back as absent);
 * - an EnumSpec: a union of string literals.
 */
export type FieldSpec =
  | 'string'
  | 'nullable string'
  | 'integer'
  | 'optional boolean'
  | 'optional sealed'
  | 'delivery markers'
  | 'nullable integer'
  | 'optional attachments'
  | 'strings'
  | 'optional string'
  | 'optional string list'
  | EnumSpec;

/** The spec a field of type V must have; `never` for a type the table has no spec for, so it fails to compile. */
type SpecFor<V> = [V] extends [string]
  ? string extends V
    ? 'string'
    : EnumSpec<V>
  : [V] extends [string | null]
    ? string extends Exclude<V, null>
      ? 'nullable string'
      : never
    : [V] extends [number]
      ? 'integer'
      : [V] extends [number | null]
        ? 'nullable integer'
      : [V] extends [AttachmentRef[] | undefined]
        ? 'optional attachments'
      : [V] extends [boolean | undefined]
        ? 'optional boolean'
        : [V] extends [DeliveryMarker[]]
          ? 'delivery markers'
          : [V] extends [string[]]
          ? 'strings'
          : [V] extends [string | undefined]
          ? 'optional string'
          : [V] extends [string[] | undefined]
          ? 'optional string list'
          : [V] extends [object | undefined]
          ? 'optional sealed'
          : never;

type PayloadSpecs = { [T in ChatEventType]: { [F in keyof DataOf<T>]-?: SpecFor<DataOf<T>[F]> } };

const userRole = { enum: 'UserRole', symbols: USER_ROLES } as const;
const roomKind = { enum: 'RoomKind', symbols: ROOM_KINDS } as const;
const roomRole = { enum: 'RoomRole', symbols: ROOM_ROLES } as const;
const auditReadKind = { enum: 'AuditReadKind', symbols: AUDIT_READ_KINDS } as const;

// Fields in the order chatEvents.ts declares them: the schemas keep that order, and the schema test holds them to
// the order of this table (the type above checks names, not order).
const payloads: PayloadSpecs = {
  UsernameClaimed: { username: 'string', userId: 'string' },
  UserRegistered: {
    userId: 'string',
    username: 'string',
    email: 'nullable string',
    displayName: 'string',
    passwordHash: 'string',
    role: userRole,
    sealedEmail: 'optional sealed',
    erased: 'optional boolean',
  },
  UserRoleChanged: { userId: 'string', role: userRole, changedBy: 'string' },
  PersonalDataErased: { userId: 'string', erasedBy: 'string' },
  ProfileUpdated: {
    userId: 'string',
    displayName: 'string',
    statusText: 'string',
    avatarUrl: 'nullable string',
    avatarFileId: 'nullable string',
  },
  PasswordChanged: { userId: 'string', passwordHash: 'string' },
  FriendRequested: { from: 'string', to: 'string' },
  FriendRequestAccepted: { from: 'string', to: 'string' },
  FriendRequestRejected: { from: 'string', to: 'string' },
  FriendRequestCancelled: { from: 'string', to: 'string' },
  FriendRemoved: { removedBy: 'string', friendId: 'string' },
  IdentityLinked: { userId: 'string', provider: 'string', subject: 'string' },
  IdentityUnlinked: { userId: 'string', provider: 'string', subject: 'string' },
  AssistantUsageRecorded: {
    assistantId: 'string',
    roomId: 'string',
    messageId: 'string',
    askerId: 'string',
    model: 'string',
    promptTokens: 'integer',
    completionTokens: 'integer',
  },
  AssistantConfigured: {
    userId: 'string',
    systemPrompt: 'string',
    model: 'string',
    allowedRoomIds: 'strings',
    configuredBy: 'string',
  },
  IdentityClaimed: { provider: 'string', subject: 'string', userId: 'string' },
  IdentityReleased: { provider: 'string', subject: 'string', userId: 'string' },
  AuditLogRead: {
    auditorId: 'string',
    kind: auditReadKind,
    streamId: 'string',
    messageId: 'nullable string',
    fromVersion: 'integer',
    limit: 'integer',
    returned: 'integer',
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
    sealedText: 'optional sealed',
    erased: 'optional boolean',
    attachments: 'optional attachments',
    sealedNames: 'optional sealed',
    replyTo: 'optional string',
    threadId: 'optional string',
    mentions: 'optional string list',
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
  ReactionAdded: { roomId: 'string', messageId: 'string', userId: 'string', emoji: 'string' },
  ReactionRemoved: { roomId: 'string', messageId: 'string', userId: 'string', emoji: 'string' },
  RoomRenamed: { roomId: 'string', name: 'string', renamedBy: 'string' },
  RoomTopicChanged: { roomId: 'string', topic: 'string', changedBy: 'string' },
  MessagePinned: { roomId: 'string', messageId: 'string', pinnedBy: 'string' },
  MessageUnpinned: { roomId: 'string', messageId: 'string', unpinnedBy: 'string' },
  MessagesDelivered: { userId: 'string', roomId: 'string', seq: 'integer' },
  MessagesRead: { userId: 'string', roomId: 'string', seq: 'integer' },
  DeliveriesRecorded: { roomId: 'string', markers: 'delivery markers' },
  FileUploaded: {
    fileId: 'string',
    uploadedBy: 'string',
    name: 'string',
    contentType: 'string',
    size: 'integer',
    sha256: 'string',
    width: 'nullable integer',
    height: 'nullable integer',
    thumbnail: 'optional boolean',
    sealedName: 'optional sealed',
    erased: 'optional boolean',
  },
  FileDiscarded: { fileId: 'string', discardedBy: 'string' },
  UserBlocked: { userId: 'string', blockedUserId: 'string' },
  UserUnblocked: { userId: 'string', blockedUserId: 'string' },
};

/**
 * The payload fields of one event type as [name, spec] pairs, in declared order. Widened to plain field names so
 * code that checks decoded or parsed data (which only knows names as strings) can look them up.
 */
export function payloadFields(type: ChatEventType): [string, FieldSpec][] {
  const fields: Readonly<Record<string, FieldSpec>> = payloads[type];
  return Object.entries(fields);
}
