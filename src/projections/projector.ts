// Runs one projection: feeds the log to its store from the store's own checkpoint, and lets callers wait until
// a position they care about (their own append) is visible in the view.

import type { Logger } from 'pino';

import { UnavailableError } from '../domain/errors.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { EventLog, Subscription } from '../eventlog/eventLog.js';

/** The write side of a projection's store: all a projector needs. */
export interface ProjectionStore {
  /**
   * Applies every event whose globalPosition is above the stored checkpoint, and stores the new checkpoint in
   * the same transaction: re-delivering a batch, or an overlapping one, changes nothing. All or nothing.
   */
  applyBatch(events: RecordedEvent[]): Promise<void>;
  /** The globalPosition of the last event applied (0 for a fresh store). */
  checkpoint(): Promise<number>;
}

export interface ProjectorOptions {
  /** Names the projection in logs and errors (e.g. 'history'). */
  name: string;
  log: EventLog;
  store: ProjectionStore;
  logger?: Logger;
  /** Largest batch handed to the store at once (one transaction). Default: the log's default. */
  batchSize?: number;
  /** Back-off after a failed batch: starts at initialDelayMs, doubles per failure up to maxDelayMs. */
  retry?: { initialDelayMs?: number; maxDelayMs?: number };
}

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

const DEFAULT_INITIAL_DELAY_MS = 100;
const DEFAULT_MAX_DELAY_MS = 30_000;

export class Projector {
  readonly name: string;
  private readonly log: EventLog;
  private readonly store: ProjectionStore;
  private readonly logger: Logger | undefined;
  private readonly batchSize: number | undefined;
  private readonly initialDelayMs: number;
  private readonly maxDelayMs: number;

  private currentPosition = 0;
  private subscription: Subscription | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private failures = 0;
  private running = false;
  /** Bumped by stop(): a retry that was under way when the projector stopped must not resubscribe. */
  private generation = 0;
  private readonly waiters = new Set<Waiter>();

  constructor(options: ProjectorOptions) {
    this.name = options.name;
    this.log = options.log;
    this.store = options.store;
    this.logger = options.logger?.child({ projection: options.name });
    this.batchSize = options.batchSize;
    this.initialDelayMs = options.retry?.initialDelayMs ?? DEFAULT_INITIAL_DELAY_MS;
    this.maxDelayMs = options.retry?.maxDelayMs ?? DEFAULT_MAX_DELAY_MS;
  }

  /** The global position of the last event this projection has applied (or found already applied). */
  get position(): number {
    return this.currentPosition;
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
   * Resolves once the projection has applied `globalPosition` (read-your-writes for a caller that just appended);
   * rejects with an UnavailableError after `timeoutMs`, or when the projector stops first.
   */
  waitFor(globalPosition: number, timeoutMs: number): Promise<void> {
    if (this.currentPosition >= globalPosition) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        target: globalPosition,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new UnavailableError(`the ${this.name} view is not up to date yet`, {
              projection: this.name,
              position: this.currentPosition,
              waitedFor: globalPosition,
              timeoutMs,
            }),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Events the projection is behind the log's head (a metric). */
  lag(head: number): number {
    return Math.max(0, head - this.currentPosition);
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
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new UnavailableError(`the ${this.name} projector stopped`, { projection: this.name }));
    }
    this.waiters.clear();
  }

  private subscribe(): void {
    const generation = this.generation;
    this.subscription = this.log.subscribe({
      after: this.currentPosition,
      batchSize: this.batchSize,
      handler: async (events) => {
        await this.store.applyBatch(events);
        this.failures = 0;
        const last = events.at(-1);
        if (last !== undefined) this.advance(last.globalPosition);
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
      { err: error, position: this.currentPosition, failures: this.failures, retryInMs: delayMs },
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
      this.currentPosition = checkpoint;
      this.advance(checkpoint);
      this.subscribe();
      this.logger?.info({ checkpoint }, 'projector resubscribed');
    } catch (error) {
      if (generation === this.generation) this.retryLater(error);
    }
  }

  private advance(position: number): void {
    if (position > this.currentPosition) this.currentPosition = position;
    for (const waiter of this.waiters) {
      if (waiter.target <= this.currentPosition) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
