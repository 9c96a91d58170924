// Lets a serving process move a projection to a store rebuilt beside it (`chat projections rebuild`) without
// stopping: writes and the switch take turns, and the new store is caught up to the old one's checkpoint before it
// takes over, so the projector (whose checkpoint never moves back) goes on from where it was with no gap.

import type { Logger } from 'pino';
import { advanceAll, covers, coversAll, type Checkpoint } from '../eventlog/checkpoint.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { ProjectionStore } from './projector.js';

export interface SwitchableStore extends ProjectionStore {
  close(): Promise<void>;
}

export interface StoreSwitchOptions<S extends SwitchableStore> {
  /** Names the projection in logs. */
  name: string;
  initial: S;
  /** What the store holds, for logs and `chat projections status` (a file name, a key prefix). */
  label: string;
  log: Pick<EventLog, 'readAll'>;
  logger?: Logger;
  /** Events per read while catching a new store up. Default 1000. */
  catchUpBatch?: number;
  /** How long the old store stays open after a switch for reads already under way. Default 5000 ms. */
  closeOldAfterMs?: number;
}

export class StoreSwitch<S extends SwitchableStore> {
  private store: S;
  private storeLabel: string;
  /** Every write and every switch runs after the previous one: a batch never straddles a switch. */
  private turn: Promise<unknown> = Promise.resolve();
  private readonly closing = new Set<NodeJS.Timeout>();
  private readonly retired = new Set<S>();

  constructor(private readonly options: StoreSwitchOptions<S>) {
    this.store = options.initial;
    this.storeLabel = options.label;
  }

  /** The store reads go to now. */
  get current(): S {
    return this.store;
  }

  get label(): string {
    return this.storeLabel;
  }

  applyBatch(events: RecordedEvent[]): Promise<void> {
    return this.inTurn(() => this.store.applyBatch(events));
  }

  checkpoint(): Promise<Checkpoint> {
    return this.inTurn(() => this.store.checkpoint());
  }

  /**
   * Catches `next` up to what the current store has applied, then serves from it. Writes wait meanwhile (reads go on
   * to the old store); the old store is closed a little later, once reads already under way are done. A failure
   * leaves the current store serving and closes `next`.
   */
  switchTo(next: S, label: string): Promise<void> {
    return this.inTurn(async () => {
      try {
        // Exactly up to the old store's checkpoint: the projector's next batch then starts where both stand.
        const target = await this.store.checkpoint();
        let cursor = await next.checkpoint();
        while (!coversAll(cursor, target)) {
          const page = await this.options.log.readAll({ after: cursor, limit: this.options.catchUpBatch ?? 1000 });
          if (page.length === 0) break;
          cursor = advanceAll(cursor, page);
          const within = page.filter((event) => covers(target, event));
          if (within.length > 0) await next.applyBatch(within);
        }
      } catch (error) {
        await next.close();
        throw error;
      }
      const old = this.store;
      this.options.logger?.info({ projection: this.options.name, from: this.storeLabel, to: label }, 'projection store switched');
      this.store = next;
      this.storeLabel = label;
      this.retire(old);
    });
  }

  async close(): Promise<void> {
    await this.turn.catch(() => undefined);
    for (const timer of this.closing) clearTimeout(timer);
    this.closing.clear();
    await Promise.all([...this.retired].map((store) => store.close()));
    this.retired.clear();
    await this.store.close();
  }

  private retire(old: S): void {
    this.retired.add(old);
    const timer = setTimeout(() => {
      this.closing.delete(timer);
      this.retired.delete(old);
      old.close().catch((error: unknown) => this.options.logger?.warn({ err: error }, 'closing the old projection store failed'));
    }, this.options.closeOldAfterMs ?? 5000);
    timer.unref();
    this.closing.add(timer);
  }

  private inTurn<T>(run: () => Promise<T>): Promise<T> {
    const result = this.turn.then(run, run);
    this.turn = result.catch(() => undefined);
    return result;
  }
}
