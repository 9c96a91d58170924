import { Api, ApiError, describeError, path } from '../shared/api.js';
import { nameOf } from '../shared/format.js';
import { Session } from '../shared/session.js';
import type { Attachment, Member, Message, MessagePage, Presence, PublicProfile, Receipt, Room, TokenPair, User } from '../shared/types.js';
import type { Streams } from './answers.js';
import { applyFrame } from './liveFrames.js';
import { PendingSends } from './pendingSends.js';
import { ChatSocket, type SocketStatus } from './socket.js';
import { EMPTY_TIMELINE, withPage, type Timeline } from './timeline.js';

// The chat page's state and everything that changes it: REST calls, WebSocket frames, timers. Components read a
// snapshot (useChat in hooks.ts) and call the actions; nothing here touches the DOM.

export type View = 'chat' | 'friends' | 'profile' | 'search';

export interface ChatState {
  me: User | null;
  status: SocketStatus;
  view: View;
  rooms: Room[];
  publicRooms: Room[];
  currentRoomId: string | null;
  timelines: ReadonlyMap<string, Timeline>;
  members: ReadonlyMap<string, Member[]>;
  profiles: ReadonlyMap<string, PublicProfile>;
  presence: ReadonlyMap<string, Presence>;
  /** roomId → userId → when their typing note expires (ms since epoch). */
  typing: ReadonlyMap<string, ReadonlyMap<string, number>>;
  receipts: ReadonlyMap<string, Receipt[]>;
  pins: ReadonlyMap<string, Message[] | null>;
  /** The people I blocked (GET /api/users/me/blocks); null on a server without blocks. */
  blocked: ReadonlySet<string> | null;
  /** Assistants' answers growing (chat.stream) by stream id. */
  streams: Streams;
  /** The accounts seen streaming answers: their messages are marked as an assistant's. */
  assistants: ReadonlySet<string>;
  replyTo: Message | null;
  /** The search view's query; '' lists the messages that mention me. */
  searchQuery: string;
  editing: Message | null;
  error: string;
  notice: string;
}

const ROOM_POLL_MS = 8000;
const PAGE = 50;

export class ChatStore {
  readonly session: Session;
  readonly api: Api;
  private readonly socket: ChatSocket;
  private readonly pendingSends = new PendingSends(() => crypto.randomUUID());
  private readonly listeners = new Set<() => void>();
  private readonly pendingProfiles = new Set<string>();
  private poll: ReturnType<typeof setInterval> | undefined;
  private repliesSupported = true;
  state: ChatState = {
    me: null, status: 'offline', view: 'chat', rooms: [], publicRooms: [], currentRoomId: null,
    timelines: new Map(), members: new Map(), profiles: new Map(), presence: new Map(), typing: new Map(),
    receipts: new Map(), pins: new Map(), blocked: new Set(), streams: new Map(), assistants: new Set(), replyTo: null, searchQuery: '', editing: null, error: '', notice: '',
  };

  constructor() {
    this.session = new Session((refreshToken) => this.api.post<TokenPair>('/api/auth/refresh', { refreshToken }));
    this.api = new Api(this.session);
    this.socket = new ChatSocket({
      token: () => this.session.accessToken(),
      refresh: () => this.session.refresh(),
      resumeAfter: (roomId) => this.state.timelines.get(roomId)?.lastSeq ?? this.state.rooms.find((r) => r.roomId === roomId)?.headSeq,
      onFrame: (frame) => applyFrame(this, frame),
      onStatus: (status) => {
        this.set({ status });
        if (status === 'online') void this.loadRooms();
        if (status === 'offline') this.pendingSends.socketLost();
      },
    });
    this.session.onChange(() => {
      const user = this.session.user();
      if (user === null && this.state.me !== null) this.leave();
      else if (user !== null && this.state.me === null) void this.enter();
      else if (user !== null) this.set({ me: user });
    });
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  set(patch: Partial<ChatState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  // ---- session ----------------------------------------------------------------------------------------------

  async enter(): Promise<void> {
    const me = this.session.user();
    if (me === null || this.state.me !== null) return;
    this.remember({ ...me });
    this.set({ me, error: '' });
    this.socket.start();
    await Promise.all([this.loadRooms(), this.loadBlocks()]);
    this.poll = setInterval(() => void this.loadRooms(), ROOM_POLL_MS);
    window.addEventListener('focus', this.onFocus);
  }

  async signOut(): Promise<void> {
    await this.api.post('/api/auth/logout').catch(() => undefined);
    this.session.clear();
  }

  private leave(): void {
    this.socket.stop();
    clearInterval(this.poll);
    window.removeEventListener('focus', this.onFocus);
    this.set({ me: null, rooms: [], currentRoomId: null, timelines: new Map(), members: new Map(), view: 'chat' });
  }

  private readonly onFocus = (): void => void this.loadRooms();

  // ---- people -----------------------------------------------------------------------------------------------

  remember(profile: PublicProfile): void {
    const profiles = new Map(this.state.profiles);
    profiles.set(profile.userId, profile);
    this.set({ profiles });
  }

  /** Names for ids the page has not seen yet (a member who joined after the room was opened, a reactor). */
  need(userIds: Iterable<string>): void {
    for (const userId of userIds) {
      if (this.state.profiles.has(userId) || this.pendingProfiles.has(userId)) continue;
      this.pendingProfiles.add(userId);
      void this.api
        .get<{ user: PublicProfile }>(path`/api/users/${userId}`)
        .then(({ user }) => this.remember(user))
        .catch(() => undefined)
        .finally(() => this.pendingProfiles.delete(userId));
    }
  }

  private refreshProfiles(userIds: string[]): void {
    for (const userId of userIds) {
      void this.api
        .get<{ user: PublicProfile }>(path`/api/users/${userId}`)
        .then(({ user }) => this.remember(user))
        .catch(() => undefined);
    }
  }

  // ---- rooms ------------------------------------------------------------------------------------------------

  async loadRooms(): Promise<void> {
    if (this.state.me === null) return;
    try {
      const [mine, open] = await Promise.all([
        this.api.get<{ rooms: Room[] }>('/api/chat/rooms?limit=100'),
        this.api.get<{ rooms: Room[] }>('/api/chat/rooms?scope=public&limit=100'),
      ]);
      const myIds = new Set(mine.rooms.map((room) => room.roomId));
      const rooms = mine.rooms.map((room) => (room.roomId === this.state.currentRoomId ? { ...room, unreadCount: 0, mentionCount: 0 } : room));
      this.set({ rooms, publicRooms: open.rooms.filter((room) => !myIds.has(room.roomId)) });
      // Every room of mine is followed, so unread counts, typing and presence stay live; rooms someone added me to
      // show up here on the next poll (no frame tells a user about a room they do not follow yet).
      for (const room of mine.rooms) this.socket.follow(room.roomId);
      for (const room of mine.rooms) if (room.kind === 'direct' && !this.state.members.has(room.roomId)) void this.loadMembers(room.roomId);
    } catch (error) {
      this.fail(error);
    }
  }

  async loadMembers(roomId: string): Promise<void> {
    const { members } = await this.api.get<{ members: Member[] }>(path`/api/chat/rooms/${roomId}/members`);
    const all = new Map(this.state.members);
    all.set(roomId, members);
    // The member list names everyone at once; their full profiles (avatar, status) follow one by one.
    const profiles = new Map(this.state.profiles);
    const unknown = members.filter((member) => !profiles.has(member.userId));
    for (const member of unknown) profiles.set(member.userId, { ...member, statusText: '', avatarUrl: null });
    this.set({ members: all, profiles });
    void this.loadPresence(roomId);
    this.refreshProfiles(unknown.map((member) => member.userId));
  }

  async openRoom(roomId: string): Promise<void> {
    this.set({ currentRoomId: roomId, view: 'chat', replyTo: null, editing: null, error: '' });
    try {
      let { room } = await this.api.get<{ room: Room }>(path`/api/chat/rooms/${roomId}`);
      if (room.myRole === null && room.kind === 'public') ({ room } = await this.api.post<{ room: Room }>(path`/api/chat/rooms/${roomId}/join`));
      this.upsertRoom({ ...room, unreadCount: 0, mentionCount: 0 });
      const [page] = await Promise.all([
        this.api.get<MessagePage>(path`/api/chat/rooms/${roomId}/messages?limit=${PAGE}`),
        this.loadMembers(roomId),
        this.loadPresence(roomId),
        this.loadReceipts(roomId),
        this.loadPins(roomId),
      ]);
      const timelines = new Map(this.state.timelines);
      timelines.set(roomId, withPage(timelines.get(roomId) ?? EMPTY_TIMELINE, page, false));
      this.set({ timelines });
      this.need(page.messages.map((message) => message.senderId));
      this.socket.follow(roomId);
      this.markRead();
      void this.loadRooms();
    } catch (error) {
      this.fail(error);
    }
  }

  async loadOlder(): Promise<void> {
    const roomId = this.state.currentRoomId;
    const timeline = roomId === null ? undefined : this.state.timelines.get(roomId);
    if (roomId === null || timeline?.olderCursor == null) return;
    const page = await this.api.get<MessagePage>(path`/api/chat/rooms/${roomId}/messages?before=${timeline.olderCursor}&limit=${PAGE}`);
    const timelines = new Map(this.state.timelines);
    timelines.set(roomId, withPage(timeline, page, true));
    this.set({ timelines });
    this.need(page.messages.map((message) => message.senderId));
  }

  async createRoom(name: string, kind: 'public' | 'private', memberIds: string[] = []): Promise<void> {
    try {
      const { room } = await this.api.post<{ room: Room }>('/api/chat/rooms', { name, kind, ...(memberIds.length ? { memberIds } : {}) });
      this.upsertRoom(room);
      await this.openRoom(room.roomId);
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Opens (or creates) the direct room with someone; on a refusal returns what to tell the user, for the caller to
   * show where the person was picked (on a phone the room pane is hidden then).
   */
  async startDirect(userId: string): Promise<string | null> {
    try {
      const { room } = await this.api.post<{ room: Room }>('/api/chat/rooms', { kind: 'direct', memberIds: [userId] });
      this.upsertRoom(room);
      await this.openRoom(room.roomId);
      return null;
    } catch (error) {
      // 403 BLOCKED (API.md "Conversations"): the one place the service tells someone they are blocked; say who.
      if (error instanceof ApiError && error.code === 'BLOCKED') return `${nameOf(this.state.profiles.get(userId), 'This person')} does not take direct messages from you.`;
      return error instanceof ApiError && error.missing ? 'This server does not offer that yet.' : describeError(error);
    }
  }

  async addMember(roomId: string, userId: string): Promise<void> {
    await this.run(() => this.api.post(path`/api/chat/rooms/${roomId}/members`, { userId }));
    await this.loadMembers(roomId);
  }

  async leaveRoom(roomId: string): Promise<void> {
    await this.run(() => this.api.post(path`/api/chat/rooms/${roomId}/leave`));
    this.socket.unfollow(roomId);
    this.set({ currentRoomId: null });
    await this.loadRooms();
  }

  async setTopic(roomId: string, patch: { name?: string; topic?: string }): Promise<void> {
    await this.run(() => this.api.patch(path`/api/chat/rooms/${roomId}`, patch));
    await this.loadRooms();
  }

  /** GET /api/users/me/blocks (API.md "Conversations"): whom the Block buttons offer to unblock. */
  async loadBlocks(): Promise<void> {
    try {
      const { blocks } = await this.api.get<{ blocks: { userId: string; blockedAt: string }[] }>('/api/users/me/blocks');
      this.set({ blocked: new Set(blocks.map((block) => block.userId)) });
    } catch (error) {
      this.set({ blocked: error instanceof ApiError && error.missing ? null : this.state.blocked });
    }
  }

  /** PUT · DELETE /api/users/me/blocks/{userId} → 204, idempotent. */
  async setBlocked(userId: string, blocked: boolean): Promise<void> {
    const url = path`/api/users/me/blocks/${userId}`;
    if (!(await this.run(() => (blocked ? this.api.put(url) : this.api.delete(url))))) return;
    const next = new Set(this.state.blocked ?? []);
    if (blocked) next.add(userId);
    else next.delete(userId);
    this.set({ blocked: next, error: '' });
  }

  private upsertRoom(room: Room): void {
    const others = this.state.rooms.filter((r) => r.roomId !== room.roomId);
    this.set({ rooms: [room, ...others], publicRooms: this.state.publicRooms.filter((r) => r.roomId !== room.roomId) });
  }

  async loadPresence(roomId: string): Promise<void> {
    const { presence } = await this.api.get<{ presence: Presence[] }>(path`/api/chat/rooms/${roomId}/presence`).catch(() => ({ presence: [] }));
    const all = new Map(this.state.presence);
    for (const entry of presence) all.set(entry.userId, entry);
    this.set({ presence: all });
  }

  async loadReceipts(roomId: string): Promise<void> {
    const { receipts } = await this.api.get<{ receipts: Receipt[] }>(path`/api/chat/rooms/${roomId}/receipts`).catch(() => ({ receipts: [] }));
    this.set({ receipts: new Map(this.state.receipts).set(roomId, receipts) });
  }

  async loadPins(roomId: string): Promise<void> {
    const pins = await this.api
      .get<{ messages: Message[] }>(path`/api/chat/rooms/${roomId}/pins`)
      .then((page) => page.messages)
      .catch((error: unknown) => (error instanceof ApiError && error.missing ? null : []));
    this.set({ pins: new Map(this.state.pins).set(roomId, pins) });
  }

  // ---- messages ---------------------------------------------------------------------------------------------

  async send(text: string, files: Attachment[] = []): Promise<boolean> {
    const roomId = this.state.currentRoomId;
    if (roomId === null) return false;
    if (this.state.error !== '') this.set({ error: '' });
    if (files.length > 0) {
      const attachments = files.map((file) => file.fileId);
      return this.sendOnce(roomId, text, (clientMessageId) => this.api.post('/api/chat/send', { roomId, text, clientMessageId, attachments }));
    }
    const editing = this.state.editing;
    if (editing !== null) {
      this.set({ editing: null });
      return this.run(() => this.api.patch(path`/api/chat/messages/${editing.messageId}`, { text }));
    }
    const quoted = this.state.replyTo;
    this.set({ replyTo: null });
    if (quoted !== null) return this.sendOnce(roomId, text, (clientMessageId) => this.reply(roomId, text, clientMessageId, quoted));
    return this.sendOnce(roomId, text, async (clientMessageId) => {
      // Done when acknowledged (pendingSends.ts); the frame's id comes back as the ref of a refusal.
      if (this.socket.send({ type: 'chat.send', id: clientMessageId, roomId, text, clientMessageId })) {
        const outcome = await this.pendingSends.answerOf(clientMessageId);
        if (outcome === 'acked') return;
        if (outcome === 'refused') throw new SendRefused();
      }
      // Offline, or no answer in time: REST, with the same clientMessageId, so a frame that did arrive is not
      // stored twice; the timeline gets the message from the replay when the socket is back.
      await this.api.post('/api/chat/send', { roomId, text, clientMessageId });
    });
  }

  /** A socket send's chat.ack or refusal (chat.error with its ref), from liveFrames.ts. */
  sendAnswered(clientMessageId: string | undefined, outcome: 'acked' | 'refused'): void {
    this.pendingSends.answered(clientMessageId, outcome);
  }

  /** One attempt at a send; its clientMessageId is kept for a retry while its outcome is unknown (pendingSends.ts). */
  private async sendOnce(roomId: string, text: string, attempt: (clientMessageId: string) => Promise<unknown>): Promise<boolean> {
    const send = { roomId, text, clientMessageId: this.pendingSends.idFor(roomId, text) };
    try {
      await attempt(send.clientMessageId);
      this.pendingSends.settled(send, 'stored');
      return true;
    } catch (error) {
      // A refusal is an answer (nothing stored); anything else (the network, a 5xx) leaves the outcome unknown.
      const refused = error instanceof SendRefused || (error instanceof ApiError && error.status < 500);
      this.pendingSends.settled(send, refused ? 'refused' : 'unknown');
      // A refusal over the socket was already shown from its chat.error.
      if (!(error instanceof SendRefused)) this.fail(error);
      return false;
    }
  }

  /**
   * A reply goes over REST, so a server without threads (replyTo, API.md "Conversations") answers this request with
   * 400 instead of failing a socket frame: the reply is then sent as a plain message quoting the original.
   */
  private async reply(roomId: string, text: string, clientMessageId: string, quoted: Message): Promise<void> {
    if (this.repliesSupported) {
      try {
        await this.api.post('/api/chat/send', { roomId, text, clientMessageId, replyTo: quoted.messageId });
        return;
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 400)) throw error;
        this.repliesSupported = false;
      }
    }
    const who = nameOf(this.state.profiles.get(quoted.senderId), 'someone');
    const excerpt = (quoted.text ?? '').slice(0, 120);
    await this.api.post('/api/chat/send', { roomId, text: `> ${who}: ${excerpt}\n${text}`.slice(0, 1000), clientMessageId });
  }

  async remove(message: Message): Promise<void> {
    await this.run(() => this.api.delete(path`/api/chat/messages/${message.messageId}`));
  }

  async react(message: Message, emoji: string): Promise<void> {
    const mine = message.reactions.find((r) => r.emoji === emoji)?.userIds.includes(this.state.me?.userId ?? '');
    const url = path`/api/chat/messages/${message.messageId}/reactions/${emoji}`;
    await this.run(() => (mine ? this.api.delete(url) : this.api.put(url)));
  }

  async pin(message: Message, pinned: boolean): Promise<void> {
    const url = path`/api/chat/rooms/${message.roomId}/pins/${message.messageId}`;
    await this.run(() => (pinned ? this.api.delete(url) : this.api.put(url)));
    await this.loadPins(message.roomId);
  }

  /** Stops the assistant's answer to my question (chat.stream.cancel); the room then gets its end with an error. */
  stopAnswer(roomId: string, streamId: string): void {
    if (!this.socket.send({ type: 'chat.stream.cancel', roomId, streamId })) this.set({ error: 'Offline: the answer cannot be stopped until the connection is back.' });
  }

  typing(): void {
    if (this.state.currentRoomId !== null) this.socket.send({ type: 'chat.typing', roomId: this.state.currentRoomId });
  }

  markRead(): void {
    const roomId = this.state.currentRoomId;
    const seq = roomId === null ? 0 : (this.state.timelines.get(roomId)?.lastSeq ?? 0);
    if (roomId === null || seq === 0 || document.visibilityState === 'hidden') return;
    if (!this.socket.send({ type: 'chat.read', roomId, seq })) void this.api.post(path`/api/chat/rooms/${roomId}/read`, { seq }).catch(() => undefined);
  }

  // ---- errors -----------------------------------------------------------------------------------------------

  async run(action: () => Promise<unknown>): Promise<boolean> {
    try {
      await action();
      return true;
    } catch (error) {
      this.fail(error);
      return false;
    }
  }

  fail(error: unknown): void {
    this.set({ error: error instanceof ApiError && error.missing ? 'This server does not offer that yet.' : describeError(error) });
  }
}

/** The server refused a socket send (chat.error with its ref): an answer, shown from the frame itself. */
class SendRefused extends Error {}
