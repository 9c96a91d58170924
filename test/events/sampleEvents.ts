// One event of every type as the log would hand it to the codec, with nullable fields both null and set (the
// first has the null previousHash of an event written before hash chains existed).

import type { ChatEvent, ChatEventType } from '../../src/events/chatEvents.js';
import type { EventMetadata, RecordedEnvelope } from '../../src/events/envelope.js';
import { GENESIS_HASH } from '../../src/events/hashChain.js';

/** Like EventToEncode, but keeps `type` and `data` of one event type together. */
export type SampleEvent<K extends ChatEventType> = Extract<ChatEvent, { type: K }> &
  Omit<RecordedEnvelope, 'partition' | 'position'>;

const metadata = (n: number, actorId: string | null = 'u-alice'): EventMetadata => ({
  actorId,
  commandId: `cmd-${n}`,
  correlationId: `corr-${n}`,
  occurredAt: Date.UTC(2025, 5, 1, 12, 0, n) + 123,
});

export const sampleEvents: { [K in ChatEventType]: SampleEvent<K> } = {
  UsernameClaimed: {
    type: 'UsernameClaimed',
    eventId: 'evt-1',
    streamId: 'username-alice',
    streamVersion: 1,
    previousHash: null,
    metadata: metadata(1, null),
    data: { username: 'Alice', userId: 'u-alice' },
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
      username: 'Alice',
      email: 'alice@example.org',
      displayName: 'Alice Ärger 🦊',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      role: 'auditor',
    },
  },
  RoomCreated: {
    type: 'RoomCreated',
    eventId: 'evt-3',
    streamId: 'room-r1',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(3),
    data: { roomId: 'r1', name: 'General', kind: 'direct', createdBy: 'u-alice' },
  },
  MemberJoined: {
    type: 'MemberJoined',
    eventId: 'evt-4',
    streamId: 'room-r1',
    streamVersion: 2,
    previousHash: '2'.repeat(64),
    metadata: metadata(4),
    data: { roomId: 'r1', userId: 'u-alice', role: 'owner', addedBy: null },
  },
  MemberLeft: {
    type: 'MemberLeft',
    eventId: 'evt-5',
    streamId: 'room-r1',
    streamVersion: 3,
    previousHash: '3'.repeat(64),
    metadata: metadata(5, 'u-bob'),
    data: { roomId: 'r1', userId: 'u-bob' },
  },
  MemberRemoved: {
    type: 'MemberRemoved',
    eventId: 'evt-6',
    streamId: 'room-r1',
    streamVersion: 4,
    previousHash: '4'.repeat(64),
    metadata: metadata(6),
    data: { roomId: 'r1', userId: 'u-carol', removedBy: 'u-alice' },
  },
  MemberRoleChanged: {
    type: 'MemberRoleChanged',
    eventId: 'evt-7',
    streamId: 'room-r1',
    streamVersion: 5,
    previousHash: '5'.repeat(64),
    metadata: metadata(7),
    data: { roomId: 'r1', userId: 'u-dave', role: 'moderator', changedBy: 'u-alice' },
  },
  MessageSent: {
    type: 'MessageSent',
    eventId: 'evt-8',
    streamId: 'room-r1',
    streamVersion: 6,
    previousHash: '6'.repeat(64),
    metadata: metadata(8),
    data: { roomId: 'r1', messageId: 'r1:6', senderId: 'u-alice', text: 'héllo 👋\nworld', clientMessageId: 'c-1' },
  },
  MessageEdited: {
    type: 'MessageEdited',
    eventId: 'evt-9',
    streamId: 'room-r1',
    streamVersion: 7,
    previousHash: '7'.repeat(64),
    metadata: metadata(9),
    data: { roomId: 'r1', messageId: 'r1:6', text: '', editedBy: 'u-alice' },
  },
  MessageDeleted: {
    type: 'MessageDeleted',
    eventId: 'evt-10',
    streamId: 'room-r1',
    streamVersion: 8,
    previousHash: '8'.repeat(64),
    metadata: metadata(10),
    data: { roomId: 'r1', messageId: 'r1:6', deletedBy: 'u-dave' },
  },
  MessagesDelivered: {
    type: 'MessagesDelivered',
    eventId: 'evt-11',
    streamId: 'receipts-u-bob',
    streamVersion: 1,
    previousHash: GENESIS_HASH,
    metadata: metadata(11, 'u-bob'),
    data: { userId: 'u-bob', roomId: 'r1', seq: 8 },
  },
  MessagesRead: {
    type: 'MessagesRead',
    eventId: 'evt-12',
    streamId: 'receipts-u-bob',
    streamVersion: 2,
    previousHash: '2'.repeat(64),
    metadata: metadata(12, 'u-bob'),
    // Beyond 2^32, so a codec that narrows the long to an int fails here.
    data: { userId: 'u-bob', roomId: 'r1', seq: 2 ** 40 },
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
      streamId: 'room-r1',
      messageId: 'r1.3',
      fromVersion: 1,
      limit: 0,
      returned: 3,
    },
  },
};
