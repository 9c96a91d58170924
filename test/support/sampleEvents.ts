import { randomUUID } from 'node:crypto';
import type { ChatEvent, ChatEventType } from '../../src/events/chatEvents.js';
import type { EventMetadata, NewEvent } from '../../src/events/envelope.js';

/** The event of each type, looked up by its `type` (keeps type and payload correlated for generic code). */
export type ChatEventOf = { [E in ChatEvent as E['type']]: E };
export type DataOf<T extends ChatEventType> = ChatEventOf[T]['data'];

export interface SampleOverrides<T extends ChatEventType> {
  eventId?: string;
  data?: Partial<DataOf<T>>;
  metadata?: Partial<EventMetadata>;
}

// One plausible payload per type; values exercise what a codec must carry (nulls, non-ASCII text, enums).
const SAMPLE_EVENTS: { [T in ChatEventType]: (data: Partial<DataOf<T>>) => ChatEventOf[T] } = {
  UsernameClaimed: (data) => ({ type: 'UsernameClaimed', data: { username: 'alice', userId: 'u-alice', ...data } }),
  UserRegistered: (data) => ({
    type: 'UserRegistered',
    data: {
      userId: 'u-alice',
      username: 'alice',
      email: null,
      displayName: 'Alice Ünïcødé 🐇',
      passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
      role: 'user',
      ...data,
    },
  }),
  UserRoleChanged: (data) => ({
    type: 'UserRoleChanged',
    data: { userId: 'u-alice', role: 'auditor', changedBy: 'u-admin', ...data },
  }),
  PersonalDataErased: (data) => ({
    type: 'PersonalDataErased',
    data: { userId: 'u-alice', erasedBy: 'u-admin', ...data },
  }),
  ProfileUpdated: (data) => ({
    type: 'ProfileUpdated',
    data: { userId: 'u-alice', displayName: 'Alice 🐇', statusText: 'in a meeting', avatarUrl: null, ...data },
  }),
  PasswordChanged: (data) => ({
    type: 'PasswordChanged',
    data: { userId: 'u-alice', passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA', ...data },
  }),
  FriendRequested: (data) => ({ type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob', ...data } }),
  FriendRequestAccepted: (data) => ({ type: 'FriendRequestAccepted', data: { from: 'u-alice', to: 'u-bob', ...data } }),
  FriendRequestRejected: (data) => ({ type: 'FriendRequestRejected', data: { from: 'u-alice', to: 'u-bob', ...data } }),
  FriendRequestCancelled: (data) => ({ type: 'FriendRequestCancelled', data: { from: 'u-alice', to: 'u-bob', ...data } }),
  FriendRemoved: (data) => ({ type: 'FriendRemoved', data: { removedBy: 'u-alice', friendId: 'u-bob', ...data } }),
  AuditLogRead: (data) => ({
    type: 'AuditLogRead',
    data: {
      auditorId: 'u-audrey',
      kind: 'streamEvents',
      streamId: 'room-r-general',
      messageId: null,
      fromVersion: 1,
      limit: 100,
      returned: 3,
      ...data,
    },
  }),
  RoomCreated: (data) => ({
    type: 'RoomCreated',
    data: { roomId: 'r-general', name: 'General', kind: 'public', createdBy: 'u-alice', ...data },
  }),
  MemberJoined: (data) => ({
    type: 'MemberJoined',
    data: { roomId: 'r-general', userId: 'u-bob', role: 'member', addedBy: null, ...data },
  }),
  MemberLeft: (data) => ({ type: 'MemberLeft', data: { roomId: 'r-general', userId: 'u-bob', ...data } }),
  MemberRemoved: (data) => ({
    type: 'MemberRemoved',
    data: { roomId: 'r-general', userId: 'u-carol', removedBy: 'u-alice', ...data },
  }),
  MemberRoleChanged: (data) => ({
    type: 'MemberRoleChanged',
    data: { roomId: 'r-general', userId: 'u-bob', role: 'moderator', changedBy: 'u-alice', ...data },
  }),
  MessageSent: (data) => ({
    type: 'MessageSent',
    data: {
      roomId: 'r-general',
      messageId: 'r-general.1',
      senderId: 'u-alice',
      text: 'hello, 世界 👋\nsecond line "quoted"',
      clientMessageId: 'c-1',
      ...data,
    },
  }),
  MessageEdited: (data) => ({
    type: 'MessageEdited',
    data: { roomId: 'r-general', messageId: 'r-general.1', text: 'hello, world', editedBy: 'u-alice', ...data },
  }),
  MessageDeleted: (data) => ({
    type: 'MessageDeleted',
    data: { roomId: 'r-general', messageId: 'r-general.1', deletedBy: 'u-alice', ...data },
  }),
  MessagesDelivered: (data) => ({
    type: 'MessagesDelivered',
    data: { userId: 'u-bob', roomId: 'r-general', seq: 1, ...data },
  }),
  MessagesRead: (data) => ({ type: 'MessagesRead', data: { userId: 'u-bob', roomId: 'r-general', seq: 1, ...data } }),
};

/**
 * A NewEvent of the given type with a fresh event id and command id; `overrides` replace parts of the payload or
 * metadata. occurredAt is a fixed instant so tests compare events without reading the clock.
 */
export function sampleEvent<T extends ChatEventType>(
  type: T,
  overrides: SampleOverrides<T> = {},
): NewEvent<ChatEventOf[T]> {
  const event: ChatEventOf[T] = SAMPLE_EVENTS[type](overrides.data ?? {});
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
