import type { Logger } from 'pino';
import type { RecordedEvent } from '../events/envelope.js';
import { advanceAll, type Checkpoint } from './checkpoint.js';
import type { SubscribeOptions, Subscription } from './eventLog.js';

export interface PullSubscriptionSettings {
  /**
   * A page of events the checkpoint does not cover, in log order: synchronous from a local store (SQLite, the Kafka
   * log's index), or a promise (the shared subscriptions, which may read through the sealing decorator).
   */
  read: (after: Checkpoint, limit: number) => RecordedEvent[] | Promise<RecordedEvent[]>;
  /** Called once when the subscription stops (closed or failed), so the log stops waking it. */
  detach: (subscription: PullSubscription) => void;
  after: Checkpoint;
  batchSize: number;
  handler: SubscribeOptions['handler'];
  onError: SubscribeOptions['onError'];
  settleMs?: SubscribeOptions['settleMs'];
  logger: Logger | undefined;
}

/**
 * Pull-on-notify: the subscription never receives events pushed from a write; a wake-up only makes it read the
 * log again from its own checkpoint. Catch-up and live delivery are the same loop, so writes racing with catch-up
 * can neither be skipped nor delivered twice. Shared by the SQLite log, the Kafka log's local index and the shared
 * subscriptions (sharedSubscriptions.ts).
 */
export class PullSubscription implements Subscription {
  /** The last position per partition handed to the handler (and handled). */
  checkpoint: Checkpoint;
  private running: Promise<void> | undefined;
  /** Set by wake() while a handler runs: the log may have moved past what the last read saw. */
  private woken = false;
  private stopped = false;
  /** Ends the settle wait early (stop() calls it, so close() never waits out a settle). */
  private endSettle: (() => void) | undefined;

  constructor(private readonly settings: PullSubscriptionSettings) {
    this.checkpoint = settings.after;
  }

  readonly wake = (): void => {
    if (this.stopped) return;
    this.woken = true;
    // Deferred so the handler never runs inside subscribe() or inside the writing code path.
    this.running ??= Promise.resolve().then(() => this.pump());
  };

  /**
   * Resolves once no handler call is running. A handler that awaits close() of its own subscription would wait
   * for itself; it may call close() without awaiting it.
   */
  async close(): Promise<void> {
    this.stop();
    await this.running;
  }

  private async pump(): Promise<void> {
    try {
      while (!this.stopped && this.woken) {
        this.woken = false;
        const { read, batchSize, handler } = this.settings;
        let page = await read(this.checkpoint, batchSize);
        const delivered = page.length > 0;
        while (page.length > 0 && !this.stopped) {
          await handler(page);
          this.checkpoint = advanceAll(this.checkpoint, page);
          // A short page reached the head as it was then; only a wake-up since then can mean more.
          if (page.length < batchSize || this.stopped) break;
          page = await read(this.checkpoint, batchSize);
        }
        if (delivered) await this.settle();
      }
    } catch (error) {
      this.stop();
      if (this.settings.onError) this.settings.onError(error);
      else this.settings.logger?.error({ err: error }, 'event log subscription stopped: handler failed');
    } finally {
      this.running = undefined;
    }
  }

  /** Waits settleMs (if set) before the next read: wake-ups meanwhile only mark that there is more to read. */
  private settle(): Promise<void> {
    const settleMs = this.settings.settleMs ?? 0;
    if (settleMs <= 0 || this.stopped) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.endSettle = undefined;
        resolve();
      };
      const timer = setTimeout(done, settleMs);
      this.endSettle = done;
    });
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.endSettle?.();
    this.settings.detach(this);
  }
}
