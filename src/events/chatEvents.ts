// The event catalogue: every fact the service records, past tense, one payload type each.
// Each type has an Avro schema in schemas/events/<Type>.avsc whose `data` record mirrors the payload here.

export type UserRole = 'user' | 'admin' | 'auditor' | 'analyst';
export type RoomKind = 'public' | 'private' | 'direct';
export type RoomRole = 'owner' | 'moderator' | 'member';

/**
 * Personal data as stored (crypto-shredding, src/privacy): AES-256-GCM under the key of `keyOwner`, a user whose
 * key lives outside the log. When a payload carries one, its plaintext field is stored empty; the log's reader
 * (SealingEventLog) puts the plaintext back, or marks the payload `erased` once the key is destroyed.
 */
export interface SealedValue {
  keyOwner: string;
  /** 12 random bytes. */
  iv: Buffer;
  ciphertext: Buffer;
  /** The 16-byte GCM authentication tag. */
  tag: Buffer;
}

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
    /** The email as stored: sealed with the user's own key (then `email` is stored null). */
    sealedEmail?: SealedValue;
    /** Read after the user's key was destroyed: `email` reads null and is gone for good. */
    erased?: boolean;
  };
}

/** Stream `user-<id>`: an admin changed the user's service-wide role; tokens issued from now on carry it. */
export interface UserRoleChanged {
  type: 'UserRoleChanged';
  data: { userId: string; role: UserRole; changedBy: string };
}

/**
 * Stream `user-<id>`: the user changed their own profile. Carries the whole profile after the change (not only the
 * fields sent), so the latest ProfileUpdated alone says what the profile is.
 */
export interface ProfileUpdated {
  type: 'ProfileUpdated';
  data: {
    userId: string;
    displayName: string;
    statusText: string;
    avatarUrl: string | null;
    /**
     * The avatar is a file the user uploaded (PUT /api/users/me/avatar, issue #16): `avatarUrl` is then its service URL
     * `/api/files/<id>`, and anyone signed in may read it. null for none or an outside URL (and in events before it).
     */
    avatarFileId: string | null;
  };
}

/**
 * Stream `user-<id>`: the user changed their password. Holds the new password's hash (argon2id), hashed at the edge;
 * tokens issued before it are void (src/auth/tokenStore.ts). Replays leave the hash out and the audit API redacts it.
 */
export interface PasswordChanged {
  type: 'PasswordChanged';
  data: { userId: string; passwordHash: string };
}

/**
 * Stream `user-<id>`: the user's personal data key was destroyed (crypto-shredding). Every sealed text and email of
 * theirs now reads as erased, in the log and in the views.
 */
export interface PersonalDataErased {
  type: 'PersonalDataErased';
  data: { userId: string; erasedBy: string };
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

/**
 * A file attached to a message, as the log records it (issue #16): what it is and its content hash, never its bytes.
 * The name is part of what the sender sent: sealed with the sender's key like the text (`sealedNames`).
 */
export interface AttachmentRef {
  fileId: string;
  /** The file's name as shown; stored "" when the names are sealed. */
  name: string;
  /** Sniffed from the bytes when uploaded. */
  contentType: string;
  size: number;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** Pixels of an image; null for other files. */
  width: number | null;
  height: number | null;
  /** The file has a thumbnail (images). */
  thumbnail: boolean;
}

export interface MessageSent {
  type: 'MessageSent';
  /** The message's seq is the stream version of this event; messageId is derived from it (see ids.ts). */
  data: {
    roomId: string;
    messageId: string;
    senderId: string;
    text: string;
    clientMessageId: string;
    /** The text as stored: sealed with the sender's key (then `text` is stored empty). */
    sealedText?: SealedValue;
    /** Read after the sender's key was destroyed: `text` reads "" and is gone for good. */
    erased?: boolean;
    /** The files sent with the message (1 to 10), in the order given; absent when it carries none. */
    attachments?: AttachmentRef[];
    /** The attachments' names as stored: a JSON array sealed with the sender's key (then each `name` is stored ""). */
    sealedNames?: SealedValue;
    /** A reply: the message of this room it answers (#17). */
    replyTo?: string;
    /** A reply: its thread's root, the first message of the chain of replies (`replyTo` itself when that is no reply). */
    threadId?: string;
    /** The members `@mentioned` in the text, resolved when it was sent (#17); absent when it mentions nobody. */
    mentions?: string[];
  };
}

export interface MessageEdited {
  type: 'MessageEdited';
  data: {
    roomId: string;
    messageId: string;
    text: string;
    editedBy: string;
    /** The text as stored: sealed with the key of the message's sender, who is the only one who edits it. */
    sealedText?: SealedValue;
    /** Read after that key was destroyed: `text` reads "" and is gone for good. */
    erased?: boolean;
  };
}

export interface MessageDeleted {
  type: 'MessageDeleted';
  data: { roomId: string; messageId: string; deletedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator renamed a group room (the name already normalised). */
export interface RoomRenamed {
  type: 'RoomRenamed';
  data: { roomId: string; name: string; renamedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator set a group room's topic; "" clears it. */
export interface RoomTopicChanged {
  type: 'RoomTopicChanged';
  data: { roomId: string; topic: string; changedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator pinned a message of the room. */
export interface MessagePinned {
  type: 'MessagePinned';
  data: { roomId: string; messageId: string; pinnedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator unpinned a message (deleting a message unpins it without an event). */
export interface MessageUnpinned {
  type: 'MessageUnpinned';
  data: { roomId: string; messageId: string; unpinnedBy: string };
}

/**
 * Stream `room-<id>`: `userId` reacted to a message with `emoji` (one emoji grapheme or a `:short_name:`,
 * domain/reactionEmoji.ts). One reaction per user, emoji and message: a repeat appends nothing.
 */
export interface ReactionAdded {
  type: 'ReactionAdded';
  data: { roomId: string; messageId: string; userId: string; emoji: string };
}

/** Stream `room-<id>`: `userId` took back their reaction `emoji` on a message. */
export interface ReactionRemoved {
  type: 'ReactionRemoved';
  data: { roomId: string; messageId: string; userId: string; emoji: string };
}

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
 * Stream `user-<id>`: an identity at a sign-in provider (issue #18) now signs in to this account, because the account
 * was created by that identity's first sign-in or its signed-in user asked to link it. Never by a matching e-mail.
 */
export interface IdentityLinked {
  type: 'IdentityLinked';
  data: { userId: string; provider: string; subject: string };
}

/** Stream `user-<id>`: the user unlinked the identity; it no longer signs in to this account. */
export interface IdentityUnlinked {
  type: 'IdentityUnlinked';
  data: { userId: string; provider: string; subject: string };
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
 * Stream `user-<id>`: an admin made the account an assistant (issue #19), or changed its configuration. Carries the
 * whole configuration after the change, so the latest AssistantConfigured alone says what the assistant is. An
 * account with one is of kind `assistant`: it answers, in the rooms it is a member of, the messages that mention it.
 */
export interface AssistantConfigured {
  type: 'AssistantConfigured';
  data: {
    userId: string;
    /** The instructions sent first with every question (the system message). */
    systemPrompt: string;
    /** The model's name at the provider; "" uses ASSISTANT_MODEL. */
    model: string;
    /** The rooms it answers in; empty: every room it is a member of. */
    allowedRoomIds: string[];
    configuredBy: string;
  };
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

/**
 * Stream `user-<id>` (#17): the user blocked `blockedUserId`, who can no longer open a direct room with them, reach
 * them with a friend request, or have a mention of them counted or listed. Blocking one already blocked appends nothing.
 */
export interface UserBlocked {
  type: 'UserBlocked';
  data: { userId: string; blockedUserId: string };
}

/** Stream `user-<id>` (#17): the user unblocked `blockedUserId`; unblocking one not blocked appends nothing. */
export interface UserUnblocked {
  type: 'UserUnblocked';
  data: { userId: string; blockedUserId: string };
}

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
