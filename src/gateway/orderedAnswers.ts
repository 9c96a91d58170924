import type { FrameRef } from './protocol.js';

/**
 * The answers of one connection that wait on something after their frame was handled (a `chat.send`'s ack waits
 * for the history view to show the message: read-your-writes), sent in the order their frames came, whichever is
 * ready first. The session takes the next frame meanwhile, so a client's sends follow each other at the pace of
 * the log's appends, not of the view's updates.
 */
export class OrderedAnswers {
  /** The last answer queued; none until one is (an idle connection keeps no promise, #13). */
  private tail: Promise<void> | undefined;
  private waiting = 0;

  constructor(
    /** Sends the `chat.error` of an answer whose wait failed. */
    private readonly answerError: (error: unknown, ref: FrameRef | undefined) => void,
  ) {}

  /** Answers queued and not yet sent. */
  get size(): number {
    return this.waiting;
  }

  /**
   * Queues an answer behind those queued before: `send(value)` once `ready` resolves and every earlier answer is
   * sent, or the error it rejects with, as `chat.error` with `ref`. A refusal known at once is queued as a rejected
   * `ready`, so it does not overtake an earlier frame's ack.
   */
  add<T>(ready: Promise<T>, send: (value: T) => void, ref: FrameRef | undefined): void {
    // Observed in its turn below, maybe after it settles: not an unhandled rejection meanwhile.
    ready.catch(() => undefined);
    this.waiting += 1;
    const answered: Promise<void> = this.inTurn(this.tail, ready, send, ref).finally(() => {
      this.waiting -= 1;
      // The last one sent: let go of the chain, so an idle connection keeps nothing here.
      if (this.tail === answered) this.tail = undefined;
    });
    this.tail = answered;
  }

  private async inTurn<T>(earlier: Promise<void> | undefined, ready: Promise<T>, send: (value: T) => void, ref: FrameRef | undefined) {
    await earlier; // never rejects
    try {
      send(await ready);
    } catch (error) {
      this.answerError(error, ref);
    }
  }

  /** Resolves once every answer queued so far is sent. Never rejects. */
  sent(): Promise<void> {
    return this.tail ?? Promise.resolve();
  }
}
