// The event catalogue: every fact the service records, past tense, one payload type each.
// Each type has an Avro schema in schemas/events/<Type>.avsc whose `data` record mirrors the payload here.

export type UserRole = 'user' | 'admin' | 'auditor' | 'analyst';
export type RoomKind = 'public' | 'private' | 'direct';
export type RoomRole = 'owner' | 'moderator' | 'member';

/** Stream `username-<normalised>`: claimed once with expected version "no stream". */
export interface UsernameClaimed {
  type: 'UsernameClaimed';
  data: { username: string; userId: string };
}

/** Stream `user-<id>`. */
export interface UserRegistered {
  type: 'UserRegistered';
  data: {
    userId: string;
    username: string;
    email: string | null;
    displayName: string;
    passwordHash: string;
    role: UserRole;
  };
}

/** Stream `room-<id>`: the first event of every room. */
export interface RoomCreated {
  type: 'RoomCreated';
  data: { roomId: string; name: string; kind: RoomKind; createdBy: string };
}

export interface MemberJoined {
  type: 'MemberJoined';
  /** addedBy is null when the member joined by themself (public room or creation). */
  data: { roomId: string; userId: string; role: RoomRole; addedBy: string | null };
}

export interface MemberLeft {
  type: 'MemberLeft';
  data: { roomId: string; userId: string };
}

export interface MemberRemoved {
  type: 'MemberRemoved';
  data: { roomId: string; userId: string; removedBy: string };
}

export interface MemberRoleChanged {
  type: 'MemberRoleChanged';
  data: { roomId: string; userId: string; role: RoomRole; changedBy: string };
}

export interface MessageSent {
  type: 'MessageSent';
  /** The message's seq is the stream version of this event; messageId is derived from it (see ids.ts). */
  data: { roomId: string; messageId: string; senderId: string; text: string; clientMessageId: string };
}

export interface MessageEdited {
  type: 'MessageEdited';
  data: { roomId: string; messageId: string; text: string; editedBy: string };
}

export interface MessageDeleted {
  type: 'MessageDeleted';
  data: { roomId: string; messageId: string; deletedBy: string };
}

/**
 * Stream `receipts-<userId>`: a user's delivery and read markers, one per room, that only ever move forward.
 * Kept out of the room stream (DESIGN.md): a room's stream holds what was said and who is there.
 * `seq` is the highest room seq covered: every message up to it is delivered to / read by the user.
 */
export interface MessagesDelivered {
  type: 'MessagesDelivered';
  data: { userId: string; roomId: string; seq: number };
}

export interface MessagesRead {
  type: 'MessagesRead';
  data: { userId: string; roomId: string; seq: number };
}

export type UserStreamEvent = UserRegistered;
export type ReceiptEvent = MessagesDelivered | MessagesRead;
export type UsernameStreamEvent = UsernameClaimed;
export type RoomEvent =
  | RoomCreated
  | MemberJoined
  | MemberLeft
  | MemberRemoved
  | MemberRoleChanged
  | MessageSent
  | MessageEdited
  | MessageDeleted;

export type ChatEvent = UsernameStreamEvent | UserStreamEvent | RoomEvent | ReceiptEvent;
export type ChatEventType = ChatEvent['type'];

/** Every event type, in a fixed order (used to load schemas and to check the catalogue is complete). */
export const CHAT_EVENT_TYPES = [
  'UsernameClaimed',
  'UserRegistered',
  'RoomCreated',
  'MemberJoined',
  'MemberLeft',
  'MemberRemoved',
  'MemberRoleChanged',
  'MessageSent',
  'MessageEdited',
  'MessageDeleted',
  'MessagesDelivered',
  'MessagesRead',
] as const satisfies readonly ChatEventType[];

// Compile-time proof that CHAT_EVENT_TYPES lists every member of the union.
type Missing = Exclude<ChatEventType, (typeof CHAT_EVENT_TYPES)[number]>;
const catalogueIsComplete: Missing extends never ? true : never = true;
void catalogueIsComplete;

export function isChatEventType(value: string): value is ChatEventType {
  return (CHAT_EVENT_TYPES as readonly string[]).includes(value);
}
