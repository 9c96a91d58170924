import type { Logger } from 'pino';
import type { AnswerRef, AnswerSignal, AskerError } from '../assistants/answerSignals.js';
import type { Clock } from '../support/clock.js';
import type { ServerFrame } from './protocol.js';
import { encodeFrame } from './protocol.js';
import type { HubClient } from './roomHub.js';

// The gateway's side of assistants' streaming answers (issue #19). Every gateway hears every answer signal on the
// answer bus and relays each piece to its live subscribers of the room as a `chat.stream` frame, in order. It keeps
// each answer's text so far, so a client that subscribes (or re-subscribes after a reconnect) mid-answer gets it in
// one frame before the next piece; once the answer is stored the message itself comes through the log, like every
// message. Errors go to the asker's subscriptions of the room; an asker who is not subscribed then gets theirs when
// they next subscribe to it. An answer that goes silent past its deadline (its process died) is ended here: the room
// is told it is over and the asker that it failed, so nobody waits for a message that will never be stored.

/** What the relay needs of the hub. */
export interface RelayHub {
  liveClients(roomId: string): Iterable<HubClient>;
}

/** Past an answer's deadline, how long the relay waits for its end before calling it lost. */
export const LOST_ANSWER_GRACE_MS = 5_000;
/** How long an asker's undelivered error waits for their next subscription to the room. */
export const PENDING_ERROR_TTL_MS = 10 * 60 * 1000;
/** An answer whose `started` this gateway missed (it started after it) gets this long. */
const UNKNOWN_DEADLINE_MS = 10 * 60 * 1000;

interface Streaming {
  answer: AnswerRef;
  deadline: number;
  text: string;
  nextIndex: number;
}

export class AnswerRelay {
  private readonly streams = new Map<string, Streaming>();
  private readonly pendingErrors = new Map<string, { error: AskerError; roomId: string; at: number }>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(
    private readonly hub: RelayHub,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  start(sweepIntervalMs = 1000): void {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Answers streaming in the room now, with their text so far (for tests and health). */
  streaming(roomId: string): { streamId: string; text: string }[] {
    return [...this.streams.values()].filter((s) => s.answer.roomId === roomId).map((s) => ({ streamId: s.answer.streamId, text: s.text }));
  }

  onSignal(signal: AnswerSignal): void {
    switch (signal.kind) {
      case 'started':
        this.streams.set(signal.answer.streamId, { answer: signal.answer, deadline: signal.deadline, text: '', nextIndex: 0 });
        return;
      case 'piece': {
        const streaming = this.streamOf(signal.answer);
        if (signal.index !== streaming.nextIndex) {
          this.logger.debug({ streamId: signal.answer.streamId, expected: streaming.nextIndex, got: signal.index }, 'answer pieces missed');
        }
        streaming.text += signal.delta;
        streaming.nextIndex = signal.index + 1;
        this.toRoom(signal.answer.roomId, pieceFrame(signal.answer, signal.delta));
        return;
      }
      case 'done':
        this.streams.delete(signal.answer.streamId);
        this.toRoom(signal.answer.roomId, { ...pieceFrame(signal.answer, ''), done: true, messageId: signal.messageId, seq: signal.seq });
        return;
      case 'failed':
        this.end(signal.answer, signal.error);
        return;
      case 'refused':
        this.toAsker(signal.roomId, signal.askerId, signal.error);
        return;
      case 'cancel':
        return;
      default: {
        const unknown: never = signal;
        return unknown;
      }
    }
  }

  /** Called once a client's subscription to the room is live: the answers so far, then any error it missed. */
  caughtUp(client: HubClient, roomId: string): void {
    for (const streaming of this.streams.values()) {
      if (streaming.answer.roomId === roomId && streaming.text.length > 0) {
        client.connection.sendFrame(pieceFrame(streaming.answer, streaming.text));
      }
    }
    const key = pendingKey(client.userId, roomId);
    const pending = this.pendingErrors.get(key);
    if (pending) {
      this.pendingErrors.delete(key);
      client.connection.sendFrame(errorFrame(pending.error));
    }
  }

  /** Ends answers whose process went silent past their deadline, and forgets errors nobody came back for. */
  sweep(): void {
    const now = this.clock.now();
    for (const streaming of [...this.streams.values()]) {
      if (now > streaming.deadline + LOST_ANSWER_GRACE_MS) {
        this.end(streaming.answer, {
          code: 'AI_ERROR',
          message: 'the answer was interrupted; ask again',
          details: { reason: 'interrupted', messageId: streaming.answer.replyTo },
        });
      }
    }
    for (const [key, pending] of this.pendingErrors) {
      if (now - pending.at > PENDING_ERROR_TTL_MS) this.pendingErrors.delete(key);
    }
  }

  private streamOf(answer: AnswerRef): Streaming {
    let streaming = this.streams.get(answer.streamId);
    if (!streaming) {
      streaming = { answer, deadline: this.clock.now() + UNKNOWN_DEADLINE_MS, text: '', nextIndex: 0 };
      this.streams.set(answer.streamId, streaming);
    }
    return streaming;
  }

  private end(answer: AnswerRef, error: AskerError): void {
    if (!this.streams.delete(answer.streamId) && error.details.reason === 'interrupted') return;
    this.toRoom(answer.roomId, { ...pieceFrame(answer, ''), done: true, error: error.code });
    this.toAsker(answer.roomId, answer.askerId, error);
  }

  private toRoom(roomId: string, frame: ServerFrame): void {
    const clients = [...this.hub.liveClients(roomId)];
    if (clients.length === 0) return;
    const data = encodeFrame(frame);
    for (const client of clients) client.connection.send(data, frame.type);
  }

  /** To the asker's live subscriptions of the room; kept for their next subscription when they have none here. */
  private toAsker(roomId: string, askerId: string, error: AskerError): void {
    let told = false;
    for (const client of this.hub.liveClients(roomId)) {
      if (client.userId !== askerId) continue;
      client.connection.sendFrame(errorFrame(error));
      told = true;
    }
    if (!told) this.pendingErrors.set(pendingKey(askerId, roomId), { error, roomId, at: this.clock.now() });
  }
}

function pieceFrame(answer: AnswerRef, delta: string): Extract<ServerFrame, { type: 'chat.stream' }> {
  const { roomId, streamId, replyTo, senderId } = answer;
  return { type: 'chat.stream', roomId, streamId, replyTo, senderId, delta, done: false };
}

function errorFrame(error: AskerError): ServerFrame {
  return {
    type: 'chat.error',
    code: error.code,
    message: error.message,
    ...(error.ref === undefined ? {} : { ref: error.ref }),
    details: error.details,
  };
}

function pendingKey(userId: string, roomId: string): string {
  return `${userId}\u0000${roomId}`;
}
