import WebSocket from 'ws';

// A promise-based WebSocket client for end-to-end tests: it records every frame the server sends and lets a test
// wait for the first frame matching a predicate (with a timeout, so a missing frame fails instead of hanging).

/* eslint-disable @typescript-eslint/no-explicit-any -- frames are arbitrary server JSON that tests inspect field by field */
export type Frame = any;
/* eslint-enable @typescript-eslint/no-explicit-any */

export interface CloseInfo {
  code: number;
  reason: string;
}

export interface ConnectOptions {
  origin?: string;
  headers?: Record<string, string>;
  /**
   * Answers every `ping` with `pong` from the first frame on, as a live client does. A listener added after
   * `connectAs` resolves can miss a ping that came in the same read as `auth.success` (ws emits both before the
   * awaiting test resumes), and the gateway then rightly drops the client with 4002. A function is called on each
   * ping instead, to answer it its own way (or not).
   */
  answerPings?: boolean | ((client: WsTestClient) => void);
}

const DEFAULT_TIMEOUT_MS = 5000;

export class WsTestClient {
  /** Every frame received so far, parsed, in order. */
  readonly frames: Frame[] = [];
  readonly closed: Promise<CloseInfo>;
  private readonly waiters = new Set<{ predicate: (frame: Frame) => boolean; resolve: (frame: Frame) => void }>();
  private barrierCount = 0;

  private closeInfo: CloseInfo | undefined;

  private constructor(
    readonly ws: WebSocket,
    answerPings: boolean | ((client: WsTestClient) => void),
  ) {
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        resolve(this.closeInfo);
      });
    });
    ws.on('message', (data, isBinary) => {
      const frame: Frame = isBinary ? { type: '(binary)' } : JSON.parse(data.toString());
      this.frames.push(frame);
      if (answerPings && frame.type === 'ping') {
        if (answerPings === true) this.send({ type: 'pong' });
        else answerPings(this);
      }
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(frame)) {
          this.waiters.delete(waiter);
          waiter.resolve(frame);
        }
      }
    });
    // Errors (a refused handshake, a reset) surface through `closed` or the connect promise.
    ws.on('error', () => undefined);
  }

  /** Opens a socket to `${baseUrl}/ws` (http→ws). Rejects when the handshake is refused. */
  static connect(baseUrl: string, options: ConnectOptions = {}): Promise<WsTestClient> {
    const url = `${baseUrl.replace(/^http/, 'ws')}/ws`;
    const ws = new WebSocket(url, { origin: options.origin, headers: options.headers });
    const client = new WsTestClient(ws, options.answerPings ?? false);
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`handshake refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  /** Connects and authenticates; resolves once `auth.success` arrived. */
  static async connectAs(baseUrl: string, accessToken: string, options: ConnectOptions = {}): Promise<WsTestClient> {
    const client = await WsTestClient.connect(baseUrl, options);
    client.send({ type: 'auth', token: accessToken });
    await client.waitFor((frame) => frame.type === 'auth.success');
    return client;
  }

  send(frame: object): void {
    this.ws.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.ws.send(data, { binary: options.binary ?? false });
  }

  /** The first frame (already received or still to come) that matches. */
  waitFor(predicate: (frame: Frame) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    const seen = this.frames.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return this.nextFrame(predicate, timeoutMs);
  }

  /** The first frame still to come that matches. */
  nextFrame(predicate: (frame: Frame) => boolean, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (frame: Frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const closed = this.closeInfo ? ` (the socket closed: ${this.closeInfo.code} ${this.closeInfo.reason})` : '';
        reject(new Error(`no matching frame within ${timeoutMs} ms${closed}; got ${JSON.stringify(this.frames.slice(-10))}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Waits until `count` frames match, and returns all that match, in order. */
  async waitForCount(predicate: (frame: Frame) => boolean, count: number, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<Frame[]> {
    let matched = this.frames.filter(predicate).length;
    if (matched < count) {
      await this.nextFrame((frame) => predicate(frame) && ++matched >= count, timeoutMs);
    }
    return this.frames.filter(predicate);
  }

  /** The chat.error answering the frame with this ref. */
  errorFor(ref: string | number, timeoutMs?: number): Promise<Frame> {
    return this.waitFor((frame) => frame.type === 'chat.error' && frame.ref === ref, timeoutMs);
  }

  /** The chat.event frames of a room received so far. */
  events(roomId: string): Frame[] {
    return this.frames.filter((frame) => frame.type === 'chat.event' && frame.roomId === roomId);
  }

  /**
   * A round trip on this socket: the server answers frames in order and writes one socket in order, so once the
   * answer is here, everything the server sent this socket before reading the barrier is here too.
   */
  async barrier(): Promise<void> {
    const id = `barrier-${++this.barrierCount}`;
    this.send({ type: 'room.unsubscribe', roomId: `no-such-room-${id}`, id });
    await this.waitFor((frame) => frame.type === 'room.unsubscribed' && frame.ref === id);
  }

  /** Subscribes and waits for `room.subscribed`. */
  async subscribe(roomId: string, afterSeq?: number): Promise<Frame> {
    const id = `sub-${roomId}-${afterSeq ?? 'live'}-${this.frames.length}`;
    this.send(afterSeq === undefined ? { type: 'room.subscribe', roomId, id } : { type: 'room.subscribe', roomId, afterSeq, id });
    return this.waitFor((frame) => (frame.type === 'room.subscribed' || frame.type === 'chat.error') && frame.ref === id);
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Stops reading from the socket (ws pauses the underlying TCP socket): a slow consumer. */
  pause(): void {
    this.ws.pause();
  }

  resume(): void {
    this.ws.resume();
  }

  async close(): Promise<CloseInfo> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    return this.closed;
  }
}
