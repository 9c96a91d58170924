// The history store a serving process uses when HISTORY_STORE=sqlite: the file DATA_DIR/history.current names (or
// history.db before any rebuild), switched to a rebuilt file when the pointer moves. Every call goes to the store
// that is live at that moment; see storeSwitch.ts for how a switch keeps the projector's checkpoint valid.

import type { Logger } from 'pino';
import type { RoomRole } from '../../events/chatEvents.js';
import type { RecordedEvent } from '../../events/envelope.js';
import type { Checkpoint } from '../../eventlog/checkpoint.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { StoreSwitch } from '../storeSwitch.js';
import { followViewFile, isViewFileName, liveViewFile, viewFilesOf, type ViewFiles } from '../viewFile.js';
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
} from './historyStore.js';
import { SqliteHistoryStore } from './sqlite/sqliteHistoryStore.js';

/** The store before any rebuild, the file that names the live one once a rebuild has run, and what is served. */
export const HISTORY_FILES: ViewFiles = viewFilesOf('history');
export const DEFAULT_HISTORY_FILE = HISTORY_FILES.defaultFile;
export const HISTORY_POINTER_FILE = HISTORY_FILES.pointerFile;
export const HISTORY_SERVING_FILE = HISTORY_FILES.servingFile;

export class SwitchableHistoryStore implements HistoryStore {
  constructor(
    private readonly stores: StoreSwitch<HistoryStore>,
    private readonly onClose: () => Promise<void> = async () => undefined,
  ) {}

  get label(): string {
    return this.stores.label;
  }

  switchTo(next: HistoryStore, label: string): Promise<void> {
    return this.stores.switchTo(next, label);
  }

  applyBatch(events: RecordedEvent[]): Promise<void> {
    return this.stores.applyBatch(events);
  }
  checkpoint(): Promise<Checkpoint> {
    return this.stores.checkpoint();
  }
  getUser(userId: string): Promise<UserView | undefined> {
    return this.stores.current.getUser(userId);
  }
  getUserByUsername(username: string): Promise<UserView | undefined> {
    return this.stores.current.getUserByUsername(username);
  }
  getUsers(userIds: readonly string[]): Promise<UserView[]> {
    return this.stores.current.getUsers(userIds);
  }
  listUsernames(options: ListUsernamesOptions): Promise<UsernameEntry[]> {
    return this.stores.current.listUsernames(options);
  }
  listFriendships(userId: string, kind: FriendshipListKind): Promise<FriendshipView[]> {
    return this.stores.current.listFriendships(userId, kind);
  }
  getUsersByEmail(email: string): Promise<UserView[]> {
    return this.stores.current.getUsersByEmail(email);
  }
  getFile(fileId: string): Promise<FileView | undefined> {
    return this.stores.current.getFile(fileId);
  }
  getFileAudience(fileId: string, userId: string): Promise<FileAudience> {
    return this.stores.current.getFileAudience(fileId, userId);
  }
  listUnsentFiles(options: ListUnsentFilesOptions): Promise<FileView[]> {
    return this.stores.current.listUnsentFiles(options);
  }
  listFilesWithContent(uploadedBy: string, sha256: string): Promise<FileView[]> {
    return this.stores.current.listFilesWithContent(uploadedBy, sha256);
  }
  getRoom(roomId: string): Promise<RoomView | undefined> {
    return this.stores.current.getRoom(roomId);
  }
  listRoomsOfUser(userId: string, options: ListRoomsOfUserOptions): Promise<RoomsPage<UserRoomView>> {
    return this.stores.current.listRoomsOfUser(userId, options);
  }
  listPublicRooms(options: ListPublicRoomsOptions): Promise<RoomsPage> {
    return this.stores.current.listPublicRooms(options);
  }
  getMembers(roomId: string): Promise<MemberView[]> {
    return this.stores.current.getMembers(roomId);
  }
  getMemberRole(roomId: string, userId: string): Promise<RoomRole | undefined> {
    return this.stores.current.getMemberRole(roomId, userId);
  }
  getRoomUse(roomId: string, userId: string): Promise<RoomUseFacts | undefined> {
    return this.stores.current.getRoomUse(roomId, userId);
  }
  getMessages(roomId: string, options: GetMessagesOptions): Promise<MessagesPage> {
    return this.stores.current.getMessages(roomId, options);
  }
  getMessage(roomId: string, seq: number): Promise<MessageView | undefined> {
    return this.stores.current.getMessage(roomId, seq);
  }
  getPinnedMessages(roomId: string): Promise<MessageView[]> {
    return this.stores.current.getPinnedMessages(roomId);
  }
  getThread(roomId: string, rootSeq: number, options: GetThreadOptions): Promise<MessagesPage> {
    return this.stores.current.getThread(roomId, rootSeq, options);
  }
  listMentions(userId: string, options: ListMentionsOptions): Promise<MessagesPage> {
    return this.stores.current.listMentions(userId, options);
  }
  listBlocks(userId: string): Promise<BlockView[]> {
    return this.stores.current.listBlocks(userId);
  }
  getEditHistory(roomId: string, seq: number): Promise<EditView[]> {
    return this.stores.current.getEditHistory(roomId, seq);
  }
  getReceipts(roomId: string): Promise<ReceiptView[]> {
    return this.stores.current.getReceipts(roomId);
  }
  async close(): Promise<void> {
    await this.onClose();
    await this.stores.close();
  }
}

export interface SqliteHistoryOptions {
  dataDir: string;
  log: Pick<EventLog, 'readAll'>;
  logger?: Logger;
  /** How often the pointer file is looked at. Default 1000 ms. */
  pollIntervalMs?: number;
}

/** The history file a data directory serves now (relative to it): the pointer's, or history.db. */
export function liveHistoryFile(dataDir: string): Promise<string> {
  return liveViewFile(dataDir, HISTORY_FILES);
}

/** Opens the live history file and follows the pointer from then on (a rebuild in another process moves it). */
export async function openSqliteHistory(options: SqliteHistoryOptions): Promise<SwitchableHistoryStore> {
  const { stores, watch } = await followViewFile<HistoryStore>({
    ...options,
    files: HISTORY_FILES,
    open: (filename) => new SqliteHistoryStore({ filename }),
  });
  return new SwitchableHistoryStore(stores, () => watch.stop());
}

/** A pointer may only name a history file directly in DATA_DIR (never a path elsewhere). */
export function isHistoryFileName(name: string): boolean {
  return isViewFileName(HISTORY_FILES, name);
}
