// Rows come back from SQLite as `unknown`; these schemas are the one place their shape is checked and turned into
// views. Times are stored as INTEGER milliseconds and become ISO strings here.

import { z } from 'zod';
import { messageIdOf } from '../../../domain/ids.js';
import { messageViewOf } from '../messageViews.js';

import type { RoomKind, RoomRole } from '../../../events/chatEvents.js';
import type {
  EditView,
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
const millis = z.number().int();

export const userRow = z
  .object({
    user_id: z.string(),
    username: z.string(),
    email: z.string().nullable(),
    display_name: z.string(),
    status_text: z.string(),
    avatar_url: z.string().nullable(),
    password_hash: z.string(),
    role: z.enum(['user', 'admin', 'auditor', 'analyst']),
    created_at: millis,
  })
  .transform(
    (r): UserView => ({
      userId: r.user_id,
      username: r.username,
      email: r.email,
      displayName: r.display_name,
      statusText: r.status_text,
      avatarUrl: r.avatar_url,
      role: r.role,
      createdAt: isoTime(r.created_at),
      passwordHash: r.password_hash,
    }),
  );

export const usernameRow = z
  .object({ user_id: z.string(), username: z.string() })
  .transform((r): UsernameEntry => ({ userId: r.user_id, username: r.username }));

const roomFields = {
  room_id: z.string(),
  name: z.string(),
  topic: z.string(),
  kind: z.enum(['public', 'private', 'direct']),
  created_by: z.string(),
  created_at: millis,
  head_seq: z.number().int(),
  last_message_seq: z.number().int().nullable(),
  last_activity_at: millis,
  member_count: z.number().int(),
};
type RoomRowFields = z.infer<z.ZodObject<typeof roomFields>>;
const toRoomView = (r: RoomRowFields): RoomView => ({
  roomId: r.room_id,
  name: r.name,
  topic: r.topic,
  kind: r.kind,
  createdBy: r.created_by,
  createdAt: isoTime(r.created_at),
  memberCount: r.member_count,
  headSeq: r.head_seq,
  lastMessageSeq: r.last_message_seq,
  lastActivityAt: isoTime(r.last_activity_at),
});
export const roomRow = z.object(roomFields).transform(toRoomView);
const seqColumn = z.number().int().nonnegative();
export const userRoomRow = z
  .object({
    ...roomFields,
    member_role: roomRole,
    unread_count: z.number().int(),
    mention_count: z.number().int(),
    read_seq: seqColumn,
    delivered_seq: seqColumn,
  })
  .transform(
    (r): UserRoomView => ({
      ...toRoomView(r),
      role: r.member_role,
      unreadCount: r.unread_count,
      mentionCount: r.mention_count,
      readSeq: r.read_seq,
      deliveredSeq: r.delivered_seq,
    }),
  );

export const receiptRow = z
  .object({ user_id: z.string(), delivered_seq: seqColumn, read_seq: seqColumn })
  .transform((r): ReceiptView => ({ userId: r.user_id, deliveredSeq: r.delivered_seq, readSeq: r.read_seq }));

export const memberRow = z
  .object({
    user_id: z.string(),
    username: z.string().nullable(),
    display_name: z.string().nullable(),
    role: roomRole,
    joined_at: millis,
  })
  .transform(
    (r): MemberView => ({
      userId: r.user_id,
      username: r.username,
      displayName: r.display_name,
      role: r.role,
      joinedAt: isoTime(r.joined_at),
    }),
  );

export const roleRow = z.object({ role: roomRole }).transform((r): RoomRole => r.role);

/**
 * A message row of room `roomId` as its statements return it: raw (an array in MESSAGE_COLUMNS order,
 * sqliteStatements.ts), not an object per row, and checked here by hand rather than by a schema. A history page is
 * 51 of them, and building and parsing an object for each was a third of the page's CPU (measured: 130 µs against
 * 81 µs for the rows alone).
 */
export function messageView(roomId: string, row: unknown): MessageView {
  if (!Array.isArray(row) || row.length !== 7) throw new HistoryRowError('message', row);
  const [seq, senderId, text, createdAt, editedAt, deleted, erased] = row as unknown[];
  if (
    !Number.isInteger(seq) ||
    typeof senderId !== 'string' ||
    (text !== null && typeof text !== 'string') ||
    !Number.isInteger(createdAt) ||
    (editedAt !== null && !Number.isInteger(editedAt)) ||
    (deleted !== 0 && deleted !== 1) ||
    (erased !== 0 && erased !== 1)
  ) {
    throw new HistoryRowError('message', row);
  }
  return messageViewOf({
    messageId: messageIdOf(roomId, seq as number),
    roomId,
    seq: seq as number,
    senderId,
    text,
    createdAt: createdAt as number,
    editedAt: editedAt as number | null,
    deleted: deleted === 1,
    erased: erased === 1,
  });
}

const ROOM_KINDS: readonly unknown[] = ['public', 'private', 'direct'] satisfies RoomKind[];
const ROOM_ROLES: readonly unknown[] = ['owner', 'moderator', 'member'] satisfies RoomRole[];

/** A raw [kind, role] row of the roomUse statement (role null: not a member), checked by hand like messageView. */
export function roomUseFacts(row: unknown): RoomUseFacts {
  if (!Array.isArray(row) || row.length !== 2) throw new HistoryRowError('room use', row);
  const [kind, role] = row as unknown[];
  if (!ROOM_KINDS.includes(kind) || (role !== null && !ROOM_ROLES.includes(role))) throw new HistoryRowError('room use', row);
  return { kind: kind as RoomKind, myRole: role as RoomRole | null };
}

/** A row of a shape its statement cannot return: the file was changed behind the store's back. */
export class HistoryRowError extends Error {
  constructor(kind: string, row: unknown) {
    super(`unexpected ${kind} row from the history store: ${JSON.stringify(row)}`);
    this.name = 'HistoryRowError';
  }
}

export const editRow = z
  .object({ text: z.string(), edited_at: millis, edited_by: z.string() })
  .transform((r): EditView => ({ text: r.text, editedAt: isoTime(r.edited_at), editedBy: r.edited_by }));

export const checkpointRow = z
  .object({ partition: z.number().int(), position: z.number().int() })
  .transform((r): [number, number] => [r.partition, r.position]);

export function parseOptional<T>(schema: z.ZodType<T>, row: unknown): T | undefined {
  return row === undefined ? undefined : schema.parse(row);
}
