// The history projection's pure core: which store operations each recorded event asks for. Imports nothing from
// I/O, so every history store (SQLite, Oracle) applies the same meaning and only differs in how it writes it.
// One file over 450 lines on purpose for now: the change types and the one switch that maps every event type to
// them are read together by both store adapters' authors; the change types are the part to move out first.

import type { AttachmentRef, RoomKind, RoomRole, UserRole } from '../../events/chatEvents.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { normaliseUsername, parseMessageId } from '../../domain/ids.js';
import { threadReply, type BlockChanged, type MentionsAdded, type ThreadReplyAdded } from './conversationChanges.js';

export type { BlockChanged, MentionsAdded, ThreadReplyAdded } from './conversationChanges.js';

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

/** The store operations one recorded event asks for, in the order they must be applied. */
export function historyChanges(event: RecordedEvent): HistoryChange[] {
  const at = event.metadata.occurredAt;
  const seq = event.streamVersion;
  switch (event.type) {
    case 'UsernameClaimed':
      // The claim only guards uniqueness; the user row comes with UserRegistered.
      return [];
    case 'UserRegistered': {
      const d = event.data;
      return [
        {
          op: 'userUpserted',
          userId: d.userId,
          username: d.username,
          usernameNormalised: normaliseUsername(d.username),
          email: d.email,
          displayName: d.displayName,
          passwordHash: d.passwordHash,
          role: d.role,
          createdAt: at,
        },
      ];
    }
    case 'UserRoleChanged':
      return [{ op: 'userRoleChanged', userId: event.data.userId, role: event.data.role }];
    case 'PersonalDataErased':
      return [{ op: 'personalDataErased', userId: event.data.userId }];
    case 'ProfileUpdated': {
      const { userId, displayName, statusText, avatarUrl, avatarFileId } = event.data;
      return [{ op: 'userProfileUpdated', userId, displayName, statusText, avatarUrl, avatarFileId }];
    }
    case 'PasswordChanged':
      return [{ op: 'userPasswordChanged', userId: event.data.userId, passwordHash: event.data.passwordHash }];
    case 'RoomCreated': {
      const d = event.data;
      return [
        { op: 'roomCreated', roomId: d.roomId, name: d.name, kind: d.kind, createdBy: d.createdBy, createdAt: at, seq },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MemberJoined': {
      const d = event.data;
      return [
        { op: 'memberAdded', roomId: d.roomId, userId: d.userId, role: d.role, addedBy: d.addedBy, joinedAt: at },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MemberLeft': {
      const d = event.data;
      return [
        { op: 'memberRemoved', roomId: d.roomId, userId: d.userId, reason: 'left', removedBy: null, at },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MemberRemoved': {
      const d = event.data;
      return [
        { op: 'memberRemoved', roomId: d.roomId, userId: d.userId, reason: 'removed', removedBy: d.removedBy, at },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MemberRoleChanged': {
      const d = event.data;
      return [
        { op: 'memberRoleChanged', roomId: d.roomId, userId: d.userId, role: d.role },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MessageSent': {
      const d = event.data;
      return [
        {
          op: 'messageInserted',
          messageId: d.messageId,
          roomId: d.roomId,
          seq,
          senderId: d.senderId,
          text: d.text,
          clientMessageId: d.clientMessageId,
          createdAt: at,
          erased: d.erased === true,
          attachments: d.attachments ?? [],
        },
        ...threadReply(d.roomId, seq, d.replyTo, d.threadId),
        ...(d.mentions && d.mentions.length > 0
          ? [{ op: 'mentionsAdded' as const, roomId: d.roomId, seq, senderId: d.senderId, userIds: d.mentions, at }]
          : []),
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MessageEdited': {
      const d = event.data;
      return [
        {
          op: 'messageEdited',
          roomId: d.roomId,
          messageId: d.messageId,
          editSeq: seq,
          text: d.text,
          editedBy: d.editedBy,
          editedAt: at,
          erased: d.erased === true,
        },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'MessageDeleted': {
      const d = event.data;
      return [
        { op: 'messageDeleted', roomId: d.roomId, messageId: d.messageId, deletedBy: d.deletedBy, deletedAt: at },
        advanced(d.roomId, seq, at),
      ];
    }
    case 'ReactionAdded': {
      const { roomId, messageId, emoji, userId } = event.data;
      const change: ReactionAddedChange = {
        op: 'reactionAdded',
        roomId,
        messageId,
        seq: seqOfMessage(roomId, messageId),
        emoji,
        userId,
        reactionSeq: seq,
        at,
      };
      return [change, advanced(roomId, seq, at)];
    }
    case 'ReactionRemoved': {
      const { roomId, messageId, emoji, userId } = event.data;
      const change: ReactionRemovedChange = {
        op: 'reactionRemoved',
        roomId,
        messageId,
        seq: seqOfMessage(roomId, messageId),
        emoji,
        userId,
      };
      return [change, advanced(roomId, seq, at)];
    }
    case 'RoomRenamed': {
      const { roomId, name } = event.data;
      return [{ op: 'roomSettingChanged', roomId, setting: 'name', value: name }, advanced(roomId, seq, at)];
    }
    case 'RoomTopicChanged': {
      const { roomId, topic } = event.data;
      return [{ op: 'roomSettingChanged', roomId, setting: 'topic', value: topic }, advanced(roomId, seq, at)];
    }
    case 'MessagePinned': {
      const { roomId, messageId, pinnedBy } = event.data;
      const change: MessagePinnedChange = {
        op: 'messagePinned',
        roomId,
        messageId,
        seq: seqOfMessage(roomId, messageId),
        pinnedBy,
        pinSeq: seq,
        at,
      };
      return [change, advanced(roomId, seq, at)];
    }
    case 'MessageUnpinned': {
      const { roomId, messageId } = event.data;
      const change: MessageUnpinnedChange = { op: 'messageUnpinned', roomId, messageId, seq: seqOfMessage(roomId, messageId) };
      return [change, advanced(roomId, seq, at)];
    }
    case 'MessagesDelivered': {
      const d = event.data;
      return [{ op: 'markersAdvanced', userId: d.userId, roomId: d.roomId, deliveredSeq: d.seq, readSeq: 0, at }];
    }
    case 'MessagesRead': {
      const d = event.data;
      // Not roomAdvanced: the receipts stream's version has nothing to do with the room's head.
      return [{ op: 'markersAdvanced', userId: d.userId, roomId: d.roomId, deliveredSeq: d.seq, readSeq: d.seq, at }];
    }
    case 'DeliveriesRecorded': {
      // A room's report carries many members' markers; each moves like a MessagesDelivered of its own. Not
      // roomAdvanced either: the deliveries stream's version is not the room's head.
      const { roomId, markers } = event.data;
      return markers.map(({ userId, seq: deliveredSeq }) => ({ op: 'markersAdvanced', userId, roomId, deliveredSeq, readSeq: 0, at }));
    }
    // Audit reads are for auditors (the audit API reads them from the log); the history view does not show them.
    case 'AuditLogRead':
      return [];
    case 'FriendRequested':
      return [{ op: 'friendshipChanged', userId: event.data.from, friendId: event.data.to, status: 'pending', at }];
    case 'FriendRequestAccepted':
      return [{ op: 'friendshipChanged', userId: event.data.from, friendId: event.data.to, status: 'accepted', at }];
    case 'FriendRequestRejected':
    case 'FriendRequestCancelled':
      return [{ op: 'friendshipChanged', userId: event.data.from, friendId: event.data.to, status: 'none', at }];
    case 'FriendRemoved': {
      const { removedBy, friendId } = event.data;
      return [{ op: 'friendshipChanged', userId: removedBy, friendId, status: 'none', at }];
    }
    // Linked identities (issue #18) are read from the user's and the identity's streams, where the single writers
    // decide on them; no view shows them. Assistants' configuration is read from their own stream (src/assistants).
    case 'IdentityLinked':
    case 'IdentityUnlinked':
    case 'AssistantConfigured':
    case 'AssistantUsageRecorded':
    case 'IdentityClaimed':
    case 'IdentityReleased':
      return [];
    case 'FileUploaded': {
      const d = event.data;
      return [
        {
          op: 'fileRecorded',
          fileId: d.fileId,
          uploadedBy: d.uploadedBy,
          name: d.name,
          contentType: d.contentType,
          size: d.size,
          sha256: d.sha256,
          width: d.width,
          height: d.height,
          thumbnail: d.thumbnail === true,
          uploadedAt: at,
          erased: d.erased === true,
        },
      ];
    }
    case 'FileDiscarded':
      return [{ op: 'fileDiscarded', fileId: event.data.fileId, discardedAt: at }];
    case 'UserBlocked':
    case 'UserUnblocked': {
      const { userId, blockedUserId } = event.data;
      return [{ op: 'blockChanged', userId, blockedUserId, blocked: event.type === 'UserBlocked', at }];
    }
    default:
      return unreachable(event);
  }
}

/** The seq a message id names in its room (ids are "<roomId>.<seq>"); anything else is a corrupt log. */
function seqOfMessage(roomId: string, messageId: string): number {
  const place = parseMessageId(messageId);
  if (place === undefined || place.roomId !== roomId) {
    throw new Error(`message id ${messageId} does not name a message of room ${roomId}`);
  }
  return place.seq;
}

function advanced(roomId: string, headSeq: number, at: EpochMillis): RoomAdvanced {
  return { op: 'roomAdvanced', roomId, headSeq, at };
}

function unreachable(event: never): never {
  throw new Error(`historyChanges: unhandled event ${JSON.stringify(event)}`);
}
