// The event catalogue: every fact the service records, past tense, one payload type each.
// Each type has an Avro schema in schemas/events/<Type>.avsc whose `data` record mirrors the payload here.
// Account events are in userEvents.ts, room events in roomEvents.ts, the shared vocabulary in eventBasics.ts; this
// file keeps the other streams' events, the union of them all and each type's stream category, and re-exports the
// rest so that importers need only this file.

export type * from './eventBasics.js';
export type * from './userEvents.js';
export type * from './roomEvents.js';

import type { SealedValue } from './eventBasics.js';
import type {
  AssistantConfigured,
  IdentityLinked,
  IdentityUnlinked,
  PasswordChanged,
  PersonalDataErased,
  ProfileUpdated,
  UserBlocked,
  UserRegistered,
  UserRoleChanged,
  UserUnblocked,
  UsernameClaimed,
} from './userEvents.js';
import type {
  MemberJoined,
  MemberLeft,
  MemberRemoved,
  MemberRoleChanged,
  MessageDeleted,
  MessageEdited,
  MessagePinned,
  MessageSent,
  MessageUnpinned,
  ReactionAdded,
  ReactionRemoved,
  RoomCreated,
  RoomRenamed,
  RoomTopicChanged,
} from './roomEvents.js';

/**
 * Stream `receipts-<userId>`: a user's delivery and read markers, one per room, that only ever move forward.
 * Kept out of the room stream (DESIGN.md): a room's stream holds what was said and who is there.
 * `seq` is the highest room seq covered: every message up to it is delivered to / read by the user.
 * The gateway now records deliveries per room (DeliveriesRecorded); MessagesDelivered stays for the logs that hold it.
 */
export interface MessagesDelivered {
  type: 'MessagesDelivered';
  data: { userId: string; roomId: string; seq: number };
}

export interface MessagesRead {
  type: 'MessagesRead';
  data: { userId: string; roomId: string; seq: number };
}

/** One member's delivery marker: every message of the room up to `seq` reached one of their connections. */
export interface DeliveryMarker {
  userId: string;
  seq: number;
}

/**
 * Stream `deliveries-<roomId>`: the delivery markers of a room's members that moved forward since the last such
 * event, written by the gateway once per flush for the whole room. It replaces one MessagesDelivered per user and
 * room, so delivery costs follow the rooms with traffic rather than the users online (docs/architecture.md); older
 * logs keep their MessagesDelivered events, which still replay. Each userId appears at most once.
 */
export interface DeliveriesRecorded {
  type: 'DeliveriesRecorded';
  data: { roomId: string; markers: DeliveryMarker[] };
}

/** What an auditor read (issue #7): the raw events of a stream, or every version of one message. */
export type AuditReadKind = 'streamEvents' | 'messageVersions';

/**
 * Stream `audit-<auditorId>`: an auditor read the log through the audit API; recorded before the answer is sent,
 * so every read of the raw log leaves a trace in the log itself.
 */
export interface AuditLogRead {
  type: 'AuditLogRead';
  data: {
    auditorId: string;
    kind: AuditReadKind;
    /** The stream read (a message's room stream for messageVersions). */
    streamId: string;
    /** The message whose versions were read; null for streamEvents. */
    messageId: string | null;
    /** The page asked for: first version and most events (messageVersions reads the whole stream: 1 and 0). */
    fromVersion: number;
    limit: number;
    /** How many events the answer held. */
    returned: number;
  };
}

/**
 * Friendships live on one stream per pair of users, `friendship-<smaller user id>-<larger user id>` (ids.ts), so
 * its single writer decides two crossing requests, or an accept racing a cancel, one after the other.
 * Stream `friendship-<a>-<b>`: `from` asked `to` to be friends.
 */
export interface FriendRequested {
  type: 'FriendRequested';
  data: { from: string; to: string };
}

/** Stream `friendship-<a>-<b>`: `to` accepted the pending request of `from`; they are friends. */
export interface FriendRequestAccepted {
  type: 'FriendRequestAccepted';
  data: { from: string; to: string };
}

/** Stream `friendship-<a>-<b>`: `to` turned down the pending request of `from`. */
export interface FriendRequestRejected {
  type: 'FriendRequestRejected';
  data: { from: string; to: string };
}

/** Stream `friendship-<a>-<b>`: `from` withdrew their pending request to `to`. */
export interface FriendRequestCancelled {
  type: 'FriendRequestCancelled';
  data: { from: string; to: string };
}

/** Stream `friendship-<a>-<b>`: `removedBy` ended the friendship with `friendId`. */
export interface FriendRemoved {
  type: 'FriendRemoved';
  data: { removedBy: string; friendId: string };
}

/**
 * Stream `identity-<provider>-<subject digest>` (domain/identities.ts): the identity is held by `userId`. Its single
 * writer makes an identity link to one account at most; the account's own stream records the link (IdentityLinked).
 */
export interface IdentityClaimed {
  type: 'IdentityClaimed';
  data: { provider: string; subject: string; userId: string };
}

/** Stream `identity-<provider>-<subject digest>`: `userId` let the identity go (after IdentityUnlinked). */
export interface IdentityReleased {
  type: 'IdentityReleased';
  data: { provider: string; subject: string; userId: string };
}

/**
 * Stream `file-<fileId>` (issue #16): a user uploaded a file. The bytes are in the file store, under a key made from
 * the uploader and the content hash; the log holds what they are. Images were decoded and re-encoded (so `sha256`,
 * `size`, `width` and `height` describe the stored image, without its EXIF) and have a thumbnail.
 */
export interface FileUploaded {
  type: 'FileUploaded';
  data: {
    fileId: string;
    uploadedBy: string;
    /** The name the browser gave (a hint only, shown to readers); sealed with the uploader's key. */
    name: string;
    /** Sniffed from the bytes, never the declared type or the name. */
    contentType: string;
    size: number;
    /** SHA-256 (hex) of the stored bytes: the file's ETag and content address. */
    sha256: string;
    /** Pixels, for images; null for other files. */
    width: number | null;
    height: number | null;
    /** A thumbnail (longest side at most 320 px) was stored beside the file: images only. */
    thumbnail?: boolean;
    /** The name as stored: sealed with the uploader's key (then `name` is stored empty). */
    sealedName?: SealedValue;
    /** Read after the uploader's key was destroyed: `name` reads "" and the bytes are deleted. */
    erased?: boolean;
  };
}

/**
 * Stream `file-<fileId>`: an upload that was never sent nor made an avatar was removed after FILE_UNSENT_TTL_SECONDS;
 * its bytes are deleted and nobody can attach it any more.
 */
export interface FileDiscarded {
  type: 'FileDiscarded';
  data: { fileId: string; discardedBy: string };
}

/**
 * Stream `assistant-usage-<assistantId>`: what one answer of the assistant cost at the model server (issue #19), as
 * the server reported it (or estimated as characters / 4 when it reported none). Appended after the answer itself,
 * once per answer; the analytics projection sums it. Kept off the assistant's user stream, which is read whole for
 * every question and must stay short.
 */
export interface AssistantUsageRecorded {
  type: 'AssistantUsageRecorded';
  data: {
    assistantId: string;
    roomId: string;
    /** The answer: the assistant's MessageSent. */
    messageId: string;
    askerId: string;
    model: string;
    promptTokens: number;
    completionTokens: number;
  };
}

/**
 * The categories of stream, one decider each (src/commands/streamCategories.ts): a stream's id names its category
 * (`room-<id>`, `user-<id>`, ...), and each event type is appended to streams of one category only.
 */
export const CATEGORY_NAMES = ['usernames', 'users', 'rooms', 'receipts', 'deliveries', 'audit', 'friendships', 'identities', 'files', 'assistantUsage'] as const;

export type CategoryName = (typeof CATEGORY_NAMES)[number];

export type ChatEvent =
  | UsernameClaimed
  | UserRegistered
  | UserRoleChanged
  | PersonalDataErased
  | ProfileUpdated
  | PasswordChanged
  | RoomCreated
  | MemberJoined
  | MemberLeft
  | MemberRemoved
  | MemberRoleChanged
  | MessageSent
  | MessageEdited
  | MessageDeleted
  | ReactionAdded
  | ReactionRemoved
  | RoomRenamed
  | RoomTopicChanged
  | MessagePinned
  | MessageUnpinned
  | MessagesDelivered
  | MessagesRead
  | DeliveriesRecorded
  | AuditLogRead
  | FriendRequested
  | FriendRequestAccepted
  | FriendRequestRejected
  | FriendRequestCancelled
  | FriendRemoved
  | IdentityLinked
  | IdentityUnlinked
  | IdentityClaimed
  | IdentityReleased
  | FileUploaded
  | FileDiscarded
  | AssistantConfigured
  | AssistantUsageRecorded
  | UserBlocked
  | UserUnblocked;

export type ChatEventType = ChatEvent['type'];

/**
 * Every event type and the category of stream it belongs to: the one list of event types (a type missing here
 * fails the typecheck). Its order is the order schemas are registered in at start-up.
 */
export const EVENT_CATEGORIES = {
  UsernameClaimed: 'usernames',
  UserRegistered: 'users',
  RoomCreated: 'rooms',
  MemberJoined: 'rooms',
  MemberLeft: 'rooms',
  MemberRemoved: 'rooms',
  MemberRoleChanged: 'rooms',
  MessageSent: 'rooms',
  MessageEdited: 'rooms',
  MessageDeleted: 'rooms',
  MessagesDelivered: 'receipts',
  MessagesRead: 'receipts',
  UserRoleChanged: 'users',
  PersonalDataErased: 'users',
  AuditLogRead: 'audit',
  ProfileUpdated: 'users',
  PasswordChanged: 'users',
  FriendRequested: 'friendships',
  FriendRequestAccepted: 'friendships',
  FriendRequestRejected: 'friendships',
  FriendRequestCancelled: 'friendships',
  FriendRemoved: 'friendships',
  DeliveriesRecorded: 'deliveries',
  IdentityLinked: 'users',
  IdentityUnlinked: 'users',
  IdentityClaimed: 'identities',
  IdentityReleased: 'identities',
  ReactionAdded: 'rooms',
  ReactionRemoved: 'rooms',
  RoomRenamed: 'rooms',
  RoomTopicChanged: 'rooms',
  MessagePinned: 'rooms',
  MessageUnpinned: 'rooms',
  FileUploaded: 'files',
  FileDiscarded: 'files',
  AssistantConfigured: 'users',
  AssistantUsageRecorded: 'assistantUsage',
  UserBlocked: 'users',
  UserUnblocked: 'users',
} as const satisfies { readonly [T in ChatEventType]: CategoryName };

/** The events appended to streams of category `K`. */
export type EventOfCategory<K extends CategoryName> = Extract<
  ChatEvent,
  { type: { [T in ChatEventType]: (typeof EVENT_CATEGORIES)[T] extends K ? T : never }[ChatEventType] }
>;

export type UsernameStreamEvent = EventOfCategory<'usernames'>;

export type UserStreamEvent = EventOfCategory<'users'>;

export type RoomEvent = EventOfCategory<'rooms'>;

export type ReceiptEvent = EventOfCategory<'receipts'>;

export type DeliveriesEvent = EventOfCategory<'deliveries'>;

export type AuditStreamEvent = EventOfCategory<'audit'>;

export type FriendshipEvent = EventOfCategory<'friendships'>;

export type IdentityStreamEvent = EventOfCategory<'identities'>;

export type FileStreamEvent = EventOfCategory<'files'>;

export type AssistantUsageEvent = EventOfCategory<'assistantUsage'>;

export function isChatEventType(value: string): value is ChatEventType {
  return Object.hasOwn(EVENT_CATEGORIES, value);
}

/** Every event type, in EVENT_CATEGORIES' order (used to load schemas and to check catalogues are complete). */
export const CHAT_EVENT_TYPES: readonly ChatEventType[] = Object.keys(EVENT_CATEGORIES).filter(isChatEventType);
