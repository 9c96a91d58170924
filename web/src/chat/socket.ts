import { parseFrame, type ClientFrame, type ServerFrame } from './frames.js';

// The WebSocket at /ws: in-band auth (the token never goes in the URL), pong to pings, reconnect with backoff, and
// recovery: after every (re)connect each room is subscribed again with `afterSeq` = the last seq the page holds, so
// the gateway replays what was missed from the log before going live (no gap, no duplicate; API.md).

export type SocketStatus = 'connecting' | 'online' | 'offline';

export interface SocketOptions {
  token(): string | null;
  /** Asked when the server refuses the token (expired): true when a fresh one is ready. */
  refresh(): Promise<boolean>;
  /** The seq to resume each subscribed room after. */
  resumeAfter(roomId: string): number | undefined;
  onFrame(frame: ServerFrame): void;
  onStatus(status: SocketStatus): void;
}

const AUTH_CODES = new Set(['AUTH_FAILED', 'AUTH_REQUIRED', 'TOKEN_EXPIRED', 'TOKEN_REVOKED']);

export class ChatSocket {
  private socket: WebSocket | null = null;
  private delay = 500;
  private stopped = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly rooms = new Set<string>();
  status: SocketStatus = 'offline';

  constructor(private readonly options: SocketOptions) {}

  start(): void {
    this.stopped = false;
    this.open();
    window.addEventListener('online', this.retryNow);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    window.removeEventListener('online', this.retryNow);
    this.socket?.close(1000);
    this.socket = null;
    // The next start may be another person's session: none of these rooms are theirs.
    this.rooms.clear();
    this.setStatus('offline');
  }

  /** Follows a room from now on, and again after every reconnect. */
  follow(roomId: string): void {
    if (this.rooms.has(roomId)) return;
    this.rooms.add(roomId);
    if (this.status === 'online') this.subscribe(roomId);
  }

  unfollow(roomId: string): void {
    if (!this.rooms.delete(roomId)) return;
    this.send({ type: 'room.unsubscribe', roomId });
  }

  /** False when not connected: the caller says so (REST is the fallback for sends). */
  send(frame: ClientFrame): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN || (this.status !== 'online' && frame.type !== 'auth')) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private readonly retryNow = (): void => {
    if (this.status !== 'offline' || this.stopped) return;
    clearTimeout(this.timer);
    this.delay = 500;
    this.open();
  };

  private open(): void {
    const token = this.options.token();
    if (token === null) return;
    this.setStatus('connecting');
    const socket = new WebSocket(`${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`);
    this.socket = socket;
    let authFailed = false;
    socket.addEventListener('open', () => socket.send(JSON.stringify({ type: 'auth', token: this.options.token() ?? token })));
    socket.addEventListener('message', (event: MessageEvent<string>) => {
      const frame = parseFrame(event.data);
      if (frame === null) return;
      if (frame.type === 'ping') socket.send(JSON.stringify({ type: 'pong' }));
      else if (frame.type === 'auth.success') {
        this.delay = 500;
        this.setStatus('online');
        for (const roomId of this.rooms) this.subscribe(roomId);
      } else if (frame.type === 'chat.error' && this.status === 'connecting' && AUTH_CODES.has(frame.code)) authFailed = true;
      this.options.onFrame(frame);
    });
    socket.addEventListener('close', (event) => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.setStatus('offline');
      if (this.stopped) return;
      void this.reconnect(authFailed || event.code === 4003);
    });
  }

  private async reconnect(tokenRefused: boolean): Promise<void> {
    if (tokenRefused && !(await this.options.refresh())) return;
    this.timer = setTimeout(() => this.open(), tokenRefused ? 0 : this.delay);
    this.delay = Math.min(this.delay * 2, 10_000);
  }

  private subscribe(roomId: string): void {
    const afterSeq = this.options.resumeAfter(roomId);
    this.send({ type: 'room.subscribe', roomId, ...(afterSeq === undefined ? {} : { afterSeq }) });
  }

  private setStatus(status: SocketStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus(status);
  }
}
