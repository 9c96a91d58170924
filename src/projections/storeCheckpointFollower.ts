// Follows a projection that another process writes, through the checkpoint its store keeps beside the view.
//
// A process that reads a shared view (the Oracle history store) but does not project into it itself still needs
// read-your-writes: after its own append it must wait until the view covers those events. The projector that
// would tell it runs elsewhere (the projector:history role), so this asks the store: the checkpoint is committed
// with the rows it describes (ProjectionStore.applyBatch), so once it covers a position, reads see that event.

import type { Logger } from 'pino';
import { UnavailableError } from '../domain/errors.js';
import { coversAll, EMPTY_CHECKPOINT, lag as lagBehind, mergeCheckpoints, type Checkpoint } from '../eventlog/checkpoint.js';
import type { ProjectionStore } from './projector.js';
import { CheckpointWaiters } from './checkpointWaiters.js';

/** What readers of a projection need of it: how far it is, and a wait until it covers their own writes. */
export interface ProjectionProgress {
  readonly name: string;
  /** The last position per partition known to be applied. */
  readonly checkpoint: Checkpoint;
  readonly isRunning: boolean;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves once `target` is applied in every partition it names; UnavailableError after `timeoutMs`. */
  waitFor(target: Checkpoint, timeoutMs: number): Promise<void>;
  /** Positions behind `head`, summed over partitions. */
  lag(head: Checkpoint): number;
}

export interface StoreCheckpointFollowerOptions {
  name: string;
  store: Pick<ProjectionStore, 'checkpoint'>;
  logger?: Logger;
  /** How often the store is asked while somebody waits. Default 20 ms. */
  pollIntervalMs?: number;
  /** How often it is asked otherwise (for lag and health). Default 1 s. */
  idleIntervalMs?: number;
}

export class StoreCheckpointFollower implements ProjectionProgress {
  readonly name: string;
  private readonly store: Pick<ProjectionStore, 'checkpoint'>;
  private readonly logger: Logger | undefined;
  private readonly pollIntervalMs: number;
  private readonly idleIntervalMs: number;
  private current: Checkpoint = EMPTY_CHECKPOINT;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private polling = false;
  private failing = false;
  private readonly waiters: CheckpointWaiters;

  constructor(options: StoreCheckpointFollowerOptions) {
    this.name = options.name;
    this.waiters = new CheckpointWaiters(options.name);
    this.store = options.store;
    this.logger = options.logger?.child({ projection: options.name, follows: 'shared store' });
    this.pollIntervalMs = options.pollIntervalMs ?? 20;
    this.idleIntervalMs = options.idleIntervalMs ?? 1000;
  }

  get checkpoint(): Checkpoint {
    return this.current;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Reads the store's checkpoint once (rejecting when it cannot), then keeps following it. */
  async start(): Promise<void> {
    if (this.running) throw new Error(`follower of ${this.name} is already running`);
    this.current = mergeCheckpoints(this.current, await this.store.checkpoint());
    this.running = true;
    this.schedule();
    this.logger?.info({ checkpoint: this.current }, 'following the projection through its store');
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    this.waiters.rejectAll(`the ${this.name} view is no longer followed here`);
  }

  waitFor(target: Checkpoint, timeoutMs: number): Promise<void> {
    if (coversAll(this.current, target)) return Promise.resolve();
    if (!this.running) {
      return Promise.reject(new UnavailableError(`the ${this.name} view is not followed here`, { projection: this.name }));
    }
    const waiting = this.waiters.wait(target, timeoutMs, () => this.current);
    // Somebody waits now: ask at once instead of at the end of an idle interval.
    if (!this.polling) this.schedule(0);
    return waiting;
  }

  lag(head: Checkpoint): number {
    return lagBehind(head, this.current);
  }

  private schedule(delayMs?: number): void {
    if (!this.running) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    const delay = delayMs ?? (this.waiters.size > 0 ? this.pollIntervalMs : this.idleIntervalMs);
    this.timer = setTimeout(() => void this.poll(), delay);
    // Waiters keep their own timers; an idle follower must not keep the process alive.
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.timer = undefined;
    this.polling = true;
    try {
      const checkpoint = await this.store.checkpoint();
      if (this.failing) this.logger?.info('the shared store answers again');
      this.failing = false;
      this.current = mergeCheckpoints(this.current, checkpoint);
      this.waiters.release(this.current);
    } catch (error) {
      // Waiters time out with UNAVAILABLE on their own; say once per outage why, not once per poll.
      if (!this.failing) this.logger?.warn({ err: error }, 'cannot read the shared store checkpoint; retrying');
      this.failing = true;
    } finally {
      this.polling = false;
      this.schedule();
    }
  }
}
