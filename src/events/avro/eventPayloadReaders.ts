import type { ChatEvent, ChatEventType, RoomKind, RoomRole, UserRole } from '../chatEvents.js';
import type { AvroRecordReader } from './avroRecordReader.js';

// The enum symbols the current schemas declare, in schema order. `satisfies` plus the checks below keep these
// lists and the TypeScript unions equal, so a symbol added on one side only fails to compile.
export const USER_ROLES = ['user', 'admin', 'auditor', 'analyst'] as const satisfies readonly UserRole[];
export const ROOM_KINDS = ['public', 'private', 'direct'] as const satisfies readonly RoomKind[];
export const ROOM_ROLES = ['owner', 'moderator', 'member'] as const satisfies readonly RoomRole[];

type AllListed<Union, Listed> = Exclude<Union, Listed> extends never ? true : never;
const symbolListsAreComplete: [
  AllListed<UserRole, (typeof USER_ROLES)[number]>,
  AllListed<RoomKind, (typeof ROOM_KINDS)[number]>,
  AllListed<RoomRole, (typeof ROOM_ROLES)[number]>,
] = [true, true, true];
void symbolListsAreComplete;

type PayloadReaders = { [K in ChatEventType]: (data: AvroRecordReader) => Extract<ChatEvent, { type: K }> };

/** Builds each event's `type` and `data` from its decoded Avro `data` record. */
export const payloadReaders: PayloadReaders = {
  UsernameClaimed: (d) => ({
    type: 'UsernameClaimed',
    data: { username: d.string('username'), userId: d.string('userId') },
  }),
  UserRegistered: (d) => ({
    type: 'UserRegistered',
    data: {
      userId: d.string('userId'),
      username: d.string('username'),
      email: d.nullableString('email'),
      displayName: d.string('displayName'),
      passwordHash: d.string('passwordHash'),
      role: d.symbol('role', USER_ROLES),
    },
  }),
  RoomCreated: (d) => ({
    type: 'RoomCreated',
    data: {
      roomId: d.string('roomId'),
      name: d.string('name'),
      kind: d.symbol('kind', ROOM_KINDS),
      createdBy: d.string('createdBy'),
    },
  }),
  MemberJoined: (d) => ({
    type: 'MemberJoined',
    data: {
      roomId: d.string('roomId'),
      userId: d.string('userId'),
      role: d.symbol('role', ROOM_ROLES),
      addedBy: d.nullableString('addedBy'),
    },
  }),
  MemberLeft: (d) => ({
    type: 'MemberLeft',
    data: { roomId: d.string('roomId'), userId: d.string('userId') },
  }),
  MemberRemoved: (d) => ({
    type: 'MemberRemoved',
    data: { roomId: d.string('roomId'), userId: d.string('userId'), removedBy: d.string('removedBy') },
  }),
  MemberRoleChanged: (d) => ({
    type: 'MemberRoleChanged',
    data: {
      roomId: d.string('roomId'),
      userId: d.string('userId'),
      role: d.symbol('role', ROOM_ROLES),
      changedBy: d.string('changedBy'),
    },
  }),
  MessageSent: (d) => ({
    type: 'MessageSent',
    data: {
      roomId: d.string('roomId'),
      messageId: d.string('messageId'),
      senderId: d.string('senderId'),
      text: d.string('text'),
      clientMessageId: d.string('clientMessageId'),
    },
  }),
  MessageEdited: (d) => ({
    type: 'MessageEdited',
    data: {
      roomId: d.string('roomId'),
      messageId: d.string('messageId'),
      text: d.string('text'),
      editedBy: d.string('editedBy'),
    },
  }),
  MessageDeleted: (d) => ({
    type: 'MessageDeleted',
    data: { roomId: d.string('roomId'), messageId: d.string('messageId'), deletedBy: d.string('deletedBy') },
  }),
  MessagesDelivered: (d) => ({
    type: 'MessagesDelivered',
    data: { userId: d.string('userId'), roomId: d.string('roomId'), seq: d.long('seq') },
  }),
  MessagesRead: (d) => ({
    type: 'MessagesRead',
    data: { userId: d.string('userId'), roomId: d.string('roomId'), seq: d.long('seq') },
  }),
};
