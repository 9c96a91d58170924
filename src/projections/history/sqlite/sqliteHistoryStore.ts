// The embedded history read model: SQLite tables written by the history projector and read by the query API.

import Database from 'better-sqlite3';
import { z } from 'zod';

import { normaliseUsername } from '../../../domain/ids.js';
import type { RoomRole } from '../../../events/chatEvents.js';
import type { RecordedEvent } from '../../../events/envelope.js';
import { checkpointFromEntries, type Checkpoint } from '../../../eventlog/checkpoint.js';
import { historyChanges, type HistoryChange } from '../historyChanges.js';
import { FRIENDSHIPS_SCHEMA, SqliteFriendships } from './sqliteFriendships.js';
import type {
  EditView,
  FriendshipListKind,
  FriendshipView,
  GetMessagesOptions,
  HistoryStore,
  ListPublicRoomsOptions,
  ListRoomsOfUserOptions,
  MemberView,
  MessagesPage,
  MessageView,
  ReceiptView,
  RoomsPage,
  RoomView,
  UserRoomView,
  UserView,
} from '../historyStore.js';
import { checkLimit, checkSeq, pageOfRooms } from '../historyStoreArguments.js';

export interface SqliteHistoryStoreOptions {
  /** A file path, or ':memory:' for a store that lives as long as the process. */
  filename: string;
  /** The rows of projection_checkpoints this store keeps its positions in (one per partition). Default 'history'. */
  projectionName?: string;
}

// Times are INTEGER milliseconds (what events carry); views turn them into ISO strings. Members are deleted when
// they leave, so the members table is "who is there now". Messages keep their row when deleted (the seq stays
// visible in history) with text set to NULL; earlier texts live in message_edits, one row per edit keyed by the
// edit event's stream version so a repeated edit can never add a second row.
const CHECKPOINTS_TABLE = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name      TEXT    NOT NULL,
  partition INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  PRIMARY KEY (name, partition)
) WITHOUT ROWID;
`;

const SCHEMA = `${CHECKPOINTS_TABLE}

CREATE TABLE IF NOT EXISTS users (
  user_id             TEXT PRIMARY KEY,
  username            TEXT NOT NULL,
  username_normalised TEXT NOT NULL,
  email               TEXT,
  display_name        TEXT NOT NULL,
  password_hash       TEXT NOT NULL,
  role                TEXT NOT NULL,
  created_at          INTEGER NOT NULL
) WITHOUT ROWID;
-- Not UNIQUE: the username claim stream already guarantees uniqueness, and a read model must never refuse a
-- recorded fact (a constraint failure here would stall the projector forever).
CREATE INDEX IF NOT EXISTS users_by_username ON users (username_normalised, created_at);

CREATE TABLE IF NOT EXISTS rooms (
  room_id          TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  head_seq         INTEGER NOT NULL,
  last_message_seq INTEGER,
  last_activity_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rooms_by_kind ON rooms (kind, room_id);

CREATE TABLE IF NOT EXISTS members (
  room_id   TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  role      TEXT NOT NULL,
  added_by  TEXT,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id, room_id);

CREATE TABLE IF NOT EXISTS messages (
  room_id           TEXT NOT NULL,
  seq               INTEGER NOT NULL,
  message_id        TEXT NOT NULL,
  sender_id         TEXT NOT NULL,
  text              TEXT,
  client_message_id TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  edited_at         INTEGER,
  edited_by         TEXT,
  deleted           INTEGER NOT NULL DEFAULT 0,
  deleted_at        INTEGER,
  deleted_by        TEXT,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_id ON messages (message_id);

CREATE TABLE IF NOT EXISTS message_edits (
  room_id   TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  edit_seq  INTEGER NOT NULL,
  text      TEXT NOT NULL,
  edited_at INTEGER NOT NULL,
  edited_by TEXT NOT NULL,
  PRIMARY KEY (room_id, seq, edit_seq)
) WITHOUT ROWID;

-- From each user's receipts stream. Not deleted when a member leaves: the markers are the user's, and rejoining
-- picks them up again. Rows may also arrive before the room or membership they refer to (another partition).
CREATE TABLE IF NOT EXISTS read_markers (
  user_id       TEXT NOT NULL,
  room_id       TEXT NOT NULL,
  delivered_seq INTEGER NOT NULL,
  read_seq      INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
`;

const USER_COLUMNS = 'user_id, username, email, display_name, status_text, avatar_url, password_hash, role, created_at';
const ROOM_COLUMNS = `r.room_id, r.name, r.kind, r.created_by, r.created_at, r.head_seq, r.last_message_seq,
  r.last_activity_at, (SELECT COUNT(*) FROM members c WHERE c.room_id = r.room_id) AS member_count`;
const MESSAGE_COLUMNS = 'message_id, room_id, seq, sender_id, text, created_at, edited_at, deleted, erased';

/**
 * A member's rooms with their read state (parameters: user id, after room id, limit). The unread count is a range
 * search on the messages primary key (room_id, seq > read marker) per room of the page, so its cost is the number
 * of messages after the marker, never the room's whole history; a test holds the query plan to that.
 */
export const ROOMS_OF_USER_SQL = `SELECT ${ROOM_COLUMNS}, m.role AS member_role,
    (SELECT COUNT(*) FROM messages g
      WHERE g.room_id = m.room_id AND g.seq > COALESCE(k.read_seq, 0) AND g.deleted = 0 AND g.sender_id <> m.user_id
    ) AS unread_count,
    COALESCE(k.read_seq, 0) AS read_seq, COALESCE(k.delivered_seq, 0) AS delivered_seq
  FROM members m JOIN rooms r ON r.room_id = m.room_id
  LEFT JOIN read_markers k ON k.user_id = m.user_id AND k.room_id = m.room_id
  WHERE m.user_id = ? AND m.room_id > ? ORDER BY m.room_id LIMIT ?`;

// Rows come back from SQLite as `unknown`; these schemas are the one place their shape is checked.
const roomRole = z.enum(['owner', 'moderator', 'member']);
const millis = z.number().int();
const iso = (ms: number): string => new Date(ms).toISOString();

const userRow = z
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
      createdAt: iso(r.created_at),
      passwordHash: r.password_hash,
    }),
  );

const roomFields = {
  room_id: z.string(),
  name: z.string(),
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
  kind: r.kind,
  createdBy: r.created_by,
  createdAt: iso(r.created_at),
  memberCount: r.member_count,
  headSeq: r.head_seq,
  lastMessageSeq: r.last_message_seq,
  lastActivityAt: iso(r.last_activity_at),
});
const roomRow = z.object(roomFields).transform(toRoomView);
const seqColumn = z.number().int().nonnegative();
const userRoomRow = z
  .object({
    ...roomFields,
    member_role: roomRole,
    unread_count: z.number().int(),
    read_seq: seqColumn,
    delivered_seq: seqColumn,
  })
  .transform(
    (r): UserRoomView => ({
      ...toRoomView(r),
      role: r.member_role,
      unreadCount: r.unread_count,
      readSeq: r.read_seq,
      deliveredSeq: r.delivered_seq,
    }),
  );

const receiptRow = z
  .object({ user_id: z.string(), delivered_seq: seqColumn, read_seq: seqColumn })
  .transform((r): ReceiptView => ({ userId: r.user_id, deliveredSeq: r.delivered_seq, readSeq: r.read_seq }));

const memberRow = z
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
      joinedAt: iso(r.joined_at),
    }),
  );

const roleRow = z.object({ role: roomRole }).transform((r): RoomRole => r.role);

const messageRow = z
  .object({
    message_id: z.string(),
    room_id: z.string(),
    seq: z.number().int(),
    sender_id: z.string(),
    text: z.string().nullable(),
    created_at: millis,
    edited_at: millis.nullable(),
    deleted: z.union([z.literal(0), z.literal(1)]),
    erased: z.union([z.literal(0), z.literal(1)]),
  })
  .transform(
    (r): MessageView => ({
      messageId: r.message_id,
      roomId: r.room_id,
      seq: r.seq,
      senderId: r.sender_id,
      text: r.deleted === 1 ? null : r.erased === 1 ? '' : r.text,
      createdAt: iso(r.created_at),
      editedAt: r.edited_at === null ? null : iso(r.edited_at),
      deleted: r.deleted === 1,
      erased: r.erased === 1,
    }),
  );

const editRow = z
  .object({ text: z.string(), edited_at: millis, edited_by: z.string() })
  .transform((r): EditView => ({ text: r.text, editedAt: iso(r.edited_at), editedBy: r.edited_by }));

const checkpointRow = z
  .object({ partition: z.number().int(), position: z.number().int() })
  .transform((r): [number, number] => [r.partition, r.position]);

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly projectionName: string;
  private readonly sql: Record<
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
    | 'room'
    | 'roomsOfUser'
    | 'publicRooms'
    | 'members'
    | 'memberRole'
    | 'latestMessages'
    | 'messagesBefore'
    | 'messagesAfter'
    | 'messagesBetween'
    | 'message'
    | 'editHistory'
    | 'receipts',
    Statement
  >;
  private readonly applyInTransaction: (events: RecordedEvent[]) => void;
  /**
   * Room-row moves of the batch in progress, written once per room instead of once per event: every message also
   * moved its room's head and last message, which was two UPDATEs of the same row per message and the largest share
   * of a rebuild's time. MAX semantics make the merged write equal to the sequence of writes it replaces.
   */
  private readonly roomMoves = new Map<string, { headSeq: number; at: number; lastMessageSeq: number }>();
  private closed = false;
  private readonly friendships: SqliteFriendships;

  constructor(options: SqliteHistoryStoreOptions) {
    this.projectionName = options.projectionName ?? 'history';
    this.db = new Database(options.filename);
    // WAL lets the query API read while the projector writes; NORMAL sync is safe under WAL (a crash can lose the
    // last transactions, and the checkpoint goes with them, so the projector simply re-applies them).
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    migrateCheckpointsToPartitions(this.db);
    this.db.exec(SCHEMA);
    addErasedColumn(this.db);
    addProfileColumns(this.db);
    this.db.exec(FRIENDSHIPS_SCHEMA);
    this.friendships = new SqliteFriendships(this.db);

    const p = (sql: string): Statement => this.db.prepare<unknown[], unknown>(sql);
    this.sql = {
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
        `UPDATE users SET display_name = @displayName, status_text = @statusText, avatar_url = @avatarUrl
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
      insertMessage: p(
        `INSERT INTO messages (room_id, seq, message_id, sender_id, text, client_message_id, created_at, erased)
         VALUES (@roomId, @seq, @messageId, @senderId, @text, @clientMessageId, @createdAt, @erasedFlag)
         ON CONFLICT DO NOTHING`,
      ),
      noteLastMessage: p(
        `UPDATE rooms SET last_message_seq = MAX(COALESCE(last_message_seq, 0), @seq) WHERE room_id = @roomId`,
      ),
      // Runs before editMessage, so `text` is still the previous text. A deleted message has no text to keep.
      copyTextToEdits: p(
        `INSERT OR IGNORE INTO message_edits (room_id, seq, edit_seq, text, edited_at, edited_by)
         SELECT room_id, seq, @editSeq, text, @editedAt, @editedBy FROM messages
         WHERE room_id = @roomId AND message_id = @messageId AND deleted = 0 AND text IS NOT NULL`,
      ),
      editMessage: p(
        `UPDATE messages SET text = @text, edited_at = @editedAt, edited_by = @editedBy, erased = MAX(erased, @erasedFlag)
         WHERE room_id = @roomId AND message_id = @messageId AND deleted = 0`,
      ),
      deleteMessage: p(
        `UPDATE messages SET text = NULL, deleted = 1, deleted_at = @deletedAt, deleted_by = @deletedBy
         WHERE room_id = @roomId AND message_id = @messageId AND deleted = 0`,
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
      latestMessages: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? ORDER BY seq DESC LIMIT ?`),
      messagesBefore: p(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
      ),
      messagesAfter: p(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? ORDER BY seq ASC LIMIT ?`,
      ),
      messagesBetween: p(
        `SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq > ? AND seq < ? ORDER BY seq ASC LIMIT ?`,
      ),
      message: p(`SELECT ${MESSAGE_COLUMNS} FROM messages WHERE room_id = ? AND seq = ?`),
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

    this.applyInTransaction = this.db.transaction((events: RecordedEvent[]) => {
      // A mutable map rather than checkpoint.ts's immutable helpers: this loop runs per event during a rebuild.
      const positions = new Map(Object.entries(this.readCheckpoint()).map(([p, position]) => [Number(p), position]));
      const moved = new Set<number>();
      this.roomMoves.clear();
      for (const event of events) {
        // At-least-once delivery: anything at or below the checkpoint of its partition is already in the view.
        if (event.position <= (positions.get(event.partition) ?? 0)) continue;
        for (const change of historyChanges(event)) this.applyChange(change);
        positions.set(event.partition, event.position);
        moved.add(event.partition);
      }
      this.writeRoomMoves();
      for (const partition of moved) this.sql.saveCheckpoint.run(this.projectionName, partition, positions.get(partition));
    });
  }

  async applyBatch(events: RecordedEvent[]): Promise<void> {
    this.applyInTransaction(events);
  }

  async checkpoint(): Promise<Checkpoint> {
    return this.readCheckpoint();
  }

  async getUser(userId: string): Promise<UserView | undefined> {
    return parseOptional(userRow, this.sql.user.get(userId));
  }

  async getUserByUsername(username: string): Promise<UserView | undefined> {
    return parseOptional(userRow, this.sql.userByUsername.get(normaliseUsername(username)));
  }

  async getUsers(userIds: readonly string[]): Promise<UserView[]> {
    if (userIds.length === 0) return [];
    const found = new Map<string, UserView>();
    for (const row of this.sql.users.all(JSON.stringify(userIds))) {
      const user = userRow.parse(row);
      found.set(user.userId, user);
    }
    const ordered: UserView[] = [];
    for (const id of new Set(userIds)) {
      const user = found.get(id);
      if (user) ordered.push(user);
    }
    return ordered;
  }

  async getRoom(roomId: string): Promise<RoomView | undefined> {
    return parseOptional(roomRow, this.sql.room.get(roomId));
  }

  async listRoomsOfUser(userId: string, options: ListRoomsOfUserOptions): Promise<RoomsPage<UserRoomView>> {
    const limit = checkLimit(options.limit);
    const rows = this.sql.roomsOfUser.all(userId, options.afterRoomId ?? '', limit + 1);
    return pageOfRooms(rows.map((row) => userRoomRow.parse(row)), limit);
  }

  async listPublicRooms(options: ListPublicRoomsOptions): Promise<RoomsPage> {
    const limit = checkLimit(options.limit);
    const rows = this.sql.publicRooms.all(options.after ?? '', limit + 1);
    return pageOfRooms(rows.map((row) => roomRow.parse(row)), limit);
  }

  async getMembers(roomId: string): Promise<MemberView[]> {
    return this.sql.members.all(roomId).map((row) => memberRow.parse(row));
  }

  async getMemberRole(roomId: string, userId: string): Promise<RoomRole | undefined> {
    return parseOptional(roleRow, this.sql.memberRole.get(roomId, userId));
  }

  async getMessages(roomId: string, options: GetMessagesOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    const { before, after } = options;
    if (before !== undefined) checkSeq('before', before);
    if (after !== undefined) checkSeq('after', after);
    // Fetch one row more than asked: its presence is what hasMore reports, without a COUNT.
    let rows: unknown[];
    let newestFirst: boolean;
    if (after !== undefined && before !== undefined) {
      rows = this.sql.messagesBetween.all(roomId, after, before, limit + 1);
      newestFirst = false;
    } else if (after !== undefined) {
      rows = this.sql.messagesAfter.all(roomId, after, limit + 1);
      newestFirst = false;
    } else if (before !== undefined) {
      rows = this.sql.messagesBefore.all(roomId, before, limit + 1);
      newestFirst = true;
    } else {
      rows = this.sql.latestMessages.all(roomId, limit + 1);
      newestFirst = true;
    }
    const hasMore = rows.length > limit;
    const messages = rows.slice(0, limit).map((row) => messageRow.parse(row));
    if (newestFirst) messages.reverse();
    return { messages, hasMore };
  }

  async getMessage(roomId: string, seq: number): Promise<MessageView | undefined> {
    return parseOptional(messageRow, this.sql.message.get(roomId, seq));
  }

  async getEditHistory(roomId: string, seq: number): Promise<EditView[]> {
    return this.sql.editHistory.all(roomId, seq).map((row) => editRow.parse(row));
  }

  async getReceipts(roomId: string): Promise<ReceiptView[]> {
    return this.sql.receipts.all(roomId).map((row) => receiptRow.parse(row));
  }

  async listFriendships(userId: string, kind: FriendshipListKind): Promise<FriendshipView[]> {
    return this.friendships.listOf(userId, kind);
  }

  async getUsersByEmail(email: string): Promise<UserView[]> {
    return this.getUsers(this.friendships.userIdsWithEmail(email));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }

  private readCheckpoint(): Checkpoint {
    return checkpointFromEntries(this.sql.checkpoint.all(this.projectionName).map((row) => checkpointRow.parse(row)));
  }

  /** Merges one room-row move into the batch's pending ones (0 = no move of that column). */
  private moveRoom(roomId: string, headSeq: number, at: number, lastMessageSeq: number): void {
    const move = this.roomMoves.get(roomId);
    if (move === undefined) {
      this.roomMoves.set(roomId, { headSeq, at, lastMessageSeq });
      return;
    }
    move.headSeq = Math.max(move.headSeq, headSeq);
    move.at = Math.max(move.at, at);
    move.lastMessageSeq = Math.max(move.lastMessageSeq, lastMessageSeq);
  }

  private writeRoomMoves(): void {
    for (const [roomId, move] of this.roomMoves) {
      this.sql.advanceRoom.run({ roomId, headSeq: move.headSeq, at: move.at });
      if (move.lastMessageSeq > 0) this.sql.noteLastMessage.run({ roomId, seq: move.lastMessageSeq });
    }
    this.roomMoves.clear();
  }

  // Each change object is bound as the statement's named parameters (better-sqlite3 ignores the extra keys).
  private applyChange(change: HistoryChange): void {
    // Any other change may read or write a room row, so the merged moves go first and keep the order of effects.
    if (change.op !== 'messageInserted' && change.op !== 'roomAdvanced') this.writeRoomMoves();
    switch (change.op) {
      case 'userUpserted':
        this.sql.upsertUser.run(change);
        return;
      case 'userRoleChanged':
        this.sql.changeUserRole.run(change);
        return;
      case 'userProfileUpdated':
        this.sql.updateUserProfile.run(change);
        return;
      case 'userPasswordChanged':
        this.sql.changeUserPassword.run(change);
        return;
      case 'personalDataErased':
        this.sql.eraseUserEmail.run(change);
        this.sql.eraseUserEdits.run(change);
        this.sql.eraseUserMessages.run(change);
        return;
      case 'roomCreated':
        this.sql.insertRoom.run(change);
        return;
      case 'memberAdded':
        this.sql.upsertMember.run(change);
        return;
      case 'memberRemoved':
        this.sql.deleteMember.run(change);
        return;
      case 'memberRoleChanged':
        this.sql.changeMemberRole.run(change);
        return;
      case 'messageInserted':
        this.sql.insertMessage.run({ ...change, erasedFlag: change.erased ? 1 : 0 });
        this.moveRoom(change.roomId, 0, 0, change.seq);
        return;
      case 'messageEdited':
        this.sql.copyTextToEdits.run(change);
        this.sql.editMessage.run({ ...change, erasedFlag: change.erased ? 1 : 0 });
        return;
      case 'messageDeleted':
        this.sql.deleteMessage.run(change);
        return;
      case 'roomAdvanced':
        this.moveRoom(change.roomId, change.headSeq, change.at, 0);
        return;
      case 'markersAdvanced':
        this.sql.advanceMarkers.run(change);
        return;
      case 'friendshipChanged':
        this.friendships.apply(change);
        return;
      default:
        unreachable(change);
    }
  }
}

/**
 * Stores written before the log had partitions kept one row per projection (name, position); that position is
 * the projection's position in partition 0 (the SQLite log's only one). Done once, in one transaction.
 */
function migrateCheckpointsToPartitions(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('projection_checkpoints')").pluck().all();
  if (columns.length === 0 || columns.includes('partition')) return;
  db.transaction(() => {
    db.exec(`ALTER TABLE projection_checkpoints RENAME TO projection_checkpoints_unpartitioned;
      ${CHECKPOINTS_TABLE}
      INSERT INTO projection_checkpoints (name, partition, position)
        SELECT name, 0, position FROM projection_checkpoints_unpartitioned WHERE position > 0;
      DROP TABLE projection_checkpoints_unpartitioned;`);
  }).immediate();
}

/** Stores made before crypto-shredding have no `erased` column; adding it with its default is all they need. */
function addErasedColumn(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('messages')").pluck().all();
  if (!columns.includes('erased')) db.exec('ALTER TABLE messages ADD COLUMN erased INTEGER NOT NULL DEFAULT 0');
}

/** Stores made before profiles have no status text or avatar columns: a user without them has neither set. */
function addProfileColumns(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('users')").pluck().all();
  if (!columns.includes('status_text')) db.exec("ALTER TABLE users ADD COLUMN status_text TEXT NOT NULL DEFAULT ''");
  if (!columns.includes('avatar_url')) db.exec('ALTER TABLE users ADD COLUMN avatar_url TEXT');
}

function parseOptional<T>(schema: z.ZodType<T>, row: unknown): T | undefined {
  return row === undefined ? undefined : schema.parse(row);
}


function unreachable(change: never): never {
  throw new Error(`SqliteHistoryStore: unhandled change ${JSON.stringify(change)}`);
}
