import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AnswerBus } from '../assistants/answerSignals.js';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { ChatCommands } from '../commands/chatCommands.js';
import type { AppConfig } from '../config/config.js';
import type { ErrorCode } from '../domain/errors.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { Metrics } from '../observability/metrics.js';
import type { HistoryStore } from '../projections/history/historyStore.js';
import type { WaitForHistory } from '../projections/readYourWrites.js';
import type { ChatQueries } from '../queries/chatQueries.js';
import type { RateLimiter } from '../ratelimit/rateLimiter.js';
import type { ReceiptCommands } from '../receipts/receiptCommands.js';
import type { ReceiptRecorder } from '../receipts/receiptRecorder.js';
import type { Clock, IdGenerator } from '../support/clock.js';
import { AnswerRelay } from './answerRelay.js';
import { ClientSession, type ClientSessionDeps } from './clientSession.js';
import { CLOSE_CODES } from './closeCodes.js';
import { Connection, type ConnectionSettings } from './connection.js';
import { FrameCounter } from './frameCounter.js';
import { FrameHandlers } from './frameHandlers.js';
import { isOriginAllowed } from './originPolicy.js';
import { PresenceRelay, type GatewayPresence } from './presenceRelay.js';
import { RoomHub } from './roomHub.js';
import type { TypingBus } from './typingBus.js';
import { relayTyping } from './typingRelay.js';

/** Where clients connect: on the HTTP server's own port, so REST and the socket share one address. */
export const WS_PATH = '/ws';
/** How many parts the heartbeat is spread over within WS_PING_INTERVAL_MS (see start). */
const HEARTBEAT_SLICES = 10;

export interface WebSocketGatewayDeps {
  config: AppConfig['ws'];
  logger: Logger;
  metrics: Metrics;
  clock: Clock;
  ids: IdGenerator;
  log: EventLog;
  history: HistoryStore;
  commands: ChatCommands;
  queries: ChatQueries;
  authenticate(token: string): Promise<AccessPrincipal>;
  /** authenticate() again, at each heartbeat, for a principal it returned (the socket keeps no token). */
  recheck(principal: AccessPrincipal): Promise<void>;
  /** Resolves once the history view has applied the log up to this checkpoint. */
  waitForHistory: WaitForHistory;
  typingLimiter: RateLimiter;
  /** Carries `chat.typing` between gateways (in process when there is one); this gateway relays what it hears. */
  typingBus: TypingBus;
  readLimiter: RateLimiter;
  /** Told of every message handed to a user's connection (delivered receipts). */
  receipts: ReceiptRecorder;
  /** `chat.read`: the same use case as REST's POST /rooms/:roomId/read. */
  receiptCommands: Pick<ReceiptCommands, 'markRead'>;
  presence: GatewayPresence;
  /**
   * Assistants (issue #19): the bus their answers stream on, and the responder this gateway runs (it answers the
   * questions whose lease it takes; src/assistants/assistantResponder.ts).
   */
  assistants?: { bus: AnswerBus; responder: { start(): Promise<void>; stop(): Promise<void> } };
}

/**
 * The WebSocket edge (API.md "WebSocket"): upgrades on /ws after an Origin check, runs one ClientSession per
 * socket, pings on one timer for all of them, and shares one RoomHub (one log subscription) between them.
 */
export class WebSocketGateway {
  private readonly wss: WebSocketServer;
  private readonly hub: RoomHub;
  private readonly handlers: FrameHandlers;
  private readonly frames: FrameCounter;
  private readonly logger: Logger;
  private readonly sessions = new Set<ClientSession>();
  /** The sessions by the slice of the heartbeat they are pinged in (see start), assigned in turn as they connect. */
  private readonly heartbeatSlices = Array.from({ length: HEARTBEAT_SLICES }, () => new Set<ClientSession>());
  private accepted = 0;
  private server: Server | undefined;
  private timers: NodeJS.Timeout[] = [];
  private stopPresence: (() => void) | undefined;
  private stopTyping: (() => void) | undefined;
  private readonly answerRelay: AnswerRelay;
  private stopAnswers: (() => void) | undefined;
  private stopping = false;
  /** Shared by every connection and session (memory per idle connection, #13). */
  private readonly connectionSettings: ConnectionSettings;
  private readonly sessionDeps: ClientSessionDeps;

  constructor(private readonly deps: WebSocketGatewayDeps) {
    this.logger = deps.logger.child({ component: 'ws-gateway' });
    this.frames = new FrameCounter(deps.metrics);
    this.wss = new WebSocketServer({
      noServer: true,
      // The protocol limit is checked per frame so the client hears why (PAYLOAD_TOO_LARGE, then 1009); this
      // hard cap only stops a hostile client from making us buffer a huge frame before that check can run.
      maxPayload: deps.config.maxFrameBytes * 4,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.hub = new RoomHub({
      log: deps.log,
      logger: this.logger,
      waitForHistory: deps.waitForHistory,
      receipts: deps.receipts,
    });
    this.answerRelay = new AnswerRelay(this.hub, deps.clock, this.logger);
    const assistants = deps.assistants;
    this.handlers = new FrameHandlers({
      ...(assistants ? { answers: { relay: this.answerRelay, bus: assistants.bus } } : {}),
      hub: this.hub,
      commands: deps.commands,
      queries: deps.queries,
      history: deps.history,
      ids: deps.ids,
      typingLimiter: deps.typingLimiter,
      typing: deps.typingBus,
      readLimiter: deps.readLimiter,
      receiptCommands: deps.receiptCommands,
      presence: deps.presence,
    });
    const { config } = deps;
    this.connectionSettings = {
      frames: this.frames,
      clock: deps.clock,
      logger: this.logger,
      maxBufferedBytes: config.maxBufferedBytes,
      slowConsumerGraceMs: config.slowConsumerGraceMs,
      closeTimeoutMs: config.closeTimeoutMs,
    };
    this.sessionDeps = {
      handlers: this.handlers,
      hub: this.hub,
      frames: this.frames,
      metrics: deps.metrics,
      logger: this.logger,
      authenticate: deps.authenticate,
      recheck: deps.recheck,
      presence: deps.presence,
      maxFrameBytes: config.maxFrameBytes,
      authTimeoutMs: config.authTimeoutMs,
    };
  }

  /** Starts following the log and accepting upgrades on the server (call once it listens). */
  async start(server: Server): Promise<void> {
    await this.hub.start();
    this.server = server;
    server.on('upgrade', this.onUpgrade);
    const { pingIntervalMs, slowConsumerGraceMs } = this.deps.config;
    let slice = 0;
    this.timers = [
      // The heartbeat runs in HEARTBEAT_SLICES slices spread over the interval, each session in one of them, so each
      // is still pinged (and its token re-checked) once per interval. All at once, 1,000 pings, token checks and
      // pongs were a stall of tens of milliseconds every interval, felt by every message delivered meanwhile.
      setInterval(() => {
        const sessions = this.heartbeatSlices[slice] ?? new Set<ClientSession>();
        slice = (slice + 1) % HEARTBEAT_SLICES;
        // Judged after this turn of the event loop has read what waits in the sockets. When the loop itself
        // stalled past a tick (a GC pause, a long task, a starved process), the pongs that came meanwhile are
        // still unread as the late timer fires; judging them then would drop live clients, all at once, for the
        // server's own delay.
        setImmediate(() => {
          for (const session of sessions) session.pingTick();
        });
      }, pingIntervalMs / HEARTBEAT_SLICES),
      // A peer that stopped reading is caught even when nothing more is sent to it.
      setInterval(
        () => {
          for (const session of this.sessions) session.connection.watchBuffer();
        },
        Math.max(10, Math.min(1000, Math.floor(slowConsumerGraceMs / 2))),
      ),
    ];
    for (const timer of this.timers) timer.unref();
    const presence = this.deps.presence;
    if (presence) {
      const relay = new PresenceRelay(this.hub, this.deps.history, this.logger);
      this.stopPresence = presence.onTransition((transition) => relay.push(transition));
    }
    this.stopTyping = this.deps.typingBus.subscribe((signal) => relayTyping(this.hub, signal));
    const assistants = this.deps.assistants;
    if (assistants) {
      this.stopAnswers = assistants.bus.subscribe((signal) => this.answerRelay.onSignal(signal));
      this.answerRelay.start();
      await assistants.responder.start();
    }
    this.logger.info({ path: WS_PATH }, 'WebSocket gateway accepting connections');
  }

  /**
   * Stops taking upgrades and following the log, closes every socket with 1001 (going away), waits for frames
   * being handled and for the sockets to go (each is cut off after WS_CLOSE_TIMEOUT_MS). Receipts still
   * gathering are flushed by the server afterwards, while the log is open.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.server?.off('upgrade', this.onUpgrade);
    for (const timer of this.timers) clearInterval(timer);
    this.timers = [];
    this.stopPresence?.();
    this.stopTyping?.();
    // Answers under way are aborted (nothing half is stored) and their rooms told, before the sockets close.
    await this.deps.assistants?.responder.stop();
    this.stopAnswers?.();
    this.answerRelay.stop();
    await this.hub.stop();
    const sessions = [...this.sessions];
    for (const session of sessions) session.connection.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
    await Promise.all(sessions.map((session) => Promise.all([session.connection.closed, session.idle])));
    this.wss.close();
  }

  /** Open sockets (a socket the server has started to close no longer counts). */
  get connectionCount(): number {
    let open = 0;
    for (const session of this.sessions) if (session.connection.isOpen) open += 1;
    return open;
  }

  /** One listener for every socket, not a closure each (memory per connection, #13). */
  private readonly onSocketError = (error: Error): void => this.logger.debug({ err: error }, 'upgrade socket error');

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    socket.on('error', this.onSocketError);
    if (pathOf(req.url) !== WS_PATH) {
      // Another upgrade handler may own other paths; when there is none, say so instead of leaving it hanging.
      if (this.server?.listenerCount('upgrade') === 1) refuse(socket, 404, 'NOT_FOUND', `WebSocket endpoint is ${WS_PATH}`);
      return;
    }
    if (this.stopping) {
      refuse(socket, 503, 'UNAVAILABLE', 'the server is shutting down');
      return;
    }
    if (!isOriginAllowed(req.headers.origin, req.headers.host, this.deps.config.allowedOrigins)) {
      refuse(socket, 403, 'FORBIDDEN', 'this Origin may not open a WebSocket here');
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, socket));
  };

  private accept(ws: WebSocket, socket: Duplex): void {
    const connection = new Connection(this.deps.ids.next(), ws, socket, this.connectionSettings);
    const session = new ClientSession(connection, this.sessionDeps);
    this.sessions.add(session);
    const heartbeatSlice = this.heartbeatSlices[this.accepted++ % HEARTBEAT_SLICES];
    heartbeatSlice?.add(session);
    void connection.closed.then(() => {
      this.sessions.delete(session);
      heartbeatSlice?.delete(session);
    });
    // ws reports protocol violations (bad UTF-8, a frame over the hard cap) here after closing with their code.
    ws.on('error', (error) => this.logger.debug({ err: error, connectionId: connection.id }, 'WebSocket error'));
    ws.on('message', (data, isBinary) => session.receive(data, isBinary));
  }
}

function pathOf(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url, 'http://gateway.invalid').pathname;
  } catch {
    return undefined;
  }
}

/** Answers an upgrade request with a plain HTTP error in the REST error format, then hangs up. */
function refuse(socket: Duplex, status: number, code: ErrorCode, message: string): void {
  const body = JSON.stringify({ error: { code, message } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}
