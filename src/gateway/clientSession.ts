import type { Logger } from 'pino';
import type { RawData } from 'ws';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import { AuthenticationError, ChatError, ValidationError, type ErrorCode } from '../domain/errors.js';
import type { Metrics } from '../observability/metrics.js';
import { CLOSE_CODES } from './closeCodes.js';
import type { Connection } from './connection.js';
import { errorFrameOf } from './errorFrames.js';
import type { FrameCounter } from './frameCounter.js';
import type { FrameHandlers, SessionClient } from './frameHandlers.js';
import type { GatewayPresence } from './presenceRelay.js';
import { OrderedAnswers } from './orderedAnswers.js';
import type { FrameRef } from './protocol.js';
import { parseClientFrame, withRef } from './protocol.js';
import type { RoomHub } from './roomHub.js';

/** What every session of a gateway shares: made once, so an idle connection does not carry a copy. */
export interface ClientSessionDeps {
  handlers: FrameHandlers;
  hub: RoomHub;
  frames: FrameCounter;
  metrics: Metrics;
  logger: Logger;
  authenticate(token: string): Promise<AccessPrincipal>;
  /** The heartbeat's check of a principal authenticate() returned: expiry and revocations, no token kept. */
  recheck(principal: AccessPrincipal): Promise<void>;
  presence?: GatewayPresence;
  maxFrameBytes: number;
  authTimeoutMs: number;
}

type SessionState =
  | { kind: 'awaiting-auth' }
  | { kind: 'authenticated'; client: SessionClient }
  | { kind: 'closed' };

/** Frames queued before the socket stops being read, so a flooding client is slowed by TCP, not by our memory. */
const INBOX_HIGH_WATER = 32;
const INBOX_LOW_WATER = 8;

/**
 * One client's conversation: authentication first, then its frames one at a time, in the order they came, so
 * answers keep the order of the questions and a client cannot make the server run unbounded work at once.
 */
export class ClientSession {
  private state: SessionState = { kind: 'awaiting-auth' };
  private inbox: { data: RawData; isBinary: boolean }[] = [];
  private processing: Promise<void> | undefined;
  private paused = false;
  private awaitingPong = false;
  /** Dropped once authenticated: an idle connection keeps no timer object (memory per connection, #13). */
  private authTimer: NodeJS.Timeout | undefined;
  /** Made at the first answer that waits: most connections never send a message (memory per connection, #13). */
  private waitingAnswers: OrderedAnswers | undefined;

  constructor(
    readonly connection: Connection,
    private readonly deps: ClientSessionDeps,
  ) {
    deps.metrics.wsConnections.inc({ state: 'unauthenticated' });
    this.authTimer = setTimeout(() => this.authTimedOut(), deps.authTimeoutMs);
    connection.onClosing(() => this.closed());
  }

  /** Resolves once the frame being handled (if any) and those queued behind it are done and answered. */
  get idle(): Promise<void> {
    return (this.processing ?? Promise.resolve()).then(() => this.waitingAnswers?.sent());
  }

  receive(data: RawData, isBinary: boolean): void {
    if (this.state.kind === 'closed') return;
    // Checked before queueing: an oversized frame is refused at once and never held.
    if (byteLengthOf(data) > this.deps.maxFrameBytes) {
      this.deps.frames.in('oversize');
      this.sendError(new ChatError('PAYLOAD_TOO_LARGE', `frames are limited to ${this.deps.maxFrameBytes} bytes`), undefined);
      this.connection.close(CLOSE_CODES.MESSAGE_TOO_BIG, 'frame too big');
      return;
    }
    this.inbox.push({ data, isBinary });
    // A pong counts when it arrives, not when its turn in the inbox comes: behind a burst of the client's own
    // frames it may wait longer than a ping interval, and the client is plainly alive.
    if (this.awaitingPong && isPongFrame(data, isBinary)) this.awaitingPong = false;
    if (this.inbox.length >= INBOX_HIGH_WATER && !this.paused) {
      this.paused = true;
      this.connection.pauseReading();
    }
    this.processing ??= this.drain();
  }

  /**
   * The gateway's heartbeat tick: drop a client that left the previous ping unanswered, else ping again. Each tick
   * also checks the connection's token again, so a token that expired or was revoked by a logout stops a live
   * socket within one ping interval, with the token's own code (the client refreshes and reconnects).
   */
  pingTick(): void {
    if (this.state.kind !== 'authenticated' || !this.connection.isOpen) return;
    if (this.awaitingPong) {
      // While reading is paused (backpressure, our doing) the pong may sit unread in the socket: not the client's
      // fault. The ping stays outstanding and is judged at the first tick after reading resumes.
      if (!this.paused) {
        this.connection.close(CLOSE_CODES.PING_TIMEOUT, 'no pong');
        return;
      }
    } else {
      this.awaitingPong = true;
      this.connection.sendFrame({ type: 'ping' });
    }
    void this.recheckToken(this.state.client.principal);
  }

  private async recheckToken(principal: AccessPrincipal): Promise<void> {
    try {
      await this.deps.recheck(principal);
    } catch (error) {
      if (!(error instanceof AuthenticationError)) {
        // A store that cannot answer right now is no reason to drop a client who was let in.
        this.deps.logger.warn({ err: error }, 'could not re-check a connection token');
        return;
      }
      if (this.state.kind !== 'authenticated' || !this.connection.isOpen) return;
      this.sendError(error, undefined);
      this.connection.close(CLOSE_CODES.AUTH_FAILED, liveRefusalReason(error.code));
    }
  }

  private async drain(): Promise<void> {
    try {
      for (let next = this.inbox.shift(); next; next = this.inbox.shift()) {
        await this.process(next.data, next.isBinary);
        if (this.paused && this.inbox.length <= INBOX_LOW_WATER) {
          this.paused = false;
          this.connection.resumeReading();
        }
      }
    } finally {
      this.processing = undefined;
      // An empty array again: the drained one keeps the room it grew to, which an idle connection need not hold.
      if (this.inbox.length === 0) this.inbox = [];
    }
  }

  private async process(data: RawData, isBinary: boolean): Promise<void> {
    if (this.state.kind === 'closed') return;
    if (isBinary) {
      this.deps.frames.in('binary');
      this.refuse(new ChatError('UNSUPPORTED_MEDIA_TYPE', 'only text frames holding JSON are accepted'), undefined);
      return;
    }
    const parsed = parseClientFrame(textOf(data));
    if (!parsed.ok) {
      this.deps.frames.in('invalid');
      this.refuse(parsed.error, parsed.ref);
      return;
    }
    const { frame, ref } = parsed;
    this.deps.frames.in(frame.type);
    const state = this.state;
    if (state.kind === 'awaiting-auth') {
      if (frame.type === 'auth') await this.authenticate(frame.token, ref);
      else this.sendError(new AuthenticationError('AUTH_REQUIRED', 'send an auth frame first'), ref);
      return;
    }
    if (frame.type === 'auth') {
      this.refuse(new ValidationError('this connection is already authenticated'), ref);
      return;
    }
    if (frame.type === 'pong') this.awaitingPong = false;
    // Answers keep the order of their frames. A send's ack waits for the writer's answer and the history view, and
    // the next send need not: it is handed to the writer meanwhile (behind the previous one, so a client's messages
    // keep their order) and its ack queued behind. Any other frame is handled once the acks before it are sent.
    const pipelined = frame.type === 'chat.send';
    if (!pipelined && this.answersWaiting > 0) await this.waitingAnswers?.sent();
    try {
      const later = await this.deps.handlers.handle(state.client, frame, ref);
      if (later) this.answers().add(later.ready, later.send, ref);
    } catch (error) {
      this.refuse(error, ref);
    }
    // No more acks waiting than frames may queue: beyond that the client waits, and then TCP slows it down.
    if (this.answersWaiting >= INBOX_HIGH_WATER) await this.waitingAnswers?.sent();
  }

  private async authenticate(token: string, ref: FrameRef | undefined): Promise<void> {
    let principal: AccessPrincipal;
    try {
      principal = await this.deps.authenticate(token);
    } catch (error) {
      // The token's own code (AUTH_FAILED, TOKEN_EXPIRED, TOKEN_REVOKED) tells the client whether to refresh.
      const refused = error instanceof AuthenticationError;
      this.sendError(error, ref);
      this.connection.close(refused ? CLOSE_CODES.AUTH_FAILED : CLOSE_CODES.INTERNAL_ERROR, refused ? 'auth failed' : 'internal error');
      return;
    }
    if (this.state.kind !== 'awaiting-auth') return;
    clearTimeout(this.authTimer);
    this.authTimer = undefined;
    const client: SessionClient = { connection: this.connection, principal, userId: principal.userId };
    this.state = { kind: 'authenticated', client };
    this.deps.metrics.wsConnections.dec({ state: 'unauthenticated' });
    this.deps.metrics.wsConnections.inc({ state: 'authenticated' });
    this.connection.sendFrame(withRef({ type: 'auth.success', userId: principal.userId }, ref));
    await this.deps.presence?.connect(principal.userId, this.connection.id).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, userId: principal.userId }, 'presence connect failed');
    });
  }

  private authTimedOut(): void {
    if (this.state.kind !== 'awaiting-auth') return;
    this.sendError(new AuthenticationError('AUTH_TIMEOUT', 'no auth frame in time'), undefined);
    this.connection.close(CLOSE_CODES.AUTH_TIMEOUT, 'auth timeout');
  }

  private closed(): void {
    const previous = this.state;
    if (previous.kind === 'closed') return;
    clearTimeout(this.authTimer);
    this.authTimer = undefined;
    this.state = { kind: 'closed' };
    this.inbox = [];
    this.deps.hub.removeConnection(this.connection);
    if (previous.kind === 'authenticated') {
      this.deps.metrics.wsConnections.dec({ state: 'authenticated' });
      const { userId } = previous.client;
      this.deps.presence?.disconnect(userId, this.connection.id).catch((error: unknown) => {
        this.deps.logger.warn({ err: error, userId }, 'presence disconnect failed');
      });
    } else {
      this.deps.metrics.wsConnections.dec({ state: 'unauthenticated' });
    }
  }

  private get answersWaiting(): number {
    return this.waitingAnswers?.size ?? 0;
  }

  private answers(): OrderedAnswers {
    this.waitingAnswers ??= new OrderedAnswers((error, ref) => this.sendError(error, ref));
    return this.waitingAnswers;
  }

  /** A frame's refusal, in its turn: behind the acks still waiting, if any. */
  private refuse(error: unknown, ref: FrameRef | undefined): void {
    if (this.answersWaiting > 0) this.answers().add(Promise.reject(error), () => undefined, ref);
    else this.sendError(error, ref);
  }

  private sendError(error: unknown, ref: FrameRef | undefined): void {
    const { frame, internal } = errorFrameOf(error, ref);
    if (internal) this.deps.logger.error({ err: error, connectionId: this.connection.id }, 'WebSocket frame failed');
    this.connection.sendFrame(frame);
  }
}

/** The close reason of a live connection whose token stopped working: whether refreshing can help. */
function liveRefusalReason(code: ErrorCode): string {
  if (code === 'TOKEN_EXPIRED') return 'token expired';
  // The account is closed for good: neither a refresh nor a new sign-in will let it back.
  if (code === 'ACCOUNT_ERASED') return 'account erased';
  return 'token revoked';
}

function byteLengthOf(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((total, chunk) => total + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** Pong frames are tiny; anything longer is not parsed here (its turn in the inbox will). */
const MAX_PONG_BYTES = 64;

function isPongFrame(data: RawData, isBinary: boolean): boolean {
  if (isBinary || byteLengthOf(data) > MAX_PONG_BYTES) return false;
  try {
    const frame: unknown = JSON.parse(textOf(data));
    return typeof frame === 'object' && frame !== null && 'type' in frame && frame.type === 'pong';
  } catch {
    return false;
  }
}

function textOf(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}
