// The distributed history read model: Oracle tables (node-oracledb Thin mode, a connection pool) written by the
// history projector and read by the query API. Behaves exactly like ../sqlite/sqliteHistoryStore.ts; both pass
// test/projections/history/historyStoreContract.ts.

import oracledb, { type BindRow, type Connection, type Pool } from 'oracledb';
import type { z } from 'zod';

import { normaliseUsername } from '../../../domain/ids.js';
import type { RoomRole } from '../../../events/chatEvents.js';
import type { RecordedEvent } from '../../../events/envelope.js';
import { checkpointFromEntries, type Checkpoint } from '../../../eventlog/checkpoint.js';
import { historyChanges, type HistoryChange } from '../historyChanges.js';
import type {
  BlockView,
  AttachmentView,
  EditView,
  FileAudience,
  FileView,
  FriendshipListKind,
  FriendshipView,
  GetMessagesOptions,
  GetThreadOptions,
  ListMentionsOptions,
  HistoryStore,
  ListPublicRoomsOptions,
  ListRoomsOfUserOptions,
  ListUnsentFilesOptions,
  ListUsernamesOptions,
  MemberView,
  MessagesPage,
  RoomsPage,
  RoomUseFacts,
  RoomView,
  ReceiptView,
  UsernameEntry,
  UserRoomView,
  UserView,
  MessageView,
} from '../historyStore.js';
import { latestVersion } from './migrations.js';
import { isConnectionLost, toHistoryStoreError } from './oracleErrors.js';
import {
  attachmentRow,
  audienceRow,
  checkpointRow,
  editRow,
  fileRow,
  friendshipRow,
  memberRow,
  messageRow,
  pinnedSeqRow,
  blockRow,
  mentionRow,
  placeRow,
  replyRow,
  threadRootRow,
  threadSeqRow,
  reactionRow,
  receiptRow,
  roleRow,
  roomUseRow,
  roomRow,
  userIdRow,
  usernameRow,
  userRoomRow,
  userRow,
} from './oracleRows.js';
import { MAX_IN_LIST, checkpointSql, readSql, usersByIdSql, writeSql, type ReadName } from './oracleSql.js';
import type { OracleTables } from './oracleTables.js';
import type { StatementName } from './changeBinds.js';
import { chunk, planWrites } from './writePlan.js';
import { checkLimit, checkSeq, pageOfRooms } from '../historyStoreArguments.js';
import { seqRange, withReactions } from '../reactionViews.js';
import { withMentions } from '../mentionViews.js';
import { withThreads } from '../threadViews.js';

export interface OracleHistoryStoreOptions {
  pool: Pool;
  tables: OracleTables;
  /** The rows of the checkpoint table this store keeps its positions in (one per partition). Default 'history'. */
  projectionName?: string;
  /** Close the pool with the store (the store opened it). */
  ownsPool?: boolean;
}

export class OracleHistoryStore implements HistoryStore {
  private readonly pool: Pool;
  private readonly projectionName: string;
  private readonly ownsPool: boolean;
  private readonly write: Record<StatementName, string>;
  private readonly read: Record<ReadName, string>;
  private readonly checkpoints: ReturnType<typeof checkpointSql>;
  private readonly tables: OracleTables;
  private closed = false;

  constructor(options: OracleHistoryStoreOptions) {
    this.pool = options.pool;
    this.tables = options.tables;
    this.projectionName = options.projectionName ?? 'history';
    this.ownsPool = options.ownsPool ?? false;
    this.write = writeSql(options.tables);
    this.read = readSql(options.tables);
    this.checkpoints = checkpointSql(options.tables);
  }

  /** One transaction: lock and read the checkpoint, apply what it does not cover, move it, commit once. */
  async applyBatch(events: RecordedEvent[]): Promise<void> {
    await this.withConnection('applyBatch', async (connection) => {
      try {
        const rows = await this.rows(connection, this.checkpoints.readForUpdate, { projection: this.projectionName });
        const positions = new Map(rows.map((row) => checkpointRow.parse(row)));
        const changes: HistoryChange[] = [];
        const moved = new Set<number>();
        for (const event of events) {
          // At-least-once delivery: anything at or below the checkpoint of its partition is already in the view.
          if (event.position <= (positions.get(event.partition) ?? 0)) continue;
          changes.push(...historyChanges(event));
          positions.set(event.partition, event.position);
          moved.add(event.partition);
        }
        if (moved.size === 0) {
          await connection.rollback();
          return;
        }
        for (const stage of planWrites(changes)) {
          for (const run of stage) {
            for (const rowsOfCall of chunk(run.rows)) await connection.executeMany(this.write[run.statement], rowsOfCall);
          }
        }
        const saved: BindRow[] = [...moved].map((partition) => ({
          projection: this.projectionName,
          partitionNo: partition,
          position: positions.get(partition) ?? 0,
        }));
        await connection.executeMany(this.checkpoints.save, saved);
        await connection.commit();
      } catch (error) {
        // A lost connection rolls back on the server by itself; a rollback would only raise another error.
        if (!isConnectionLost(error)) await connection.rollback().catch(() => undefined);
        throw error;
      }
    });
  }

  async checkpoint(): Promise<Checkpoint> {
    const rows = await this.query('checkpoint', this.checkpoints.read, { projection: this.projectionName });
    return checkpointFromEntries(rows.map((row) => checkpointRow.parse(row)));
  }

  async getUser(userId: string): Promise<UserView | undefined> {
    return this.one(userRow, 'user', { userId });
  }

  async getUserByUsername(username: string): Promise<UserView | undefined> {
    return this.one(userRow, 'userByUsername', { username: normaliseUsername(username) });
  }

  async getUsers(userIds: readonly string[]): Promise<UserView[]> {
    const unique = [...new Set(userIds)];
    const found = new Map<string, UserView>();
    for (const ids of chunk(unique, MAX_IN_LIST)) {
      const binds = Object.fromEntries(ids.map((id, i) => [`u${i}`, id]));
      for (const row of await this.query('getUsers', usersByIdSql(this.tables, ids.length), binds)) {
        const user = userRow.parse(row);
        found.set(user.userId, user);
      }
    }
    return unique.flatMap((id) => {
      const user = found.get(id);
      return user ? [user] : [];
    });
  }

  async listUsernames(options: ListUsernamesOptions): Promise<UsernameEntry[]> {
    const limit = checkLimit(options.limit);
    // Oracle has no empty string ('' is NULL), so the first page is its own statement (oracleSql.ts).
    const rows =
      options.after === undefined || options.after === ''
        ? await this.query('listUsernames', this.read.usernames, { limit })
        : await this.query('listUsernames', this.read.usernamesAfter, { after: options.after, limit });
    return rows.map((row) => usernameRow.parse(row));
  }

  async getRoom(roomId: string): Promise<RoomView | undefined> {
    return this.one(roomRow, 'room', { roomId });
  }

  async listRoomsOfUser(userId: string, options: ListRoomsOfUserOptions): Promise<RoomsPage<UserRoomView>> {
    const limit = checkLimit(options.limit);
    const rows =
      options.afterRoomId === undefined || options.afterRoomId === ''
        ? await this.query('listRoomsOfUser', this.read.roomsOfUser, { userId, limit: limit + 1 })
        : await this.query('listRoomsOfUser', this.read.roomsOfUserAfter, {
            userId,
            after: options.afterRoomId,
            limit: limit + 1,
          });
    return pageOfRooms(rows.map((row) => userRoomRow.parse(row)), limit);
  }

  async listPublicRooms(options: ListPublicRoomsOptions): Promise<RoomsPage> {
    const limit = checkLimit(options.limit);
    const rows =
      options.after === undefined || options.after === ''
        ? await this.query('listPublicRooms', this.read.publicRooms, { limit: limit + 1 })
        : await this.query('listPublicRooms', this.read.publicRoomsAfter, { after: options.after, limit: limit + 1 });
    return pageOfRooms(rows.map((row) => roomRow.parse(row)), limit);
  }

  async getMembers(roomId: string): Promise<MemberView[]> {
    return (await this.query('getMembers', this.read.members, { roomId })).map((row) => memberRow.parse(row));
  }

  async getMemberRole(roomId: string, userId: string): Promise<RoomRole | undefined> {
    return this.one(roleRow, 'memberRole', { roomId, userId });
  }

  async getRoomUse(roomId: string, userId: string): Promise<RoomUseFacts | undefined> {
    return this.one(roomUseRow, 'roomUse', { roomId, userId });
  }

  async getMessages(roomId: string, options: GetMessagesOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    const { before, after } = options;
    if (before !== undefined) checkSeq('before', before);
    if (after !== undefined) checkSeq('after', after);
    // Fetch one row more than asked: its presence is what hasMore reports, without a COUNT.
    const fetch = limit + 1;
    let rows: unknown[];
    let newestFirst: boolean;
    if (after !== undefined && before !== undefined) {
      rows = await this.query('getMessages', this.read.messagesBetween, { roomId, after, before, limit: fetch });
      newestFirst = false;
    } else if (after !== undefined) {
      rows = await this.query('getMessages', this.read.messagesAfter, { roomId, after, limit: fetch });
      newestFirst = false;
    } else if (before !== undefined) {
      rows = await this.query('getMessages', this.read.messagesBefore, { roomId, before, limit: fetch });
      newestFirst = true;
    } else {
      rows = await this.query('getMessages', this.read.latestMessages, { roomId, limit: fetch });
      newestFirst = true;
    }
    const messages: MessageView[] = rows.slice(0, limit).map((row) => messageRow.parse(row));
    if (newestFirst) messages.reverse();
    return { messages: await this.withAll(roomId, messages), hasMore: rows.length > limit };
  }

  async getMessage(roomId: string, seq: number): Promise<MessageView | undefined> {
    const message = await this.one(messageRow, 'message', { roomId, seq });
    return message === undefined ? undefined : (await this.withAll(roomId, [message]))[0];
  }

  async getThread(roomId: string, rootSeq: number, options: GetThreadOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    if (options.after !== undefined) checkSeq('after', options.after);
    const binds = { roomId, threadSeq: rootSeq, after: options.after ?? 0, limit: limit + 1 };
    const seqs = (await this.query('getThread', this.read.threadPage, binds)).map((row) => threadSeqRow.parse(row));
    const messages: MessageView[] = [];
    // At most 100 replies a page: one primary-key read each.
    for (const seq of seqs.slice(0, limit)) {
      const message = await this.one(messageRow, 'message', { roomId, seq });
      if (message !== undefined) messages.push(message);
    }
    return { messages: await this.withAll(roomId, messages), hasMore: seqs.length > limit };
  }

  /** `messages` (of one room) with what the view keeps beside their rows: reactions, files and thread facts. */
  private async withAll(roomId: string, messages: MessageView[]): Promise<MessageView[]> {
    const withFiles = await this.withAttachments(await this.withReactions(roomId, messages));
    return this.withMentions(roomId, await this.withThreads(roomId, withFiles));
  }

  /** `messages` (of one room) with whom each mentions: one range of the mentions' by-message index. */
  private async withMentions(roomId: string, messages: MessageView[]): Promise<MessageView[]> {
    const range = seqRange(messages);
    if (range === undefined) return messages;
    const binds = { roomId, fromSeq: range.from, toSeq: range.to };
    const rows = (await this.query('getMentions', this.read.mentions, binds)).map((row) => mentionRow.parse(row));
    return withMentions(messages, rows);
  }

  async listBlocks(userId: string): Promise<BlockView[]> {
    return (await this.query('listBlocks', this.read.blocks, { userId })).map((row) => blockRow.parse(row));
  }

  async listMentions(userId: string, options: ListMentionsOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    const { before } = options;
    const rows =
      before === undefined
        ? await this.query('listMentions', this.read.mentionPlaces, { userId, limit: limit + 1 })
        : await this.query('listMentions', this.read.mentionPlacesBefore, {
            userId,
            limit: limit + 1,
            beforeAt: Date.parse(before.createdAt),
            beforeRoomId: before.roomId,
            beforeSeq: before.seq,
          });
    const places = rows.map((row) => placeRow.parse(row));
    const messages: MessageView[] = [];
    // At most 100 a page: one primary-key read each, with what each message carries.
    for (const { roomId, seq } of places.slice(0, limit)) {
      const message = await this.getMessage(roomId, seq);
      if (message !== undefined) messages.push(message);
    }
    return { messages, hasMore: places.length > limit };
  }

  /** `messages` (of one room) with their thread facts: one range of each thread table's primary key. */
  private async withThreads(roomId: string, messages: MessageView[]): Promise<MessageView[]> {
    const range = seqRange(messages);
    if (range === undefined) return messages;
    const binds = { roomId, fromSeq: range.from, toSeq: range.to };
    const replies = (await this.query('getThreads', this.read.replies, binds)).map((row) => replyRow.parse(row));
    const roots = (await this.query('getThreads', this.read.threadRoots, binds)).map((row) => threadRootRow.parse(row));
    return withThreads(messages, replies, roots);
  }

  async getPinnedMessages(roomId: string): Promise<MessageView[]> {
    const rows = await this.query('getPinnedMessages', this.read.pinnedSeqs, { roomId });
    const pinned: MessageView[] = [];
    // At most 50 pins: one primary-key read each, with their own reactions.
    for (const seq of rows.map((row) => pinnedSeqRow.parse(row))) {
      const message = await this.getMessage(roomId, seq);
      if (message !== undefined && !message.deleted) pinned.push(message);
    }
    return pinned;
  }

  /** `messages` (of one room) with their reactions, read as one range of the reactions table's primary key. */
  private async withReactions(roomId: string, messages: MessageView[]): Promise<MessageView[]> {
    const range = seqRange(messages);
    if (range === undefined) return messages;
    const rows = await this.query('getReactions', this.read.reactions, { roomId, fromSeq: range.from, toSeq: range.to });
    return withReactions(messages, rows.map((row) => reactionRow.parse(row)));
  }

  async getFile(fileId: string): Promise<FileView | undefined> {
    return this.one(fileRow, 'file', { fileId });
  }

  async getFileAudience(fileId: string, userId: string): Promise<FileAudience> {
    const rooms = (await this.query('getFileAudience', this.read.fileAudience, { fileId, userId })).map((row) =>
      audienceRow.parse(row),
    );
    const avatars = await this.query('getFileAudience', this.read.fileAvatar, { fileId });
    return { rooms, avatar: avatars.length > 0 };
  }

  async listUnsentFiles(options: ListUnsentFilesOptions): Promise<FileView[]> {
    const rows = await this.query('listUnsentFiles', this.read.unsentFiles, {
      uploadedBefore: options.uploadedBefore,
      limit: checkLimit(options.limit),
    });
    return rows.map((row) => fileRow.parse(row));
  }

  async listFilesWithContent(uploadedBy: string, sha256: string): Promise<FileView[]> {
    const rows = await this.query('listFilesWithContent', this.read.filesWithContent, { uploadedBy, sha256 });
    return rows.map((row) => fileRow.parse(row));
  }

  /** The messages with their attachments: one query per page, whose seqs are one range of one room. */
  private async withAttachments(messages: MessageView[]): Promise<MessageView[]> {
    const first = messages[0];
    const last = messages.at(-1);
    if (!first || !last) return messages;
    const [low, high] = first.seq <= last.seq ? [first.seq, last.seq] : [last.seq, first.seq];
    const rows = await this.query('getMessages', this.read.attachmentsBetween, { roomId: first.roomId, low, high });
    if (rows.length === 0) return messages;
    const bySeq = new Map<number, AttachmentView[]>();
    for (const row of rows) {
      const { seq, view } = attachmentRow.parse(row);
      const list = bySeq.get(seq) ?? [];
      list.push(view);
      bySeq.set(seq, list);
    }
    return messages.map((message) => {
      const attachments = bySeq.get(message.seq);
      return attachments ? { ...message, attachments } : message;
    });
  }

  async getEditHistory(roomId: string, seq: number): Promise<EditView[]> {
    return (await this.query('getEditHistory', this.read.editHistory, { roomId, seq })).map((row) => editRow.parse(row));
  }

  async getReceipts(roomId: string): Promise<ReceiptView[]> {
    return (await this.query('getReceipts', this.read.receipts, { roomId })).map((row) => receiptRow.parse(row));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // 10 s for in-flight work, then the pool closes its sessions anyway.
    if (this.ownsPool) await this.pool.close(10);
  }

  async listFriendships(userId: string, kind: FriendshipListKind): Promise<FriendshipView[]> {
    const status = kind === 'friends' ? 'accepted' : kind;
    const rows = await this.query('listFriendships', this.read.friendships, { userId, status });
    return rows.map((row) => friendshipRow.parse(row));
  }

  async getUsersByEmail(email: string): Promise<UserView[]> {
    const rows = await this.query('getUsersByEmail', this.read.userIdsByEmail, { email });
    return this.getUsers(rows.map((row) => userIdRow.parse(row)));
  }

  private async one<T>(schema: z.ZodType<T>, name: ReadName, binds: BindRow): Promise<T | undefined> {
    const [row] = await this.query(name, this.read[name], binds);
    return row === undefined ? undefined : schema.parse(row);
  }

  private async query(operation: string, sql: string, binds: BindRow): Promise<unknown[]> {
    return this.withConnection(operation, (connection) => this.rows(connection, sql, binds));
  }

  private async rows(connection: Connection, sql: string, binds: BindRow): Promise<unknown[]> {
    const result = await connection.execute(sql, binds, { outFormat: oracledb.OUT_FORMAT_OBJECT });
    return result.rows ?? [];
  }

  /** A pooled connection for one operation; driver errors leave as the project's errors (oracleErrors.ts). */
  private async withConnection<T>(operation: string, work: (connection: Connection) => Promise<T>): Promise<T> {
    let connection: Connection | undefined;
    let lost = false;
    try {
      connection = await this.pool.getConnection();
      return await work(connection);
    } catch (error) {
      lost = isConnectionLost(error);
      throw toHistoryStoreError(error, operation, latestVersion());
    } finally {
      // A broken session goes out of the pool instead of failing the next caller too.
      // Two calls, not close(undefined): the driver refuses an explicit undefined argument.
      if (connection) await (lost ? connection.close({ drop: true }) : connection.close()).catch(() => undefined);
    }
  }
}

