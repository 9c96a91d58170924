// Runs one projection: feeds the log to its store from the store's own checkpoint, and lets callers wait until
// positions they care about (their own append) are visible in the view.

import type { Logger } from 'pino';

import type { RecordedEvent } from '../events/envelope.js';
import {
  EMPTY_CHECKPOINT,
  advanceAll,
  coversAll,
  lag as lagBehind,
  mergeCheckpoints,
  type Checkpoint,
} from '../eventlog/checkpoint.js';
import type { EventLog, Subscription } from '../eventlog/eventLog.js';
import { CheckpointWaiters } from './checkpointWaiters.js';

/** The write side of a projection's store: all a projector needs. */
export interface ProjectionStore {
  /**
   * Applies every event the stored checkpoint does not cover (eventlog/checkpoint.ts: per partition), and stores
   * the advanced checkpoint in the same transaction: re-delivering a batch, or an overlapping one, changes
   * nothing. All or nothing.
   */
  applyBatch(events: RecordedEvent[]): Promise<void>;
  /** The last position applied per partition (the empty checkpoint for a fresh store). */
  checkpoint(): Promise<Checkpoint>;
}

export interface ProjectorOptions {
  /** Names the projection in logs and errors (e.g. 'history'). */
  name: string;
  /** Only subscribe is needed: a projector reads nothing else of the log. */
  log: Pick<EventLog, 'subscribe'>;
  store: ProjectionStore;
  logger?: Logger;
  /** Largest batch handed to the store at once (one transaction). Default: the log's default. */
  batchSize?: number;
  /**
   * For a view no request waits on (SubscribeOptions.settleMs): once caught up, gather what arrives for this long
   * into one store transaction. Leave unset for a view behind read-your-writes (history).
   */
  settleMs?: number;
  /** Back-off after a failed batch: starts at initialDelayMs, doubles per failure up to maxDelayMs. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

/**
 * The settle of the views no request waits on (search, analytics): under load their batches grow with the rate
 * while their transactions stay at most ten a second (an FTS5 commit writes a new index segment each time), and a
 * lone message still reaches them at once. Searches and counters see a message at most this much later.
 */
export const UNAWAITED_VIEW_SETTLE_MS = 100;

const DEFAULT_INITIAL_DELAY_MS = 100;
const DEFAULT_MAX_DELAY_MS = 30_000;

export class Projector {
  readonly name: string;
  private readonly log: Pick<EventLog, 'subscribe'>;
  private readonly store: ProjectionStore;
  private readonly logger: Logger | undefined;
  private readonly batchSize: number | undefined;
  private readonly settleMs: number | undefined;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  private current: Checkpoint = EMPTY_CHECKPOINT;
  private subscription: Subscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;
  /** Bumped by stop(): a retry that was under way when the projector stopped must not resubscribe. */
  private generation = 0;
  private readonly waiters: CheckpointWaiters;

  constructor(options: ProjectorOptions) {
    this.name = options.name;
    this.waiters = new CheckpointWaiters(options.name);
    this.log = options.log;
    this.store = options.store;
    this.logger = options.logger?.child({ projection: options.name });
    this.batchSize = options.batchSize;
    this.settleMs = options.settleMs;
    this.initialDelayMs = options.retry?.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
    this.maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  }

  /** The last position per partition this projection has applied (or found already applied). */
  get checkpoint(): Checkpoint {
    return this.current;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Reads the store's checkpoint and subscribes from it. Rejects if the checkpoint cannot be read. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`projector ${this.name} is already running`);
    this.running = true;
    const generation = this.generation;
    try {
      const checkpoint = await this.store.checkpoint();
      if (generation !== this.generation) return;
      this.advance(checkpoint);
      this.subscribe();
      this.logger?.info({ checkpoint }, 'projector started');
    } catch (error) {
      this.running = false;
      throw error;
    }
  }

  /**
   * Resolves once the projection has applied `target` in every partition it names: read-your-writes for a caller
   * that just appended (pass checkpointOf(appended events)). Rejects with an UnavailableError after `timeoutMs`,
   * or when the projector stops first.
   */
  waitFor(target: Checkpoint, timeoutMs: number): Promise<void> {
    if (coversAll(this.current, target)) return Promise.resolve();
    return this.waiters.wait(target, timeoutMs, () => this.current);
  }

  /** Positions the projection is behind the log's head, summed over partitions (a metric). */
  lag(head: Checkpoint): number {
    return lagBehind(head, this.current);
  }

  /** Stops consuming once the batch in progress is applied; pending waitFor calls reject. */
  async stop(): Promise<void> {
    this.generation += 1;
    this.running = false;
    if (this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    }
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    this.waiters.rejectAll(`the ${this.name} projector stopped`);
  }

  private subscribe(): void {
    const generation = this.generation;
    this.subscription = this.log.subscribe({
      after: this.current,
      batchSize: this.batchSize,
      settleMs: this.settleMs,
      handler: async (events) => {
        await this.store.applyBatch(events);
        this.failures = 0;
        this.advance(advanceAll(this.current, events));
      },
      // The log has already stopped this subscription; start over from what the store durably holds.
      onError: (error) => {
        if (generation === this.generation) this.retryLater(error);
      },
    });
  }

  private retryLater(error: unknown): void {
    const delayMs = Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** this.failures);
    this.failures += 1;
    this.logger?.error(
      { err: error, checkpoint: this.current, failures: this.failures, retryInMs: delayMs },
      'projection failed; resubscribing from its checkpoint',
    );
    const generation = this.generation;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.resubscribe(generation);
    }, delayMs);
  }

  private async resubscribe(generation: number): Promise<void> {
    try {
      // Closing here, not in onError: onError runs inside the subscription, whose close() waits for it.
      await this.subscription?.close();
      this.subscription = undefined;
      // The failed batch rolled back with its checkpoint, so the stored checkpoint is the truth to resume from.
      const checkpoint = await this.store.checkpoint();
      if (generation !== this.generation) return;
      this.current = checkpoint;
      this.advance(checkpoint);
      this.subscribe();
      this.logger?.info({ checkpoint }, 'projector resubscribed');
    } catch (error) {
      if (generation === this.generation) this.retryLater(error);
    }
  }

  /** Moves to `reached` (never back: the union with what is already known) and releases the waiters it covers. */
  private advance(reached: Checkpoint): void {
    this.current = mergeCheckpoints(this.current, reached);
    this.waiters.release(this.current);
  }
}
