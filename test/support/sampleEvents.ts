// The sample events every test draws from: one of each type, as the log records it. The catalogue is typed by
// every member of ChatEventType, so a new event type fails the typecheck until it has a sample here (and then every
// codec round-trip, the Python interop test and the event-log contract cover it).
//
// Values exercise what a codec must carry: non-ASCII and empty text, a long beyond 2^32, enum symbols other than
// the first, nullable fields set (the event-log contract appends the null branches and the other enum symbols),
// a null previousHash (an event written before hash chains existed).

import { randomUUID } from 'node:crypto';
import type { ChatEvent, ChatEventType } from '../../src/events/chatEvents.js';
import type { EventMetadata, NewEvent, RecordedEnvelope } from '../../src/events/envelope.js';
import { GENESIS_HASH } from '../../src/events/hashChain.js';

/** The event of each type, looked up by its `type` (keeps type and payload correlated for generic code). */
export type ChatEventOf = { [E in ChatEvent as E['type']]: E };
export type DataOf<T extends ChatEventType> = ChatEventOf[T]['data'];

/** What the log hands the codec: the event and its envelope, without the log's place (partition, position). */
type SampleEnvelope = Omit<RecordedEnvelope, 'partition' | 'position'>;

/** A sample of one type: `type` and `data` stay correlated, unlike in EventToEncode. */
export type SampleEvent<T extends ChatEventType> = ChatEventOf[T] & SampleEnvelope;

const metadata = (n: number, actorId: string | null = 'u-alice'): EventMetadata => ({
  actorId,
  commandId: `cmd-${n}`,
  correlationId: `corr-${n}`,
  occurredAt: Date.UTC(2025, 5, 1, 12, 0, n) + 123,
});

export const sampleEvents: { readonly [T in ChatEventType]: SampleEvent<T> } = {
  UsernameClaimed: {
    type: 'UsernameClaimed',
    eventId: 'evt-1',
    streamId: 'username-alice',
    streamVersion: 1,
    previousHash: null,
    metadata: metadata(1, null),
    data: { username: 'alice', userId: 'u-alice' },
  },
  UserRegistered: {
    type: 'UserRegistered',
    eventId: 'evt-2',
    streamId: 'user-u-alice',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(2, null),
    data: {
      userId: 'u-alice',
      username: 'alice',
      email: 'alice@example.org',
      displayName: 'Alice Ärger 🦊',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      role: 'auditor',
    },
  },
  RoomCreated: {
    type: 'RoomCreated',
    eventId: 'evt-3',
    streamId: 'room-r-general',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(3),
    data: { roomId: 'r-general', name: 'General', kind: 'direct', createdBy: 'u-alice' },
  },
  MemberJoined: {
    type: 'MemberJoined',
    eventId: 'evt-4',
    streamId: 'room-r-general',
    streamVersion: 2,
    previousHash: '2'.repeat(64),
    metadata: metadata(4),
    data: { roomId: 'r-general', userId: 'u-alice', role: 'owner', addedBy: null },
  },
  MemberLeft: {
    type: 'MemberLeft',
    eventId: 'evt-5',
    streamId: 'room-r-general',
    streamVersion: 3,
    previousHash: '3'.repeat(64),
    metadata: metadata(5, 'u-bob'),
    data: { roomId: 'r-general', userId: 'u-bob' },
  },
  MemberRemoved: {
    type: 'MemberRemoved',
    eventId: 'evt-6',
    streamId: 'room-r-general',
    streamVersion: 4,
    previousHash: '4'.repeat(64),
    metadata: metadata(6),
    data: { roomId: 'r-general', userId: 'u-carol', removedBy: 'u-alice' },
  },
  MemberRoleChanged: {
    type: 'MemberRoleChanged',
    eventId: 'evt-7',
    streamId: 'room-r-general',
    streamVersion: 5,
    previousHash: '5'.repeat(64),
    metadata: metadata(7),
    data: { roomId: 'r-general', userId: 'u-dave', role: 'moderator', changedBy: 'u-alice' },
  },
  MessageSent: {
    type: 'MessageSent',
    eventId: 'evt-8',
    streamId: 'room-r-general',
    streamVersion: 6,
    previousHash: '6'.repeat(64),
    metadata: metadata(8),
    data: {
      roomId: 'r-general',
      messageId: 'r-general.6',
      senderId: 'u-alice',
      text: 'héllo, 世界 👋\nsecond line "quoted"',
      clientMessageId: 'c-1',
    },
  },
  MessageEdited: {
    type: 'MessageEdited',
    eventId: 'evt-9',
    streamId: 'room-r-general',
    streamVersion: 7,
    previousHash: '7'.repeat(64),
    metadata: metadata(9),
    data: { roomId: 'r-general', messageId: 'r-general.6', text: '', editedBy: 'u-alice' },
  },
  MessageDeleted: {
    type: 'MessageDeleted',
    eventId: 'evt-10',
    streamId: 'room-r-general',
    streamVersion: 8,
    previousHash: '8'.repeat(64),
    metadata: metadata(10),
    data: { roomId: 'r-general', messageId: 'r-general.6', deletedBy: 'u-dave' },
  },
  MessagesDelivered: {
    type: 'MessagesDelivered',
    eventId: 'evt-11',
    streamId: 'receipts-u-bob',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(11, 'u-bob'),
    data: { userId: 'u-bob', roomId: 'r-general', seq: 8 },
  },
  MessagesRead: {
    type: 'MessagesRead',
    eventId: 'evt-12',
    streamId: 'receipts-u-bob',
    streamVersion: 2,
    previousHash: '2'.repeat(64),
    metadata: metadata(12, 'u-bob'),
    // Beyond 2^32, so a codec that narrows the long to an int fails here.
    data: { userId: 'u-bob', roomId: 'r-general', seq: 2 ** 40 },
  },
  UserRoleChanged: {
    type: 'UserRoleChanged',
    eventId: 'evt-13',
    streamId: 'user-u-alice',
    streamVersion: 2,
    previousHash: '1'.repeat(64),
    metadata: metadata(13, 'u-admin'),
    data: { userId: 'u-alice', role: 'analyst', changedBy: 'u-admin' },
  },
  PersonalDataErased: {
    type: 'PersonalDataErased',
    eventId: 'evt-14',
    streamId: 'user-u-alice',
    streamVersion: 3,
    previousHash: 'a'.repeat(64),
    metadata: metadata(14, null),
    data: { userId: 'u-alice', erasedBy: 'system:cli' },
  },
  ProfileUpdated: {
    type: 'ProfileUpdated',
    eventId: 'evt-16',
    streamId: 'user-u-alice',
    streamVersion: 4,
    previousHash: 'b'.repeat(64),
    metadata: metadata(16, 'u-alice'),
    data: {
      userId: 'u-alice',
      displayName: 'Alice Ünïcødé 🐇',
      statusText: '',
      avatarUrl: 'https://example.com/a.png',
      avatarFileId: null,
    },
  },
  PasswordChanged: {
    type: 'PasswordChanged',
    eventId: 'evt-17',
    streamId: 'user-u-alice',
    streamVersion: 5,
    previousHash: 'c'.repeat(64),
    metadata: metadata(17, 'u-alice'),
    data: { userId: 'u-alice', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA' },
  },
  AuditLogRead: {
    type: 'AuditLogRead',
    eventId: 'evt-15',
    streamId: 'audit-u-audrey',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(15, 'u-audrey'),
    data: {
      auditorId: 'u-audrey',
      kind: 'messageVersions',
      streamId: 'room-r-general',
      messageId: 'r-general.3',
      fromVersion: 1,
      limit: 0,
      returned: 3,
    },
  },
  FriendRequested: {
    type: 'FriendRequested',
    eventId: 'evt-18',
    streamId: 'friendship-u-alice-u-bob',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(18, 'u-alice'),
    data: { from: 'u-alice', to: 'u-bob' },
  },
  FriendRequestAccepted: {
    type: 'FriendRequestAccepted',
    eventId: 'evt-19',
    streamId: 'friendship-u-alice-u-bob',
    streamVersion: 2,
    previousHash: 'd'.repeat(64),
    metadata: metadata(19, 'u-bob'),
    data: { from: 'u-alice', to: 'u-bob' },
  },
  FriendRemoved: {
    type: 'FriendRemoved',
    eventId: 'evt-20',
    streamId: 'friendship-u-alice-u-bob',
    streamVersion: 3,
    previousHash: 'e'.repeat(64),
    metadata: metadata(20, 'u-bob'),
    data: { removedBy: 'u-bob', friendId: 'u-alice' },
  },
  FriendRequestRejected: {
    type: 'FriendRequestRejected',
    eventId: 'evt-21',
    streamId: 'friendship-u-alice-u-bob',
    streamVersion: 5,
    previousHash: 'f'.repeat(64),
    metadata: metadata(21, 'u-bob'),
    data: { from: 'u-alice', to: 'u-bob' },
  },
  FriendRequestCancelled: {
    type: 'FriendRequestCancelled',
    eventId: 'evt-22',
    streamId: 'friendship-u-alice-u-bob',
    streamVersion: 7,
    previousHash: 'a'.repeat(64),
    metadata: metadata(22, 'u-alice'),
    data: { from: 'u-alice', to: 'u-bob' },
  },
  DeliveriesRecorded: {
    type: 'DeliveriesRecorded',
    eventId: 'evt-23',
    streamId: 'deliveries-r-general',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(23, 'system:gateway'),
    // Several markers, one of them beyond 2^32, so a codec must carry the array and its longs whole.
    data: { roomId: 'r-general', markers: [{ userId: 'u-bob', seq: 8 }, { userId: 'u-carol', seq: 2 ** 40 }] },
  },
  IdentityClaimed: {
    type: 'IdentityClaimed',
    eventId: 'evt-identity-1',
    streamId: 'identity-google-8n3Y1rR0XhQGmS3MJ4b0jRkqrbWf6r8aSZ0o1iQy3A4',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(41, 'u-alice'),
    data: { provider: 'google', subject: '110169484474386276334', userId: 'u-alice' },
  },
  IdentityReleased: {
    type: 'IdentityReleased',
    eventId: 'evt-identity-2',
    streamId: 'identity-google-8n3Y1rR0XhQGmS3MJ4b0jRkqrbWf6r8aSZ0o1iQy3A4',
    streamVersion: 2,
    previousHash: 'b'.repeat(64),
    metadata: metadata(42, 'u-alice'),
    data: { provider: 'google', subject: '110169484474386276334', userId: 'u-alice' },
  },
  IdentityLinked: {
    type: 'IdentityLinked',
    eventId: 'evt-identity-3',
    streamId: 'user-u-alice',
    streamVersion: 6,
    previousHash: 'c'.repeat(64),
    metadata: metadata(43, 'u-alice'),
    data: { userId: 'u-alice', provider: 'github', subject: '583231' },
  },
  IdentityUnlinked: {
    type: 'IdentityUnlinked',
    eventId: 'evt-identity-4',
    streamId: 'user-u-alice',
    streamVersion: 7,
    previousHash: 'd'.repeat(64),
    metadata: metadata(44, 'u-alice'),
    data: { userId: 'u-alice', provider: 'github', subject: '583231' },
  },
  ReactionAdded: {
    type: 'ReactionAdded',
    eventId: 'evt-24',
    streamId: 'room-r-general',
    streamVersion: 9,
    previousHash: '9'.repeat(64),
    metadata: metadata(24, 'u-bob'),
    // A ZWJ sequence with a skin tone: several code points, outside the BMP, in one grapheme.
    data: { roomId: 'r-general', messageId: 'r-general.5', userId: 'u-bob', emoji: '👩🏽‍💻' },
  },
  ReactionRemoved: {
    type: 'ReactionRemoved',
    eventId: 'evt-25',
    streamId: 'room-r-general',
    streamVersion: 10,
    previousHash: 'b'.repeat(64),
    metadata: metadata(25, 'u-bob'),
    data: { roomId: 'r-general', messageId: 'r-general.5', userId: 'u-bob', emoji: ':party_parrot:' },
  },
  RoomRenamed: {
    type: 'RoomRenamed',
    eventId: 'evt-26',
    streamId: 'room-r-general',
    streamVersion: 11,
    previousHash: 'c'.repeat(64),
    metadata: metadata(26),
    data: { roomId: 'r-general', name: 'Général 🌍', renamedBy: 'u-alice' },
  },
  RoomTopicChanged: {
    type: 'RoomTopicChanged',
    eventId: 'evt-27',
    streamId: 'room-r-general',
    streamVersion: 12,
    previousHash: 'd'.repeat(64),
    metadata: metadata(27),
    data: { roomId: 'r-general', topic: 'Anything goes, be kind', changedBy: 'u-alice' },
  },
  MessagePinned: {
    type: 'MessagePinned',
    eventId: 'evt-28',
    streamId: 'room-r-general',
    streamVersion: 13,
    previousHash: 'e'.repeat(64),
    metadata: metadata(28),
    data: { roomId: 'r-general', messageId: 'r-general.5', pinnedBy: 'u-alice' },
  },
  MessageUnpinned: {
    type: 'MessageUnpinned',
    eventId: 'evt-29',
    streamId: 'room-r-general',
    streamVersion: 14,
    previousHash: 'f'.repeat(64),
    metadata: metadata(29),
    data: { roomId: 'r-general', messageId: 'r-general.5', unpinnedBy: 'u-alice' },
  },
  FileUploaded: {
    type: 'FileUploaded',
    eventId: 'evt-30',
    streamId: 'file-f-cat',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(30),
    // A size beyond 2^32 and a name that is not ASCII; pixels set (the null branch is a non-image's).
    data: {
      fileId: 'f-cat',
      uploadedBy: 'u-alice',
      name: 'Katze 🐈 (1).png',
      contentType: 'image/png',
      size: 2 ** 33,
      sha256: 'e3'.repeat(32),
      width: 4032,
      height: 3024,
      thumbnail: true,
    },
  },
  FileDiscarded: {
    type: 'FileDiscarded',
    eventId: 'evt-31',
    streamId: 'file-f-cat',
    streamVersion: 2,
    previousHash: '9'.repeat(64),
    metadata: metadata(31, 'system:files'),
    data: { fileId: 'f-cat', discardedBy: 'system:files' },
  },
  AssistantUsageRecorded: {
    type: 'AssistantUsageRecorded',
    eventId: 'evt-assistant-2',
    streamId: 'assistant-usage-u-helper',
    streamVersion: 1,
    previousHash: '0'.repeat(64),
    metadata: metadata(48, 'u-helper'),
    data: { assistantId: 'u-helper', roomId: 'r-general', messageId: 'r-general.9', askerId: 'u-alice', model: 'gpt-4o-mini', promptTokens: 120, completionTokens: 18 },
  },
  AssistantConfigured: {
    type: 'AssistantConfigured',
    eventId: 'evt-assistant-1',
    streamId: 'user-u-helper',
    streamVersion: 2,
    previousHash: 'a'.repeat(64),
    metadata: metadata(47, 'u-admin'),
    data: { userId: 'u-helper', systemPrompt: 'Answer briefly.', model: 'gpt-4o-mini', allowedRoomIds: ['r-general'], configuredBy: 'u-admin' },
  },
  UserBlocked: {
    type: 'UserBlocked',
    eventId: 'evt-block-1',
    streamId: 'user-u-alice',
    streamVersion: 8,
    previousHash: 'e'.repeat(64),
    metadata: metadata(45, 'u-alice'),
    data: { userId: 'u-alice', blockedUserId: 'u-bob' },
  },
  UserUnblocked: {
    type: 'UserUnblocked',
    eventId: 'evt-block-2',
    streamId: 'user-u-alice',
    streamVersion: 9,
    previousHash: 'f'.repeat(64),
    metadata: metadata(46, 'u-alice'),
    data: { userId: 'u-alice', blockedUserId: 'u-bob' },
  },
};

export interface SampleOverrides<T extends ChatEventType> {
  eventId?: string;
  data?: Partial<DataOf<T>>;
  metadata?: Partial<EventMetadata>;
}

/**
 * The sample of the given type as a decided event, ready to append: its payload (with `overrides.data` merged
 * over it), a fresh event id, command id and correlation id, actor u-alice and a fixed instant, so tests compare
 * events without reading the clock. The log gives it its stream, version and hash.
 */
export function sampleEvent<T extends ChatEventType>(
  type: T,
  overrides: SampleOverrides<T> = {},
): NewEvent<ChatEventOf[T]> {
  const sample = sampleEvents[type];
  const event: ChatEventOf[T] & Partial<SampleEnvelope> = { ...sample, data: { ...sample.data, ...overrides.data } };
  // The sample's place in its stream is the log's to assign.
  delete event.streamId;
  delete event.streamVersion;
  delete event.previousHash;
  return {
    ...event,
    eventId: overrides.eventId ?? randomUUID(),
    metadata: {
      actorId: 'u-alice',
      commandId: randomUUID(),
      correlationId: randomUUID(),
      occurredAt: 1_700_000_000_000,
      ...overrides.metadata,
    },
  };
}

/** `count` MessageSent events for one room, with distinct texts and client ids (order is checkable). */
export function sampleMessages(count: number, roomId = 'r-general', prefix = 'm'): NewEvent[] {
  const events: NewEvent[] = [];
  for (let i = 0; i < count; i++) {
    events.push(
      sampleEvent('MessageSent', {
        data: { roomId, messageId: `${roomId}.${i + 1}`, text: `${prefix} ${i}`, clientMessageId: `${prefix}-${i}` },
      }),
    );
  }
  return events;
}
