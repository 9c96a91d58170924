import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocket } from 'ws';
import type { Clock } from '../support/clock.js';
import type { CloseCode } from './closeCodes.js';
import { CLOSE_CODES } from './closeCodes.js';
import type { FrameCounter } from './frameCounter.js';
import type { EncodedFrame, ServerFrame, ServerFrameType } from './protocol.js';
import { encodeFrame } from './protocol.js';

/** What every connection of a gateway shares: made once, so an idle connection does not carry a copy. */
export interface ConnectionSettings {
  frames: FrameCounter;
  clock: Clock;
  logger: Logger;
  /** Unsent bytes above which the slow-consumer clock starts. */
  maxBufferedBytes: number;
  slowConsumerGraceMs: number;
  /** After the server starts a close, how long the peer has to answer it before the socket is destroyed. */
  closeTimeoutMs: number;
}

const TEXT_FRAME = { binary: false } as const;

/**
 * One socket as the rest of the gateway sees it: send a frame (already encoded, so fan-out encodes once), watch
 * the send buffer, close with a documented code. Once a close has started the connection takes no more frames,
 * so a peer that stopped reading stops costing memory at once, not when its socket finally goes.
 */
export class Connection {
  readonly id: string;
  /** Resolves when the socket is gone, however that happened. */
  readonly closed: Promise<void>;
  private readonly ws: WebSocket;
  /** The TCP socket under `ws` (the upgrade's), for cork/uncork; ws keeps its own private. */
  private readonly socket: Duplex | undefined;
  private readonly options: ConnectionSettings;
  private closing = false;
  private overLimitSince: number | undefined;
  private terminateTimer: NodeJS.Timeout | undefined;
  private readonly closingListeners: (() => void)[] = [];

  constructor(id: string, ws: WebSocket, socket: Duplex | undefined, settings: ConnectionSettings) {
    this.id = id;
    this.ws = ws;
    this.socket = socket;
    this.options = settings;
    this.closed = new Promise<void>((resolve) => {
      this.ws.once('close', () => {
        if (this.terminateTimer) clearTimeout(this.terminateTimer);
        this.startClosing();
        resolve();
      });
    });
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  get bufferedAmount(): number {
    return this.ws.bufferedAmount;
  }

  /** Stops reading from the socket, so TCP flow control holds back a client that sends faster than we handle. */
  pauseReading(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.pause();
  }

  resumeReading(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.resume();
  }

  /** Called once, when the server starts closing or the socket closes, whichever comes first. */
  onClosing(listener: () => void): void {
    if (this.closing) listener();
    else this.closingListeners.push(listener);
  }

  /**
   * Holds this socket's writes until uncork(): the frames of one fan-out batch then leave in one writev, instead
   * of one system call per frame (writev was the fan-out's top self-time function). Calls nest, as the socket's do.
   */
  cork(): void {
    this.socket?.cork();
  }

  uncork(): void {
    this.socket?.uncork();
  }

  send(data: EncodedFrame, type: ServerFrameType): void {
    if (!this.isOpen) return;
    // A text frame: the bytes are a frame's JSON (ws would send a Buffer as binary by default).
    this.ws.send(data, TEXT_FRAME);
    this.options.frames.out(type);
    this.watchBuffer();
  }

  sendFrame(frame: ServerFrame): void {
    this.send(encodeFrame(frame), frame.type);
  }

  /**
   * Sends and resolves once the frame has been handed to the operating system (or the connection is gone): a
   * replay waits on it between pages so it never queues more than a page ahead of a slow reader.
   */
  sendAndWait(data: EncodedFrame, type: ServerFrameType): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    const written = new Promise<void>((resolve) => {
      // An error here means the socket went away; the close path cleans up, the replay just stops waiting.
      this.ws.send(data, TEXT_FRAME, () => resolve());
    });
    this.options.frames.out(type);
    this.watchBuffer();
    return Promise.race([written, this.closed]);
  }

  /**
   * Closes a peer whose unsent data has stayed above the limit for the grace period. Runs after every send and
   * on the gateway's timer, so a peer is caught even when nothing more is sent to it.
   */
  watchBuffer(): void {
    if (this.closing) return;
    if (this.ws.bufferedAmount <= this.options.maxBufferedBytes) {
      this.overLimitSince = undefined;
      return;
    }
    const now = this.options.clock.now();
    this.overLimitSince ??= now;
    if (now - this.overLimitSince >= this.options.slowConsumerGraceMs) {
      this.options.logger.warn(
        { connectionId: this.id, bufferedBytes: this.ws.bufferedAmount },
        'closing a slow WebSocket consumer',
      );
      this.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
    }
  }

  /** Starts the close handshake; a peer that does not answer within closeTimeoutMs is cut off. */
  close(code: CloseCode, reason: string): void {
    if (this.closing) return;
    this.startClosing();
    try {
      this.ws.close(code, reason);
    } catch (error) {
      this.options.logger.debug({ err: error, connectionId: this.id }, 'close failed; terminating');
      this.ws.terminate();
      return;
    }
    this.terminateTimer = setTimeout(() => this.ws.terminate(), this.options.closeTimeoutMs);
  }

  private startClosing(): void {
    if (this.closing) return;
    this.closing = true;
    for (const listener of this.closingListeners.splice(0)) listener();
  }
}
