import type { AccessPrincipal } from '../auth/accessTokens.js';
import { ChatError, ForbiddenError, NotFoundError } from '../domain/errors.js';
import { parseMessageId } from '../domain/ids.js';
import type { RoomRole } from '../events/chatEvents.js';
import type {
  EditView,
  GetMessagesOptions,
  HistoryStore,
  MemberView,
  MessageView,
  ReceiptView,
  RoomView,
  RoomsPage,
  UserRoomView,
} from '../projections/history/historyStore.js';
import { roomAccess, roomUse, type RoomUse } from './roomAccess.js';

/** Reading a room: public rooms are open to any signed-in user. */
const READING: RoomUse = { publicRoomsOpenTo: 'anyone', action: 'read this room' };

export interface MessagePage<Cursor = number> {
  messages: MessageView[];
  /** The seq (or id) to pass as `before` (backwards) or `after` (forwards) for the next page; absent on the last page. */
  nextCursor?: Cursor;
}

/**
 * The read side: who may see what, then straight to the history view. Public rooms are readable by any
 * signed-in user; private and direct rooms by their members only (DESIGN.md security model).
 */
export class ChatQueries {
  constructor(private readonly history: HistoryStore) {}

  listMyRooms(principal: AccessPrincipal, options: { limit: number; after?: string }): Promise<RoomsPage<UserRoomView>> {
    return this.history.listRoomsOfUser(principal.userId, { limit: options.limit, afterRoomId: options.after });
  }

  listPublicRooms(options: { limit: number; after?: string }): Promise<RoomsPage> {
    return this.history.listPublicRooms({ limit: options.limit, after: options.after });
  }

  async getRoom(principal: AccessPrincipal, roomId: string): Promise<{ room: RoomView; myRole: RoomRole | null }> {
    return roomAccess(this.history, roomId, principal.userId, READING);
  }

  async getMembers(principal: AccessPrincipal, roomId: string): Promise<MemberView[]> {
    await this.readableRoom(principal, roomId);
    return this.history.getMembers(roomId);
  }

  async getMessages(principal: AccessPrincipal, roomId: string, options: GetMessagesOptions): Promise<MessagePage> {
    await this.readableRoom(principal, roomId);
    const page = await this.history.getMessages(roomId, options);
    const forwards = options.after !== undefined;
    const edge = forwards ? page.messages.at(-1) : page.messages[0];
    return page.hasMore && edge ? { messages: page.messages, nextCursor: edge.seq } : { messages: page.messages };
  }

  /** The room's pinned messages, most recently pinned first: for whoever may read the room (as its history). */
  async getPinnedMessages(principal: AccessPrincipal, roomId: string): Promise<MessageView[]> {
    await this.readableRoom(principal, roomId);
    return this.history.getPinnedMessages(roomId);
  }

  /** Members' delivery and read markers: for whoever may read the room (members; anyone for a public room). */
  async getReceipts(principal: AccessPrincipal, roomId: string): Promise<ReceiptView[]> {
    await this.readableRoom(principal, roomId);
    return this.history.getReceipts(roomId);
  }

  /**
   * Earlier texts of a message: for its sender, the room's owner and moderators, and admins. A deleted message's
   * texts went with it (its current text reads null too): MESSAGE_DELETED, as for an edit. Auditors read them in the
   * audit API.
   */
  async getEditHistory(principal: AccessPrincipal, messageId: string): Promise<{ message: MessageView; edits: EditView[] }> {
    const location = parseMessageId(messageId);
    if (!location) throw new NotFoundError('NO_MESSAGE', `no message ${messageId}`, { messageId });
    const myRole = await this.readableRoom(principal, location.roomId);
    const message = await this.history.getMessage(location.roomId, location.seq);
    if (!message) throw new NotFoundError('NO_MESSAGE', `no message ${messageId}`, { messageId });
    const moderates = myRole === 'owner' || myRole === 'moderator' || principal.role === 'admin';
    if (message.senderId !== principal.userId && !moderates) {
      throw new ForbiddenError('FORBIDDEN', "only the sender and the room's moderators see a message's edits");
    }
    if (message.deleted) throw new ChatError('MESSAGE_DELETED', 'the message was deleted, and its earlier texts with it', { messageId });
    return { message, edits: await this.history.getEditHistory(location.roomId, location.seq) };
  }

  /**
   * A thread (#17): its root and a page of its replies, oldest first, for whoever may read the room. Named by a
   * reply, it is that reply's thread. A deleted root still heads its thread (text null, like history).
   */
  async getThread(
    principal: AccessPrincipal,
    messageId: string,
    options: { after?: number; limit: number },
  ): Promise<{ root: MessageView } & MessagePage> {
    const location = parseMessageId(messageId);
    if (!location) throw new NotFoundError('NO_MESSAGE', `no message ${messageId}`, { messageId });
    await this.readableRoom(principal, location.roomId);
    const named = await this.history.getMessage(location.roomId, location.seq);
    if (!named) throw new NotFoundError('NO_MESSAGE', `no message ${messageId}`, { messageId });
    const rootSeq = named.threadId === null ? named.seq : (parseMessageId(named.threadId)?.seq ?? named.seq);
    const root = rootSeq === named.seq ? named : await this.history.getMessage(location.roomId, rootSeq);
    if (!root) throw new NotFoundError('NO_MESSAGE', `no message ${named.threadId ?? messageId}`, { messageId });
    const page = await this.history.getThread(location.roomId, rootSeq, options);
    const last = page.messages.at(-1);
    return page.hasMore && last ? { root, messages: page.messages, nextCursor: last.seq } : { root, messages: page.messages };
  }

  /**
   * The messages that `@mention` the caller, newest first (#17): only in rooms they may read now, never deleted ones,
   * never from users they blocked. `before` is the last message id of the previous page; one the caller may not read
   * (or that does not mention them) starts nowhere: NO_MESSAGE, so a cursor reveals no message.
   */
  async listMentions(principal: AccessPrincipal, options: { before?: string; limit: number }): Promise<MessagePage<string>> {
    let before: { createdAt: string; roomId: string; seq: number } | undefined;
    if (options.before !== undefined) {
      const location = parseMessageId(options.before);
      const message = location && (await this.history.getMessage(location.roomId, location.seq));
      if (!location || !message || !message.mentions.includes(principal.userId)) {
        throw new NotFoundError('NO_MESSAGE', `no mention of you in ${options.before}`, { messageId: options.before });
      }
      before = { createdAt: message.createdAt, roomId: location.roomId, seq: location.seq };
    }
    const page = await this.history.listMentions(principal.userId, { limit: options.limit, ...(before ? { before } : {}) });
    const last = page.messages.at(-1);
    return page.hasMore && last ? { messages: page.messages, nextCursor: last.messageId } : { messages: page.messages };
  }

  /** The caller's role in the room, once they may read it (roomUse: no member count, one read). */
  private readableRoom(principal: AccessPrincipal, roomId: string): Promise<RoomRole | null> {
    return roomUse(this.history, roomId, principal.userId, READING);
  }
}
