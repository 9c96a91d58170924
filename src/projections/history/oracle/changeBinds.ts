// Which statements each history change runs on Oracle, and the bind row each gets (pure). A bind row holds exactly
// the names its statement uses: node-oracledb refuses an unused name (ORA-01036), and a test checks each builder
// against its statement's placeholders. Times stay epoch milliseconds; the SQL turns them into UTC timestamps.

import type { BindRow } from 'oracledb';

import type { HistoryChange } from '../historyChanges.js';

export type StatementName =
  | 'upsertUser'
  | 'changeUserRole'
  | 'updateUserProfile'
  | 'changeUserPassword'
  | 'eraseUserEmail'
  | 'eraseUserEdits'
  | 'eraseUserMessages'
  | 'insertRoom'
  | 'upsertMember'
  | 'deleteMember'
  | 'changeMemberRole'
  | 'insertMessage'
  | 'noteLastMessage'
  | 'copyTextToEdits'
  | 'editMessage'
  | 'deleteMessage'
  | 'advanceRoom'
  | 'advanceMarkers'
  | 'deleteFriendshipPair'
  | 'insertFriendshipRow'
  | 'renameRoom'
  | 'insertPin'
  | 'deletePin'
  | 'deleteMessagePin'
  | 'changeRoomTopic'
  | 'insertReaction'
  | 'deleteReaction'
  | 'deleteMessageReactions'
  | 'eraseUserReactions'
  | 'noteErasedReactor'
  | 'insertFile'
  | 'discardFile'
  | 'eraseUserFiles'
  | 'eraseUserAttachmentNames'
  | 'insertAttachment'
  | 'insertReply'
  | 'recountThread'
  | 'recountThreadOfMessage'
  | 'insertMention'
  | 'insertBlock'
  | 'deleteBlock';

export interface BoundStatement {
  statement: StatementName;
  binds: BindRow;
}

/** The statements one change runs, in order (the same order sqlite/sqliteHistoryStore.ts runs them). */
export function statementsFor(change: HistoryChange): BoundStatement[] {
  switch (change.op) {
    case 'userUpserted':
      return [
        {
          statement: 'upsertUser',
          binds: {
            userId: change.userId,
            username: change.username,
            usernameNormalised: change.usernameNormalised,
            email: change.email,
            displayName: change.displayName,
            passwordHash: change.passwordHash,
            role: change.role,
            createdAt: change.createdAt,
          },
        },
      ];
    case 'userRoleChanged':
      return [{ statement: 'changeUserRole', binds: { userId: change.userId, role: change.role } }];
    case 'userProfileUpdated':
      return [
        {
          statement: 'updateUserProfile',
          binds: {
            userId: change.userId,
            displayName: change.displayName,
            statusText: change.statusText,
            avatarUrl: change.avatarUrl,
            avatarFileId: change.avatarFileId,
          },
        },
      ];
    case 'userPasswordChanged':
      return [{ statement: 'changeUserPassword', binds: { userId: change.userId, passwordHash: change.passwordHash } }];
    case 'personalDataErased':
      // Edits first: they find the sender's messages, which the last statement then blanks.
      return [
        { statement: 'eraseUserEmail', binds: { userId: change.userId } },
        { statement: 'eraseUserEdits', binds: { userId: change.userId } },
        { statement: 'eraseUserMessages', binds: { userId: change.userId } },
        { statement: 'eraseUserReactions', binds: { userId: change.userId } },
        { statement: 'noteErasedReactor', binds: { userId: change.userId } },
        { statement: 'eraseUserFiles', binds: { userId: change.userId } },
        { statement: 'eraseUserAttachmentNames', binds: { userId: change.userId } },
      ];
    case 'roomCreated':
      return [
        {
          statement: 'insertRoom',
          binds: {
            roomId: change.roomId,
            name: change.name,
            kind: change.kind,
            createdBy: change.createdBy,
            createdAt: change.createdAt,
            seq: change.seq,
          },
        },
      ];
    case 'memberAdded':
      return [
        {
          statement: 'upsertMember',
          binds: {
            roomId: change.roomId,
            userId: change.userId,
            role: change.role,
            addedBy: change.addedBy,
            joinedAt: change.joinedAt,
          },
        },
      ];
    case 'memberRemoved':
      return [{ statement: 'deleteMember', binds: { roomId: change.roomId, userId: change.userId } }];
    case 'memberRoleChanged':
      return [
        { statement: 'changeMemberRole', binds: { roomId: change.roomId, userId: change.userId, role: change.role } },
      ];
    case 'messageInserted':
      return [
        {
          statement: 'insertMessage',
          binds: {
            roomId: change.roomId,
            seq: change.seq,
            messageId: change.messageId,
            senderId: change.senderId,
            text: change.text,
            clientMessageId: change.clientMessageId,
            createdAt: change.createdAt,
            erased: change.erased ? 1 : 0,
          },
        },
        { statement: 'noteLastMessage', binds: { roomId: change.roomId, seq: change.seq } },
        ...change.attachments.map(
          (attachment, itemNo): BoundStatement => ({
            statement: 'insertAttachment',
            binds: {
              roomId: change.roomId,
              seq: change.seq,
              itemNo,
              fileId: attachment.fileId,
              name: attachment.name,
              contentType: attachment.contentType,
              byteSize: attachment.size,
              sha256: attachment.sha256,
              width: attachment.width,
              height: attachment.height,
              thumbnail: attachment.thumbnail ? 1 : 0,
            },
          }),
        ),
      ];
    case 'messageEdited':
      return [
        {
          statement: 'copyTextToEdits',
          binds: {
            roomId: change.roomId,
            messageId: change.messageId,
            editSeq: change.editSeq,
            editedAt: change.editedAt,
            editedBy: change.editedBy,
          },
        },
        {
          statement: 'editMessage',
          binds: {
            roomId: change.roomId,
            messageId: change.messageId,
            text: change.text,
            editedAt: change.editedAt,
            editedBy: change.editedBy,
            erased: change.erased ? 1 : 0,
          },
        },
      ];
    case 'messageDeleted':
      return [
        {
          statement: 'deleteMessage',
          binds: {
            roomId: change.roomId,
            messageId: change.messageId,
            deletedAt: change.deletedAt,
            deletedBy: change.deletedBy,
          },
        },
        { statement: 'deleteMessageReactions', binds: { roomId: change.roomId, messageId: change.messageId } },
        { statement: 'deleteMessagePin', binds: { roomId: change.roomId, messageId: change.messageId } },
        { statement: 'recountThreadOfMessage', binds: { roomId: change.roomId, messageId: change.messageId } },
      ];
    case 'blockChanged': {
      const { userId, blockedUserId, at } = change;
      return change.blocked
        ? [{ statement: 'insertBlock', binds: { userId, blockedUserId, at } }]
        : [{ statement: 'deleteBlock', binds: { userId, blockedUserId } }];
    }
    case 'mentionsAdded': {
      const { roomId, seq, senderId, at } = change;
      return change.userIds.map((userId, position) => ({
        statement: 'insertMention',
        binds: { userId, roomId, seq, senderId, at, position },
      }));
    }
    case 'threadReplyAdded': {
      const { roomId, seq, replyToSeq, threadSeq } = change;
      return [
        { statement: 'insertReply', binds: { roomId, seq, replyToSeq, threadSeq } },
        { statement: 'recountThread', binds: { roomId, threadSeq } },
      ];
    }
    case 'messagePinned': {
      const { roomId, seq, pinnedBy, pinSeq, at } = change;
      return [{ statement: 'insertPin', binds: { roomId, seq, pinnedBy, pinSeq, at } }];
    }
    case 'messageUnpinned':
      return [{ statement: 'deletePin', binds: { roomId: change.roomId, seq: change.seq } }];
    case 'roomSettingChanged': {
      const binds = { roomId: change.roomId, value: change.value };
      return [{ statement: change.setting === 'name' ? 'renameRoom' : 'changeRoomTopic', binds }];
    }
    case 'reactionAdded': {
      const { roomId, seq, emoji, userId, reactionSeq, at } = change;
      return [{ statement: 'insertReaction', binds: { roomId, seq, emoji, userId, reactionSeq, at } }];
    }
    case 'reactionRemoved': {
      const { roomId, seq, emoji, userId } = change;
      return [{ statement: 'deleteReaction', binds: { roomId, seq, emoji, userId } }];
    }
    case 'roomAdvanced':
      return [{ statement: 'advanceRoom', binds: { roomId: change.roomId, headSeq: change.headSeq, at: change.at } }];
    case 'markersAdvanced':
      return [
        {
          statement: 'advanceMarkers',
          binds: {
            userId: change.userId,
            roomId: change.roomId,
            deliveredSeq: change.deliveredSeq,
            readSeq: change.readSeq,
            at: change.at,
          },
        },
      ];
    case 'friendshipChanged': {
      const { userId, friendId, at } = change;
      const cleared: BoundStatement = { statement: 'deleteFriendshipPair', binds: { userId, friendId } };
      const row = (from: string, to: string, status: string): BoundStatement => ({
        statement: 'insertFriendshipRow',
        binds: { userId: from, friendId: to, status, since: at },
      });
      switch (change.status) {
        case 'none':
          return [cleared];
        case 'pending':
          return [cleared, row(userId, friendId, 'sent'), row(friendId, userId, 'received')];
        case 'accepted':
          return [cleared, row(userId, friendId, 'accepted'), row(friendId, userId, 'accepted')];
        default: {
          const unknownStatus: never = change.status;
          throw new Error(`changeBinds: unknown friendship status ${String(unknownStatus)}`);
        }
      }
    }
    case 'fileRecorded':
      return [
        {
          statement: 'insertFile',
          binds: {
            fileId: change.fileId,
            uploadedBy: change.uploadedBy,
            name: change.name,
            contentType: change.contentType,
            byteSize: change.size,
            sha256: change.sha256,
            width: change.width,
            height: change.height,
            thumbnail: change.thumbnail ? 1 : 0,
            uploadedAt: change.uploadedAt,
            erased: change.erased ? 1 : 0,
          },
        },
      ];
    case 'fileDiscarded':
      return [{ statement: 'discardFile', binds: { fileId: change.fileId, discardedAt: change.discardedAt } }];
    default:
      return unreachable(change);
  }
}

function unreachable(change: never): never {
  throw new Error(`changeBinds: unhandled change ${JSON.stringify(change)}`);
}
