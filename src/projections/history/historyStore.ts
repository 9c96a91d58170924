// The history read model's port: what the query API and the gateway read, and how the history projector writes.
// Every adapter (SQLite embedded, Oracle distributed) passes test/projections/history/historyStoreContract.ts.

import type { RoomKind, RoomRole, UserRole } from '../../events/chatEvents.js';
import type { ProjectionStore } from '../projector.js';

/** Times in views are ISO-8601 strings (UTC, millisecond precision). */
export type IsoTime = string;

export interface UserView {
  userId: string;
  username: string;
  email: string | null;
  displayName: string;
  /** "" when the user has set none. */
  statusText: string;
  /** An absolute http(s) URL, `/api/files/<avatarFileId>` for an uploaded one, or null when the user has set none. */
  avatarUrl: string | null;
  role: UserRole;
  createdAt: IsoTime;
  /** For the login check only; the HTTP layer never serialises it. */
  passwordHash: string;
}

export interface RoomUseFacts {
  kind: RoomKind;
  /** Null when the user is not a member (now). */
  myRole: RoomRole | null;
}

export interface RoomView {
  roomId: string;
  name: string;
  /** "" when none is set. */
  topic: string;
  kind: RoomKind;
  createdBy: string;
  createdAt: IsoTime;
  /** Current members. */
  memberCount: number;
  /** The room stream's version: the seq of its latest event of any kind (a subscriber's recovery point). */
  headSeq: number;
  /** The seq of the latest message (deleted or not); null while the room has no message. */
  lastMessageSeq: number | null;
  lastActivityAt: IsoTime;
}

/** A room as one of its members sees it in their room list. */
export interface UserRoomView extends RoomView {
  /** The member's role in this room. */
  role: RoomRole;
  /**
   * Messages of the room after the member's read marker that someone else sent and that are not deleted. Counts
   * every such message, also those from before the member joined (nothing marks a join point as read).
   */
  unreadCount: number;
  /** The member has read the room up to this seq (0: nothing yet). */
  readSeq: number;
  /** Messages up to this seq reached one of the member's connections (0: none yet); never below readSeq. */
  deliveredSeq: number;
  /**
   * Messages of the room after the member's read marker that mention them and are not deleted, leaving out those of
   * senders the member blocked (#17).
   */
  mentionCount: number;
}

/** One member's markers in a room, for the sender's "delivered / read" ticks. */
export interface ReceiptView {
  userId: string;
  /** Never below readSeq: reading implies delivery. 0 when none. */
  deliveredSeq: number;
  /** 0 when nothing read yet. */
  readSeq: number;
}

export interface MemberView {
  userId: string;
  /**
   * null only while the member's UserRegistered event has not been projected yet (possible when user and room
   * streams are consumed from different partitions).
   */
  username: string | null;
  displayName: string | null;
  role: RoomRole;
  joinedAt: IsoTime;
}

/** Who reacted to a message with one emoji; a message's reactions in the order each emoji was first used. */
export interface ReactionView {
  emoji: string;
  /** userIds.length. */
  count: number;
  /** In the order they reacted. */
  userIds: string[];
}

export interface MessageView {
  messageId: string;
  roomId: string;
  seq: number;
  senderId: string;
  /** null once the message is deleted. */
  text: string | null;
  createdAt: IsoTime;
  /** When the current text was set by an edit; null if never edited. */
  editedAt: IsoTime | null;
  deleted: boolean;
  /**
   * The sender's personal data was erased (crypto-shredding): `text` is "" (null if also deleted) and can never be
   * read again; clients show "[erased]".
   */
  erased: boolean;
  /** Empty for a deleted message; never holds a user whose personal data was erased. */
  reactions: ReactionView[];
  /** The files sent with the message, in order; absent when it carries none (issue #16). */
  attachments?: AttachmentView[];
  /** A reply: the message it answers (#17); null for a message that is no reply. */
  replyTo: string | null;
  /** A reply: its thread's root; null for a message that is no reply. */
  threadId: string | null;
  /** A thread's root: how many of its replies stand (not deleted); 0 for any other message. */
  replyCount: number;
  /** A thread's root: when its latest standing reply was sent; null when it has none. */
  lastReplyAt: IsoTime | null;
  /** The members the text `@mentioned` when it was sent, in the order named (#17); empty for none. */
  mentions: string[];
}

/** An uploaded file (issue #16), as the history view knows it: the metadata of FileUploaded and what became of it. */
export interface FileView {
  fileId: string;
  uploadedBy: string;
  /** The name the uploader's client gave; "" once the uploader was erased. */
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
  uploadedAt: IsoTime;
  /** The uploader's personal data was erased: the bytes are deleted. */
  erased: boolean;
  /** Removed unsent (FileDiscarded): the bytes are deleted. */
  discarded: boolean;
}

/**
 * A file as a message carries it: the facts the message recorded (type, size, hash), and what the file's own row
 * adds (name, pixels, thumbnail, erasure) once projected; until then the name is "" and there are no pixels.
 */
export interface AttachmentView {
  fileId: string;
  contentType: string;
  size: number;
  sha256: string;
  name: string;
  width: number | null;
  height: number | null;
  thumbnail: boolean;
  erased: boolean;
}

/** Where a file went: what decides who may read it besides its uploader (domain/fileAccess.ts). */
export interface FileAudience {
  /** Each room with a message (not deleted) that carries the file, and whether the asking user is a member now. */
  rooms: Array<{ roomId: string; kind: RoomKind; member: boolean }>;
  /** The file is some user's current avatar: anyone signed in may read it. */
  avatar: boolean;
}

export interface ListUnsentFilesOptions {
  /** Only files uploaded before this time (epoch milliseconds). */
  uploadedBefore: number;
  /** A positive integer. */
  limit: number;
}

/** One earlier text of a message: `text` is what the message said before the edit made at `editedAt`. */
export interface EditView {
  text: string;
  editedAt: IsoTime;
  editedBy: string;
}

export interface RoomsPage<R extends RoomView = RoomView> {
  /** Ordered by roomId. */
  rooms: R[];
  /** More rooms follow the last one of this page (pass its roomId to get them). */
  hasMore: boolean;
}

export interface MessagesPage {
  /** Oldest first within the page. */
  messages: MessageView[];
  /**
   * More messages lie beyond the page in the direction of travel: older ones for a latest or `before` page,
   * newer ones for an `after` page.
   */
  hasMore: boolean;
}

export interface ListRoomsOfUserOptions {
  limit: number;
  /** Keyset cursor: only rooms whose id sorts after this one. */
  afterRoomId?: string;
}

export interface ListPublicRoomsOptions {
  limit: number;
  /** Keyset cursor: only rooms whose id sorts after this one. */
  after?: string;
}

/**
 * Keyset pagination on (roomId, seq):
 * - neither bound: the latest `limit` messages;
 * - `before`: the `limit` messages just before that seq (paging backwards);
 * - `after`: the `limit` messages just after that seq (paging forwards);
 * - both: forwards from `after`, never reaching `before`.
 */
export interface GetMessagesOptions {
  before?: number;
  after?: number;
  /** A positive integer; the edge caps it (1..100). */
  limit: number;
}

/** A page of a thread's replies (keyset on seq), oldest first. */
export interface GetThreadOptions {
  /** Only replies after this seq. */
  after?: number;
  /** A positive integer; the edge caps it (1..100). */
  limit: number;
}

/** A user someone blocked (#17), and since when. */
export interface BlockView {
  userId: string;
  blockedAt: IsoTime;
}

/** A page of the messages that mention a user, newest first (by time, then room and seq). */
export interface ListMentionsOptions {
  /** Only mentions older than this message's place (its createdAt, room and seq). */
  before?: { createdAt: IsoTime; roomId: string; seq: number };
  /** A positive integer; the edge caps it (1..100). */
  limit: number;
}

/** Which of a user's friendship lists: accepted friends, pending requests to them, pending requests of theirs. */
export type FriendshipListKind = 'friends' | 'received' | 'sent';

/** One entry of a user's friendship list: the other user and since when (accepted, or asked). */
export interface FriendshipView {
  userId: string;
  since: IsoTime;
}

/** An account's id and its username as spelled: one entry of the walk over every account (listUsernames). */
export interface UsernameEntry {
  userId: string;
  username: string;
}

export interface ListUsernamesOptions {
  /** Keyset cursor: the entries after this user id; none or '' for the first page. */
  after?: string;
  /** A positive integer. */
  limit: number;
}

/** Writes come from the history projector through ProjectionStore (applyBatch, checkpoint). */
export interface HistoryStore extends ProjectionStore {
  getUser(userId: string): Promise<UserView | undefined>;
  /** Case-insensitive (after normaliseUsername). */
  getUserByUsername(username: string): Promise<UserView | undefined>;
  /** The known users among `userIds`, in the order asked for; unknown ids are left out. */
  getUsers(userIds: readonly string[]): Promise<UserView[]>;
  /**
   * Every account's username, ordered by user id, a page at a time: the look-alike check indexes the accounts
   * claimed before username skeletons by it (commands/username/usernameLookAlikes.ts).
   */
  listUsernames(options: ListUsernamesOptions): Promise<UsernameEntry[]>;

  getRoom(roomId: string): Promise<RoomView | undefined>;
  /** Rooms the user is a member of now, with their role. */
  listRoomsOfUser(userId: string, options: ListRoomsOfUserOptions): Promise<RoomsPage<UserRoomView>>;
  listPublicRooms(options: ListPublicRoomsOptions): Promise<RoomsPage>;

  /** Current members, in the order they joined. */
  getMembers(roomId: string): Promise<MemberView[]>;
  /** The user's role, or undefined when they are not a member (now). */
  getMemberRole(roomId: string, userId: string): Promise<RoomRole | undefined>;
  /**
   * What deciding whether a user may use a room needs (queries/roomAccess.ts), in one read and without the room's
   * member count: its kind and the user's role. Undefined when there is no such room.
   */
  getRoomUse(roomId: string, userId: string): Promise<RoomUseFacts | undefined>;

  getMessages(roomId: string, options: GetMessagesOptions): Promise<MessagesPage>;
  getMessage(roomId: string, seq: number): Promise<MessageView | undefined>;
  /** The room's pinned messages, most recently pinned first (at most 50); a deleted message is never among them. */
  getPinnedMessages(roomId: string): Promise<MessageView[]>;
  /**
   * The replies in the thread of root `rootSeq`, oldest first (deleted ones too, as in history); `hasMore` when
   * more follow the page. Empty for a message that has no replies, and for one that is no root.
   */
  getThread(roomId: string, rootSeq: number, options: GetThreadOptions): Promise<MessagesPage>;
  /**
   * The messages that mention the user, newest first: only in rooms the user may read now (a member, or a public
   * room), never deleted ones, never from a sender the user blocked (#17).
   */
  listMentions(userId: string, options: ListMentionsOptions): Promise<MessagesPage>;
  /** The users `userId` blocked, the earliest first (#17); empty for none or an unknown user. */
  listBlocks(userId: string): Promise<BlockView[]>;
  /** Earlier texts of a message, oldest first; empty when never edited or unknown. */
  getEditHistory(roomId: string, seq: number): Promise<EditView[]>;

  /** The markers of the room's current members, in join order; 0 for a member with none. Empty for no room. */
  getReceipts(roomId: string): Promise<ReceiptView[]>;

  /** The user's friends, or pending requests received or sent, oldest first; empty for an unknown user. */
  listFriendships(userId: string, kind: FriendshipListKind): Promise<FriendshipView[]>;
  /** Users whose email is `email`, compared case-insensitively (ASCII letters); erased emails never match. */
  getUsersByEmail(email: string): Promise<UserView[]>;

  /** An uploaded file (issue #16), also once erased or discarded; undefined when the view has no such file. */
  getFile(fileId: string): Promise<FileView | undefined>;
  /** The rooms the file was sent to (by messages not deleted), with `userId`'s membership, and whether it is an avatar. */
  getFileAudience(fileId: string, userId: string): Promise<FileAudience>;
  /**
   * Uploads never sent in any message and nobody's avatar, not erased or discarded, uploaded before a time; oldest
   * first. The sweeper removes them.
   */
  listUnsentFiles(options: ListUnsentFilesOptions): Promise<FileView[]>;
  /** The uploader's files with these bytes (same sha256), whatever became of them: they share one stored object. */
  listFilesWithContent(uploadedBy: string, sha256: string): Promise<FileView[]>;

  close(): Promise<void>;
}
