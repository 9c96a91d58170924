// The SQL of the SQLite history store, prepared once when the store opens; the friendship statements live with
// their feature in sqliteFriendships.ts.

import type Database from 'better-sqlite3';
import { MENTION_COUNT_SQL } from './sqliteMentions.js';

export type Statement = Database.Statement<unknown[], unknown>;

export type StatementName =
  | 'checkpoint'
  | 'saveCheckpoint'
  | 'upsertUser'
  | 'changeUserRole'
  | 'updateUserProfile'
  | 'changeUserPassword'
  | 'eraseUserEmail'
  | 'eraseUserMessages'
  | 'eraseUserEdits'
  | 'insertRoom'
  | 'renameRoom'
  | 'changeRoomTopic'
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
  | 'user'
  | 'userByUsername'
  | 'users'
  | 'usernames'
  | 'room'
  | 'roomsOfUser'
  | 'publicRooms'
  | 'members'
  | 'memberRole'
  | 'roomUse'
  | 'latestMessages'
  | 'messagesBefore'
  | 'messagesAfter'
  | 'messagesBetween'
  | 'message'
  | 'editHistory'
  | 'receipts';

const USER_COLUMNS = 'user_id, username, email, display_name, status_text, avatar_url, password_hash, role, created_at';
const ROOM_COLUMNS = `r.room_id, r.name, r.topic, r.kind, r.created_by, r.created_at, r.head_seq, r.last_message_seq,
  r.last_activity_at, (SELECT COUNT(*) FROM members c WHERE c.room_id = r.room_id) AS member_count`;
/** In this order: the message statements return raw rows (arrays), read by messageView (sqliteRows.ts). */
// Not room_id nor message_id: every read of messages names its room, and a message id is "<roomId>.<seq>"; two
// strings fewer per row made a page of 51 rows ~20 % cheaper to read (bench/README.md, tenth session).
const MESSAGE_COLUMNS = 'seq, sender_id, text, created_at, edited_at, deleted, erased';

/**
 * A member's rooms with their read state (parameters: user id, after room id, limit). The unread count is a range
 * search on the messages primary key (room_id, seq > read marker) per room of the page, so its cost is the number
 * of messages after the marker, never the room's whole history; a test holds the query plan to that.
 */
export const ROOMS_OF_USER_SQL = `SELECT ${ROOM_COLUMNS}, m.role AS member_role,
    (SELECT COUNT(*) FROM messages g
      WHERE g.room_id = m.room_id AND g.seq > COALESCE(k.read_seq, 0) AND g.deleted = 0 AND g.sender_id <> m.user_id
    ) AS unread_count,
    ${MENTION_COUNT_SQL},
    COALESCE(k.read_seq, 0) AS read_seq, COALESCE(k.delivered_seq, 0) AS delivered_seq
  FROM members m JOIN rooms r ON r.room_id = m.room_id
  LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
  WHERE m.user_id = ? AND m.room_id > ? ORDER BY m.room_id LIMIT ?`;

export function prepareStatements(db: Database.Database): Record<StatementName, Statement> {
  const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
  const raw = (sql: string): Statement => db.prepare<unknown[], unknown>(sql).raw();
  return {
    checkpoint: p('SELECT partition, position FROM projection_checkpoints WHERE name = ?'),
    saveCheckpoint: p(
      `INSERT INTO projection_checkpoints (name, partition, position) VALUES (?, ?, ?)
       ON CONFLICT (name, partition) DO UPDATE SET position = excluded.position`,
    ),
    upsertUser: p(
      `INSERT INTO users (user_id, username, username_normalised, email, display_name, password_hash, role, created_at)
       VALUES (@userId, @username, @usernameNormalised, @email, @displayName, @passwordHash, @role, @createdAt)
       ON CONFLICT (user_id) DO UPDATE SET username = excluded.username,
         username_normalised = excluded.username_normalised, email = excluded.email,
         display_name = excluded.display_name, password_hash = excluded.password_hash, role = excluded.role`,
    ),
    changeUserRole: p('UPDATE users SET role = @role WHERE user_id = @userId'),
    updateUserProfile: p(
      `UPDATE users SET display_name = @displayName, status_text = @statusText, avatar_url = @avatarUrl,
         avatar_file_id = @avatarFileId
       WHERE user_id = @userId`,
    ),
    changeUserPassword: p('UPDATE users SET password_hash = @passwordHash WHERE user_id = @userId'),
    eraseUserEmail: p('UPDATE users SET email = NULL WHERE user_id = @userId'),
    // Only the sender edits a message, so the sender's messages hold every text sealed with the erased key.
    eraseUserMessages: p(
      `UPDATE messages SET text = CASE WHEN deleted = 1 THEN NULL ELSE '' END, erased = 1
       WHERE sender_id = @userId AND erased = 0`,
    ),
    eraseUserEdits: p(
      `UPDATE message_edits SET text = ''
       WHERE (room_id, seq) IN (SELECT room_id, seq FROM messages WHERE sender_id = @userId)`,
    ),
    renameRoom: p('UPDATE rooms SET name = @value WHERE room_id = @roomId'),
    changeRoomTopic: p('UPDATE rooms SET topic = @value WHERE room_id = @roomId'),
    insertRoom: p(
      `INSERT INTO rooms (room_id, name, kind, created_by, created_at, head_seq, last_message_seq, last_activity_at)
       VALUES (@roomId, @name, @kind, @createdBy, @createdAt, @seq, NULL, @createdAt)
       ON CONFLICT (room_id) DO NOTHING`,
    ),
    upsertMember: p(
      `INSERT INTO members (room_id, user_id, role, added_by, joined_at)
       VALUES (@roomId, @userId, @role, @addedBy, @joinedAt)
       ON CONFLICT (room_id, user_id) DO UPDATE SET role = excluded.role`,
    ),
    deleteMember: p('DELETE FROM members WHERE room_id = @roomId AND user_id = @userId'),
    changeMemberRole: p('UPDATE members SET role = @role WHERE room_id = @roomId AND user_id = @userId'),
    // Positional, unlike the rest: it runs once per message, and better-sqlite3 binds named parameters by looking
    // each one up on the object, which made a bulk insert ~20 % slower (measured; bench/README.md, tenth session).
    insertMessage: p(
      `INSERT INTO messages (room_id, seq, message_id, sender_id, text, client_message_id, created_at, erased)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT DO NOTHING`,
    ),
    noteLastMessage: p(
      `UPDATE rooms SET last_message_seq = MAX(COALESCE(last_message_seq, 0), @seq) WHERE room_id = @roomId`,
    ),
    // Runs before editMessage, so `text` is still the previous text. A deleted message has no text to keep.
    copyTextToEdits: p(
      `INSERT OR IGNORE INTO message_edits (room_id, seq, edit_seq, text, edited_at, edited_by)
       SELECT room_id, seq, @editSeq, text, @editedAt, @editedBy FROM messages
       WHERE room_id = @roomId AND seq = @seq AND deleted = 0 AND text IS NOT NULL`,
    ),
    editMessage: p(
      `UPDATE messages SET text = @text, edited_at = @editedAt, edited_by = @editedBy, erased = MAX(erased, @erasedFlag)
       WHERE room_id = @roomId AND seq = @seq AND deleted = 0`,
    ),
    deleteMessage: p(
      `UPDATE messages SET text = NULL, deleted = 1, deleted_at = @deletedAt, deleted_by = @deletedBy
       WHERE room_id = @roomId AND seq = @seq AND deleted = 0`,
    ),
    advanceRoom: p(
      `UPDATE rooms SET head_seq = MAX(head_seq, @headSeq), last_activity_at = MAX(last_activity_at, @at)
       WHERE room_id = @roomId`,
    ),
    // MAX per column: a re-delivered or out-of-order receipt never moves a marker back.
    advanceMarkers: p(
      `INSERT INTO read_markers (user_id, room_id, delivered_seq, read_seq, updated_at)
       VALUES (@userId, @roomId, @deliveredSeq, @readSeq, @at)
       ON CONFLICT (user_id, room_id) DO UPDATE SET
         delivered_seq = MAX(delivered_seq, excluded.delivered_seq),
         read_seq = MAX(read_seq, excluded.read_seq),
         updated_at = MAX(updated_at, excluded.updated_at)`,
    ),

    user: p(`SELECT ${USER_COLUMNS} FROM users WHERE user_id = ?`),
    userByUsername: p(
      `SELECT ${USER_COLUMNS} FROM users WHERE username_normalised = ? ORDER BY created_at, user_id LIMIT 1`,
    ),
    users: p(`SELECT ${USER_COLUMNS} FROM users WHERE user_id IN (SELECT value FROM json_each(?))`),
    usernames: p('SELECT user_id, username FROM users WHERE user_id > ? ORDER BY user_id LIMIT ?'),
    room: p(`SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.room_id = ?`),
    roomsOfUser: p(ROOMS_OF_USER_SQL),
    publicRooms: p(
      `SELECT ${ROOM_COLUMNS} FROM rooms r WHERE r.kind = 'public' AND r.room_id > ? ORDER BY r.room_id LIMIT ?`,
    ),
    members: p(
      `SELECT m.user_id, u.username, u.display_name, m.role, m.joined_at
       FROM members m LEFT JOIN users u ON u.user_id = m.user_id
       WHERE m.room_id = ? ORDER BY m.joined_at, m.user_id`,
    ),
    memberRole: p('SELECT role FROM members WHERE room_id = ? AND user_id = ?'),
    // Raw [kind, role]: read on every request that touches a room (roomUseFacts in sqliteRows.ts).
    roomUse: raw(
      `SELECT r.kind, m.role FROM rooms r LEFT JOIN members m ON m.room_id = r.room_id AND m.user_id = ?
       WHERE r.room_id = ?`,
    ),
    latestMessages: raw(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?`),
    messagesBefore: raw(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    ),
    messagesAfter: raw(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
    ),
    messagesBetween: raw(
      `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?`,
    ),
    message: raw(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq = ?`),
    editHistory: p(
      'SELECT text, edited_at, edited_by FROM message_edits WHERE room_id = ? AND seq = ? ORDER BY edit_seq',
    ),
    receipts: p(
      `SELECT m.user_id, COALESCE(k.read_seq, 0) AS read_seq,
         COALESCE(k.delivered_seq, 0) AS delivered_seq
       FROM members m LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
       WHERE m.room_id = ? ORDER BY m.joined_at, m.user_id`,
    ),
  };
}
