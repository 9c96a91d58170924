// The embedded history read model: SQLite tables written by the history projector and read by the query API.
// Its schema is sqliteSchema.ts, its statements sqliteStatements.ts, its row checks sqliteRows.ts, and the
// friendship rows sqliteFriendships.ts (as the Oracle twin in ../oracle/ is split).

import Database from 'better-sqlite3';

import { normaliseUsername, parseMessageId } from '../../../domain/ids.js';
import type { RoomRole } from '../../../events/chatEvents.js';
import type { RecordedEvent } from '../../../events/envelope.js';
import { checkpointFromEntries, type Checkpoint } from '../../../eventlog/checkpoint.js';
import { historyChanges, type HistoryChange } from '../historyChanges.js';
import type {
  BlockView,
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
  MessageView,
  ReceiptView,
  RoomsPage,
  RoomUseFacts,
  RoomView,
  UsernameEntry,
  UserRoomView,
  UserView,
} from '../historyStore.js';
import { checkLimit, checkSeq, pageOfRooms } from '../historyStoreArguments.js';
import { SqliteFiles } from './sqliteFiles.js';
import { SqliteFriendships } from './sqliteFriendships.js';
import { SqlitePins } from './sqlitePins.js';
import { SqliteReactions } from './sqliteReactions.js';
import { SqliteRoomMoves } from './sqliteRoomMoves.js';
import { SqliteMentions } from './sqliteMentions.js';
import { SqliteThreads } from './sqliteThreads.js';
import {
  checkpointRow,
  editRow,
  memberRow,
  messageView,
  roomUseFacts,
  parseOptional,
  receiptRow,
  roleRow,
  roomRow,
  usernameRow,
  userRoomRow,
  userRow,
} from './sqliteRows.js';
import { closeBulkLoad, journalFor } from '../../../support/sqliteBulkLoad.js';
import { ensureSchema } from './sqliteSchema.js';
import { prepareStatements, type Statement, type StatementName } from './sqliteStatements.js';

export interface SqliteHistoryStoreOptions {
  /** A file path, or ':memory:' for a store that lives as long as the process. */
  filename: string;
  /** The rows of projection_checkpoints this store keeps its positions in (one per partition). Default 'history'. */
  projectionName?: string;
  /**
   * A store that nobody reads until it is closed, as `chat projections rebuild` fills a new file beside the live
   * one: written as a bulk load (support/sqliteBulkLoad.ts), which rebuilds faster (bench/README.md).
   */
  bulkLoad?: boolean;
}

export class SqliteHistoryStore implements HistoryStore {
  private readonly db: Database.Database;
  private readonly projectionName: string;
  private readonly sql: Record<StatementName, Statement>;
  private readonly applyInTransaction: (events: RecordedEvent[]) => void;
  /**
   * Runs a read of several statements (a page's rows, then their reactions, files, threads and mentions) as one
   * read transaction, so its parts come from one snapshot. (Outside a transaction each statement begins a read of
   * its own, with a read lock on the -shm file; taking it once instead measured inside the bench's noise.)
   */
  private readonly readTogether: <T>(read: () => T) => T;
  private readonly roomMoves: SqliteRoomMoves;
  private closed = false;
  private readonly bulkLoad: boolean;
  private readonly friendships: SqliteFriendships;
  private readonly reactions: SqliteReactions;
  private readonly pins: SqlitePins;
  private readonly files: SqliteFiles;
  private readonly threads: SqliteThreads;
  private readonly mentions: SqliteMentions;

  constructor(options: SqliteHistoryStoreOptions) {
    this.projectionName = options.projectionName ?? 'history';
    this.db = new Database(options.filename);
    this.bulkLoad = options.bulkLoad === true;
    journalFor(this.db, this.bulkLoad);
    ensureSchema(this.db);
    this.friendships = new SqliteFriendships(this.db);
    this.reactions = new SqliteReactions(this.db);
    this.pins = new SqlitePins(this.db);
    this.files = new SqliteFiles(this.db);
    this.threads = new SqliteThreads(this.db);
    this.mentions = new SqliteMentions(this.db);
    this.sql = prepareStatements(this.db);
    this.roomMoves = new SqliteRoomMoves(this.sql.advanceRoom, this.sql.noteLastMessage);

    const readTransaction = this.db.transaction((read: () => unknown) => read());
    this.readTogether = <T>(read: () => T): T => readTransaction(read) as T;
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
      this.roomMoves.write();
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

  async listUsernames(options: ListUsernamesOptions): Promise<UsernameEntry[]> {
    const limit = checkLimit(options.limit);
    return this.sql.usernames.all(options.after ?? '', limit).map((row) => usernameRow.parse(row));
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

  async getRoomUse(roomId: string, userId: string): Promise<RoomUseFacts | undefined> {
    const row: unknown = this.sql.roomUse.get(userId, roomId);
    return row === undefined ? undefined : roomUseFacts(row);
  }

  async getMessages(roomId: string, options: GetMessagesOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    const { before, after } = options;
    if (before !== undefined) checkSeq('before', before);
    if (after !== undefined) checkSeq('after', after);
    return this.readTogether(() => this.messagesPage(roomId, limit, before, after));
  }

  private messagesPage(roomId: string, limit: number, before: number | undefined, after: number | undefined): MessagesPage {
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
    const messages = rows.slice(0, limit).map((row) => messageView(roomId, row));
    if (newestFirst) messages.reverse();
    return { messages: this.withAttachments(roomId, messages), hasMore };
  }

  async getMessage(roomId: string, seq: number): Promise<MessageView | undefined> {
    return this.readTogether(() => this.messageAt(roomId, seq));
  }

  private messageAt(roomId: string, seq: number): MessageView | undefined {
    const row: unknown = this.sql.message.get(roomId, seq);
    const message = row === undefined ? undefined : messageView(roomId, row);
    return message === undefined ? undefined : this.withAttachments(roomId, [message])[0];
  }

  async getThread(roomId: string, rootSeq: number, options: GetThreadOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    if (options.after !== undefined) checkSeq('after', options.after);
    return this.readTogether(() => {
      const seqs = this.threads.replySeqs(roomId, rootSeq, options.after ?? 0, limit + 1);
      const messages: MessageView[] = [];
      // At most 100 replies a page: one primary-key read each.
      for (const seq of seqs.slice(0, limit)) {
        const row: unknown = this.sql.message.get(roomId, seq);
        if (row !== undefined) messages.push(messageView(roomId, row));
      }
      return { messages: this.withAttachments(roomId, messages), hasMore: seqs.length > limit };
    });
  }

  async listMentions(userId: string, options: ListMentionsOptions): Promise<MessagesPage> {
    const limit = checkLimit(options.limit);
    return this.readTogether(() => {
      const places = this.mentions.placesOf(userId, { ...options, limit: limit + 1 });
      // At most 100 a page: one primary-key read each, with what each message carries.
      const messages = places.slice(0, limit).flatMap(({ roomId, seq }) => this.messageAt(roomId, seq) ?? []);
      return { messages, hasMore: places.length > limit };
    });
  }

  async listBlocks(userId: string): Promise<BlockView[]> {
    return this.mentions.blocksOf(userId);
  }

  /** `messages` (of one room) with what the view keeps beside their rows: reactions, files, threads and mentions. */
  private withAttachments(roomId: string, messages: MessageView[]): MessageView[] {
    const withFiles = this.files.withAttachments(this.reactions.attach(roomId, messages));
    return this.mentions.attach(roomId, this.threads.attach(roomId, withFiles));
  }

  async getPinnedMessages(roomId: string): Promise<MessageView[]> {
    // At most 50 pins: one primary-key read each, with their own reactions.
    return this.readTogether(() => this.pins.seqsOf(roomId).flatMap((seq) => this.messageAt(roomId, seq) ?? []).filter((message) => !message.deleted));
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

  async getFile(fileId: string): Promise<FileView | undefined> {
    return this.files.get(fileId);
  }

  async getFileAudience(fileId: string, userId: string): Promise<FileAudience> {
    return this.files.audienceOf(fileId, userId);
  }

  async listUnsentFiles(options: ListUnsentFilesOptions): Promise<FileView[]> {
    return this.files.unsentFiles(options);
  }

  async listFilesWithContent(uploadedBy: string, sha256: string): Promise<FileView[]> {
    return this.files.filesWithContent(uploadedBy, sha256);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // A bulk load becomes an ordinary store, on disk, before a pointer names its file.
    if (this.bulkLoad) closeBulkLoad(this.db);
    else this.db.close();
  }

  private readCheckpoint(): Checkpoint {
    return checkpointFromEntries(this.sql.checkpoint.all(this.projectionName).map((row) => checkpointRow.parse(row)));
  }

  // Each change object is bound as the statement's named parameters (better-sqlite3 ignores the extra keys).
  private applyChange(change: HistoryChange): void {
    // Any other change may read or write a room row, so the merged moves go first and keep the order of effects.
    if (change.op !== 'messageInserted' && change.op !== 'roomAdvanced' && change.op !== 'threadReplyAdded' && change.op !== 'mentionsAdded') {
      this.roomMoves.write();
    }
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
        this.reactions.userErased(change.userId);
        this.files.erased(change.userId);
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
      case 'messageInserted': {
        const { roomId, seq, messageId, senderId, text, clientMessageId, createdAt, erased } = change;
        this.sql.insertMessage.run(roomId, seq, messageId, senderId, text, clientMessageId, createdAt, erased ? 1 : 0);
        this.files.attached(roomId, seq, change.attachments);
        this.roomMoves.move(roomId, 0, 0, seq);
        return;
      }
      case 'messageEdited': {
        const seq = seqOfMessage(change);
        this.sql.copyTextToEdits.run({ ...change, seq });
        this.sql.editMessage.run({ ...change, seq, erasedFlag: change.erased ? 1 : 0 });
        return;
      }
      case 'messageDeleted': {
        const seq = seqOfMessage(change);
        this.sql.deleteMessage.run({ ...change, seq });
        this.reactions.messageDeleted(change.roomId, seq);
        this.pins.messageDeleted(change.roomId, seq);
        this.threads.messageDeleted(change.roomId, seq);
        return;
      }
      case 'threadReplyAdded':
        this.threads.replyAdded(change);
        return;
      case 'mentionsAdded':
        this.mentions.added(change);
        return;
      case 'blockChanged':
        this.mentions.blockChanged(change);
        return;
      case 'messagePinned':
        this.pins.pinned(change);
        return;
      case 'messageUnpinned':
        this.pins.unpinned(change);
        return;
      case 'roomSettingChanged':
        if (change.setting === 'name') this.sql.renameRoom.run(change);
        else this.sql.changeRoomTopic.run(change);
        return;
      case 'reactionAdded':
        this.reactions.added(change);
        return;
      case 'reactionRemoved':
        this.reactions.removed(change);
        return;
      case 'roomAdvanced':
        this.roomMoves.move(change.roomId, change.headSeq, change.at, 0);
        return;
      case 'markersAdvanced':
        this.sql.advanceMarkers.run(change);
        return;
      case 'friendshipChanged':
        this.friendships.apply(change);
        return;
      case 'fileRecorded':
        this.files.recorded(change);
        return;
      case 'fileDiscarded':
        this.files.discarded(change);
        return;
      default:
        unreachable(change);
    }
  }
}

function unreachable(change: never): never {
  throw new Error(`SqliteHistoryStore: unhandled change ${JSON.stringify(change)}`);
}

/** The seq a message id names in its room (ids are "<roomId>.<seq>"); anything else is a corrupt log. */
function seqOfMessage(change: { roomId: string; messageId: string }): number {
  const place = parseMessageId(change.messageId);
  if (place === undefined || place.roomId !== change.roomId) {
    throw new Error(`message id ${change.messageId} does not name a message of room ${change.roomId}`);
  }
  return place.seq;
}
