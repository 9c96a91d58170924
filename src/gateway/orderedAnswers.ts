import type { FrameRef } from './protocol.js';

/**
 * The answers of one connection that wait on something after their frame was handled (a `chat.send`'s ack waits
 * for the history view to show the message: read-your-writes), sent in the order their frames came, whichever is
 * ready first. The session takes the next frame meanwhile, so a client's sends follow each other at the pace of
 * the log's appends, not of the view's updates.
 */
export class OrderedAnswers {
  private tail: Promise<void> = Promise.resolve();
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
    const earlier = this.tail;
    this.tail = (async () => {
      await earlier;
      try {
        send(await ready);
      } catch (error) {
        this.answerError(error, ref);
      } finally {
        this.waiting -= 1;
      }
    })();
  }

  /** Resolves once every answer queued so far is sent. Never rejects. */
  sent(): Promise<void> {
    return this.tail;
  }
}
