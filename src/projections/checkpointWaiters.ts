import { UnavailableError } from '../domain/errors.js';
import { coversAll, type Checkpoint } from '../eventlog/checkpoint.js';

interface Waiter {
  target: Checkpoint;
  resolve: () => void;
  reject: (error: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Callers waiting for a projection to reach a checkpoint (read-your-writes): released when the projection's
 * checkpoint covers theirs, rejected with UNAVAILABLE when their time runs out or the projection stops. Shared by
 * the projector that writes a view and the follower that watches a shared view's store.
 */
export class CheckpointWaiters {
  private readonly waiters = new Set<Waiter>();

  constructor(private readonly projection: string) {}

  get size(): number {
    return this.waiters.size;
  }

  /** Resolves once `release` is called with a checkpoint covering `target`; `current` is asked for the timeout's details. */
  wait(target: Checkpoint, timeoutMs: number, current: () => Checkpoint): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        target,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(
            new UnavailableError(`the ${this.projection} view is not up to date yet`, {
              projection: this.projection,
              checkpoint: current(),
              waitedFor: target,
              timeoutMs,
            }),
          );
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Releases every waiter the projection's checkpoint now covers. */
  release(reached: Checkpoint): void {
    for (const waiter of this.waiters) {
      if (coversAll(reached, waiter.target)) {
        clearTimeout(waiter.timer);
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Rejects every waiter with the reason (the projection stopped here). */
  rejectAll(reason: string): void {
    for (const waiter of this.waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new UnavailableError(reason, { projection: this.projection }));
    }
    this.waiters.clear();
  }
}
