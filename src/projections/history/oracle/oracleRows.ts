// Rows come back from node-oracledb as `unknown` objects keyed by upper-case column names (OUT_FORMAT_OBJECT);
// these schemas are the one place their shape is checked and turned into views. NULL in a column that holds a
// possibly empty string is '' (Oracle stores '' as NULL).

import { z } from 'zod';
import { messageViewOf } from '../messageViews.js';

import type { RoomRole } from '../../../events/chatEvents.js';
import type { ReactionRow } from '../reactionViews.js';
import type { MentionRow } from '../mentionViews.js';
import type { ReplyRow, ThreadRootRow } from '../threadViews.js';
import type {
  AttachmentView,
  BlockView,
  EditView,
  FileView,
  FriendshipView,
  MemberView,
  MessageView,
  ReceiptView,
  RoomUseFacts,
  RoomView,
  UsernameEntry,
  UserRoomView,
  UserView,
} from '../historyStore.js';
import { isoTime } from '../../../support/isoTime.js';

const roomRole = z.enum(['owner', 'moderator', 'member']);
const int = z.number().int();
const seq = z.number().int().nonnegative();
const emptyable = z
  .string()
  .nullable()
  .transform((value) => value ?? '');

export const userRow = z
  .object({
    USER_ID: z.string(),
    USERNAME: z.string(),
    EMAIL: z.string().nullable(),
    DISPLAY_NAME: emptyable,
    STATUS_TEXT: emptyable,
    AVATAR_URL: z.string().nullable(),
    PASSWORD_HASH: z.string(),
    ROLE: z.enum(['user', 'admin', 'auditor', 'analyst']),
    CREATED_AT: int,
  })
  .transform(
    (r): UserView => ({
      userId: r.USER_ID,
      username: r.USERNAME,
      email: r.EMAIL,
      displayName: r.DISPLAY_NAME,
      statusText: r.STATUS_TEXT,
      avatarUrl: r.AVATAR_URL,
      role: r.ROLE,
      createdAt: isoTime(r.CREATED_AT),
      passwordHash: r.PASSWORD_HASH,
    }),
  );

const roomFields = {
  ROOM_ID: z.string(),
  NAME: emptyable,
  TOPIC: emptyable,
  KIND: z.enum(['public', 'private', 'direct']),
  CREATED_BY: z.string(),
  CREATED_AT: int,
  HEAD_SEQ: int,
  LAST_MESSAGE_SEQ: int.nullable(),
  LAST_ACTIVITY_AT: int,
  MEMBER_COUNT: int,
};
type RoomRowFields = z.infer<z.ZodObject<typeof roomFields>>;
const toRoomView = (r: RoomRowFields): RoomView => ({
  roomId: r.ROOM_ID,
  name: r.NAME,
  topic: r.TOPIC,
  kind: r.KIND,
  createdBy: r.CREATED_BY,
  createdAt: isoTime(r.CREATED_AT),
  memberCount: r.MEMBER_COUNT,
  headSeq: r.HEAD_SEQ,
  lastMessageSeq: r.LAST_MESSAGE_SEQ,
  lastActivityAt: isoTime(r.LAST_ACTIVITY_AT),
});

export const roomRow = z.object(roomFields).transform(toRoomView);

export const userRoomRow = z
  .object({ ...roomFields, MEMBER_ROLE: roomRole, UNREAD_COUNT: int, MENTION_COUNT: int, READ_SEQ: seq, DELIVERED_SEQ: seq })
  .transform(
    (r): UserRoomView => ({
      ...toRoomView(r),
      role: r.MEMBER_ROLE,
      unreadCount: r.UNREAD_COUNT,
      mentionCount: r.MENTION_COUNT,
      readSeq: r.READ_SEQ,
      deliveredSeq: r.DELIVERED_SEQ,
    }),
  );

export const receiptRow = z
  .object({ USER_ID: z.string(), DELIVERED_SEQ: seq, READ_SEQ: seq })
  .transform((r): ReceiptView => ({ userId: r.USER_ID, deliveredSeq: r.DELIVERED_SEQ, readSeq: r.READ_SEQ }));

export const memberRow = z
  .object({
    USER_ID: z.string(),
    KNOWN_USER: z.string().nullable(),
    USERNAME: z.string().nullable(),
    DISPLAY_NAME: z.string().nullable(),
    ROLE: roomRole,
    JOINED_AT: int,
  })
  .transform(
    (r): MemberView => ({
      userId: r.USER_ID,
      username: r.USERNAME,
      // A projected user with an empty display name reads NULL too; only an unknown user has none.
      displayName: r.KNOWN_USER === null ? null : (r.DISPLAY_NAME ?? ''),
      role: r.ROLE,
      joinedAt: isoTime(r.JOINED_AT),
    }),
  );

export const roleRow = z.object({ ROLE: roomRole }).transform((r): RoomRole => r.ROLE);

export const roomUseRow = z
  .object({ KIND: z.enum(['public', 'private', 'direct']), ROLE: roomRole.nullable() })
  .transform((r): RoomUseFacts => ({ kind: r.KIND, myRole: r.ROLE }));

export const messageRow = z
  .object({
    MESSAGE_ID: z.string(),
    ROOM_ID: z.string(),
    SEQ: int,
    SENDER_ID: z.string(),
    TEXT: z.string().nullable(),
    CREATED_AT: int,
    EDITED_AT: int.nullable(),
    DELETED: z.union([z.literal(0), z.literal(1)]),
    ERASED: z.union([z.literal(0), z.literal(1)]),
  })
  .transform(
    (r): MessageView =>
      messageViewOf({
        messageId: r.MESSAGE_ID,
        roomId: r.ROOM_ID,
        seq: r.SEQ,
        senderId: r.SENDER_ID,
        text: r.TEXT,
        createdAt: r.CREATED_AT,
        editedAt: r.EDITED_AT,
        deleted: r.DELETED === 1,
        erased: r.ERASED === 1,
      }),
  );

export const editRow = z
  .object({ TEXT: z.string().nullable(), EDITED_AT: int, EDITED_BY: z.string() })
  // NULL only for a text erased with its sender's key (Oracle stores '' as NULL).
  .transform((r): EditView => ({ text: r.TEXT ?? '', editedAt: isoTime(r.EDITED_AT), editedBy: r.EDITED_BY }));

export const checkpointRow = z
  .object({ PARTITION_NO: int, POSITION: int })
  .transform((r): [number, number] => [r.PARTITION_NO, r.POSITION]);

export const versionRow = z.object({ VERSION: int }).transform((r) => r.VERSION);

export const characterSetRow = z.object({ VALUE: z.string() }).transform((r) => r.VALUE);

export const friendshipRow = z
  .object({ FRIEND_ID: z.string(), SINCE: int })
  .transform((r): FriendshipView => ({ userId: r.FRIEND_ID, since: isoTime(r.SINCE) }));

export const userIdRow = z.object({ USER_ID: z.string() }).transform((r) => r.USER_ID);

const flag = z.union([z.literal(0), z.literal(1)]);

export const fileRow = z
  .object({
    FILE_ID: z.string(),
    UPLOADED_BY: z.string(),
    NAME: emptyable,
    CONTENT_TYPE: z.string(),
    BYTE_SIZE: int,
    SHA256: z.string(),
    WIDTH: int.nullable(),
    HEIGHT: int.nullable(),
    THUMBNAIL: flag,
    UPLOADED_AT: int,
    ERASED: flag,
    DISCARDED_AT: int.nullable(),
  })
  .transform(
    (r): FileView => ({
      fileId: r.FILE_ID,
      uploadedBy: r.UPLOADED_BY,
      name: r.ERASED === 1 ? '' : r.NAME,
      contentType: r.CONTENT_TYPE,
      size: r.BYTE_SIZE,
      sha256: r.SHA256,
      width: r.WIDTH,
      height: r.HEIGHT,
      thumbnail: r.THUMBNAIL === 1,
      uploadedAt: isoTime(r.UPLOADED_AT),
      erased: r.ERASED === 1,
      discarded: r.DISCARDED_AT !== null,
    }),
  );

/** A message's attachment; ERASED (the file's) is NULL while the upload is not projected yet. */
export const attachmentRow = z
  .object({
    SEQ: int,
    FILE_ID: z.string(),
    CONTENT_TYPE: z.string(),
    BYTE_SIZE: int,
    SHA256: z.string(),
    NAME: emptyable,
    WIDTH: int.nullable(),
    HEIGHT: int.nullable(),
    THUMBNAIL: flag,
    ERASED: flag.nullable(),
  })
  .transform((r): { seq: number; view: AttachmentView } => ({
    seq: r.SEQ,
    view: {
      fileId: r.FILE_ID,
      contentType: r.CONTENT_TYPE,
      size: r.BYTE_SIZE,
      sha256: r.SHA256,
      // An erased uploader's file shows no name anywhere, also in a message someone else sent with it (a forward).
      name: r.ERASED === 1 ? '' : r.NAME,
      width: r.WIDTH,
      height: r.HEIGHT,
      thumbnail: r.THUMBNAIL === 1,
      erased: r.ERASED === 1,
    },
  }));

export const audienceRow = z
  .object({ ROOM_ID: z.string(), KIND: z.enum(['public', 'private', 'direct']), MEMBER: flag })
  .transform((r) => ({ roomId: r.ROOM_ID, kind: r.KIND, member: r.MEMBER === 1 }));

export const usernameRow = z
  .object({ USER_ID: z.string(), USERNAME: z.string() })
  .transform((r): UsernameEntry => ({ userId: r.USER_ID, username: r.USERNAME }));

export const reactionRow = z
  .object({ SEQ: int, EMOJI: z.string(), USER_ID: z.string() })
  .transform((r): ReactionRow => ({ seq: r.SEQ, emoji: r.EMOJI, userId: r.USER_ID }));

export const pinnedSeqRow = z.object({ SEQ: int }).transform((r) => r.SEQ);

export const replyRow = z
  .object({ SEQ: int, REPLY_TO_SEQ: int, THREAD_SEQ: int })
  .transform((r): ReplyRow => ({ seq: r.SEQ, replyToSeq: r.REPLY_TO_SEQ, threadSeq: r.THREAD_SEQ }));

export const mentionRow = z
  .object({ SEQ: int, USER_ID: z.string() })
  .transform((r): MentionRow => ({ seq: r.SEQ, userId: r.USER_ID }));

export const placeRow = z.object({ ROOM_ID: z.string(), SEQ: int }).transform((r) => ({ roomId: r.ROOM_ID, seq: r.SEQ }));

export const blockRow = z
  .object({ BLOCKED_ID: z.string(), BLOCKED_AT: int })
  .transform((r): BlockView => ({ userId: r.BLOCKED_ID, blockedAt: isoTime(r.BLOCKED_AT) }));

export const threadSeqRow = z.object({ SEQ: int }).transform((r) => r.SEQ);

export const threadRootRow = z
  .object({ ROOT_SEQ: int, REPLY_COUNT: int, LAST_REPLY_AT: int.nullable() })
  .transform(
    (r): ThreadRootRow => ({
      rootSeq: r.ROOT_SEQ,
      replyCount: r.REPLY_COUNT,
      lastReplyAt: r.LAST_REPLY_AT === null ? null : isoTime(r.LAST_REPLY_AT),
    }),
  );
