// The history projection's pure core: which store operations each recorded event asks for. Imports nothing from
// I/O, so every history store (SQLite, Oracle) applies the same meaning and only differs in how it writes it.
// The change types themselves are in historyChangeTypes.ts (re-exported here).

import type { RecordedEvent } from '../../events/envelope.js';
import { normaliseUsername, parseMessageId } from '../../domain/ids.js';
import { threadReply } from './conversationChanges.js';
import type {
  EpochMillis,
  HistoryChange,
  MessagePinnedChange,
  MessageUnpinnedChange,
  ReactionAddedChange,
  ReactionRemovedChange,
  RoomAdvanced,
} from './historyChangeTypes.js';

export type { BlockChanged, MentionsAdded, ThreadReplyAdded } from './conversationChanges.js';
export type * from './historyChangeTypes.js';

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
