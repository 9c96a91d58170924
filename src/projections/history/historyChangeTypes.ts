// The history view's change types: what the pure core (historyChanges.ts) asks every history store to do. Both
// store adapters (SQLite, Oracle) implement each of them; historyChanges.ts re-exports them, so importers need only
// that file.

import type { AttachmentRef, RoomKind, RoomRole, UserRole } from '../../events/chatEvents.js';
import type { BlockChanged, MentionsAdded, ThreadReplyAdded } from './conversationChanges.js';

/** Times are milliseconds since the epoch here; stores keep them as numbers and views show ISO strings. */
export type EpochMillis = number;

export interface UserUpserted {
  op: 'userUpserted';
  userId: string;
  username: string;
  /** normaliseUsername(username): the key of case-insensitive look-ups. */
  usernameNormalised: string;
  email: string | null;
  displayName: string;
  passwordHash: string;
  role: UserRole;
  createdAt: EpochMillis;
}

/** An admin changed the user's service-wide role: logins and refreshes from now on issue tokens with it. */
export interface UserRoleChangedChange {
  op: 'userRoleChanged';
  userId: string;
  role: UserRole;
}

/** The user changed their profile: the whole profile after the change (display names show wherever the view joins users). */
export interface UserProfileUpdatedChange {
  op: 'userProfileUpdated';
  userId: string;
  displayName: string;
  statusText: string;
  avatarUrl: string | null;
  /** An uploaded avatar: anyone signed in may read that file while it is someone's avatar (issue #16). */
  avatarFileId: string | null;
}

/** The user changed their password: logins from now on check the new hash. */
export interface UserPasswordChangedChange {
  op: 'userPasswordChanged';
  userId: string;
  passwordHash: string;
}

/**
 * The user's personal data key was destroyed: their email becomes null, and every message text they sent (current
 * text and earlier versions in the edit history) becomes "" with the message marked erased. Only the sender edits a
 * message, so the sender's messages are all the texts sealed with that key. Their reactions leave the view, and
 * the store remembers the user so that no reaction of theirs is shown again (see ReactionAddedChange).
 * Their uploads are marked erased with their names blanked: the erasure deleted the bytes (issue #16).
 */
export interface PersonalDataErasedChange {
  op: 'personalDataErased';
  userId: string;
}

export interface RoomCreatedChange {
  op: 'roomCreated';
  roomId: string;
  name: string;
  kind: RoomKind;
  createdBy: string;
  createdAt: EpochMillis;
  seq: number;
}

export interface MemberAdded {
  op: 'memberAdded';
  roomId: string;
  userId: string;
  role: RoomRole;
  /** null when the member joined by themself. */
  addedBy: string | null;
  joinedAt: EpochMillis;
}

export interface MemberRemovedChange {
  op: 'memberRemoved';
  roomId: string;
  userId: string;
  reason: 'left' | 'removed';
  /** null when the member left by themself. */
  removedBy: string | null;
  at: EpochMillis;
}

export interface MemberRoleChangedChange {
  op: 'memberRoleChanged';
  roomId: string;
  userId: string;
  role: RoomRole;
}

export interface MessageInserted {
  op: 'messageInserted';
  messageId: string;
  roomId: string;
  /** The stream version of the MessageSent event (ids.ts: messageId is `<roomId>.<seq>`). */
  seq: number;
  senderId: string;
  text: string;
  clientMessageId: string;
  createdAt: EpochMillis;
  /** The event was read after its sender's key was destroyed: `text` is "" and the message shows as erased. */
  erased: boolean;
  /** The files sent with it, in order (empty for a text-only message). */
  attachments: AttachmentRef[];
}

/** A user uploaded a file (issue #16): its metadata, never its bytes. */
export interface FileRecorded {
  op: 'fileRecorded';
  fileId: string;
  uploadedBy: string;
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
  uploadedAt: EpochMillis;
  /** Read after the uploader's key was destroyed: the name is "" and the bytes are gone. */
  erased: boolean;
}

/** An upload nobody sent was removed (its bytes deleted): it can no longer be attached. */
export interface FileDiscardedChange {
  op: 'fileDiscarded';
  fileId: string;
  discardedAt: EpochMillis;
}

/**
 * The store first copies the message's current (previous) text into the edit history, then sets the new text,
 * so the history of a message reads as every text it had before its current one.
 */
export interface MessageEditedChange {
  op: 'messageEdited';
  roomId: string;
  messageId: string;
  /** The stream version of the edit event: orders the edit history and makes its rows idempotent. */
  editSeq: number;
  text: string;
  editedBy: string;
  editedAt: EpochMillis;
  /** The event was read after the sender's key was destroyed: `text` is "" and the message shows as erased. */
  erased: boolean;
}

/** The view forgets the text (reads show null), the reactions and the pin; auditors read the originals from the log itself. */
export interface MessageDeletedChange {
  op: 'messageDeleted';
  roomId: string;
  messageId: string;
  deletedBy: string;
  deletedAt: EpochMillis;
}

/**
 * `userId` reacted to message `seq` with `emoji`. Stores keep one row per (message, emoji, user), inserted if absent
 * (a re-delivery keeps the first row), and never for a user whose personal data was erased: erasure removes their
 * reactions, and a rebuild may meet the erasure (user stream) before the reaction (room stream).
 */
export interface ReactionAddedChange {
  op: 'reactionAdded';
  roomId: string;
  messageId: string;
  seq: number;
  emoji: string;
  userId: string;
  /** The stream version of the reaction event: orders emoji (first reacted first) and users within one. */
  reactionSeq: number;
  at: EpochMillis;
}

export interface ReactionRemovedChange {
  op: 'reactionRemoved';
  roomId: string;
  messageId: string;
  seq: number;
  emoji: string;
  userId: string;
}

/** The room's name changed (RoomRenamed), or its topic (RoomTopicChanged; "" clears it). */
export interface RoomSettingChanged {
  op: 'roomSettingChanged';
  roomId: string;
  setting: 'name' | 'topic';
  value: string;
}

/** A message was pinned: one row per pinned message, inserted if absent; pinSeq orders the list (latest first). */
export interface MessagePinnedChange {
  op: 'messagePinned';
  roomId: string;
  messageId: string;
  seq: number;
  pinnedBy: string;
  /** The stream version of the pin event. */
  pinSeq: number;
  at: EpochMillis;
}

/** A message was unpinned (a deleted message is unpinned by messageDeleted). */
export interface MessageUnpinnedChange {
  op: 'messageUnpinned';
  roomId: string;
  messageId: string;
  seq: number;
}

/** Every room event moves the room's head: what a subscriber must have seen to be up to date. */
export interface RoomAdvanced {
  op: 'roomAdvanced';
  roomId: string;
  headSeq: number;
  at: EpochMillis;
}

/**
 * A receipts event: the user's markers for the room become at least these seqs. Stores keep the maximum per
 * marker, so a re-delivered or out-of-order event never moves one back. Reading implies delivery, so a read
 * carries its seq as deliveredSeq too.
 */
export interface MarkersAdvanced {
  op: 'markersAdvanced';
  userId: string;
  roomId: string;
  /** 0 when the event says nothing about delivery beyond what the store has. */
  deliveredSeq: number;
  /** 0 when the event says nothing about reading. */
  readSeq: number;
  at: EpochMillis;
}

/**
 * The friendship of two users is now `status`: 'pending' (`userId` asked `friendId`), 'accepted' (friends since
 * `at`), or 'none' (a request rejected or withdrawn, a friendship ended). The store keeps one row per direction so
 * each user's lists are one indexed look-up; this replaces whatever the pair had.
 */
export interface FriendshipChanged {
  op: 'friendshipChanged';
  userId: string;
  friendId: string;
  status: 'pending' | 'accepted' | 'none';
  at: EpochMillis;
}

export type HistoryChange =
  | FriendshipChanged
  | UserUpserted
  | UserRoleChangedChange
  | UserProfileUpdatedChange
  | UserPasswordChangedChange
  | PersonalDataErasedChange
  | RoomCreatedChange
  | MemberAdded
  | MemberRemovedChange
  | MemberRoleChangedChange
  | MessageInserted
  | MessageEditedChange
  | MessageDeletedChange
  | ReactionAddedChange
  | ReactionRemovedChange
  | RoomSettingChanged
  | MessagePinnedChange
  | MessageUnpinnedChange
  | ThreadReplyAdded
  | MentionsAdded
  | BlockChanged
  | RoomAdvanced
  | MarkersAdvanced
  | FileRecorded
  | FileDiscardedChange;

export type HistoryChangeOp = HistoryChange['op'];
