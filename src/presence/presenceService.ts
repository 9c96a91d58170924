// What the rest of the service uses for presence: the tracker (memory or Redis) plus the clock, a periodic sweep
// for connections that died without closing, and one place where every online/offline change is announced.

import type { Logger } from 'pino';
import type { Clock } from '../support/clock.js';
import type { PresenceTracker, PresenceTransition, PresenceView } from './presenceTracker.js';

/** Told about every change of a user's online state, whichever way it happened (connect, close, expiry). */
export type PresenceListener = (transition: PresenceTransition) => void | Promise<void>;

export interface PresenceServiceOptions {
  tracker: PresenceTracker;
  clock: Clock;
  /** The tracker's TTL; the sweeper runs every half of it unless sweepIntervalMs says otherwise. */
  ttlMs: number;
  sweepIntervalMs?: number;
  logger?: Logger;
}

export class PresenceService {
  private readonly tracker: PresenceTracker;
  private readonly clock: Clock;
  private readonly sweepIntervalMs: number;
  private readonly logger: Logger | undefined;
  private readonly listeners = new Set<PresenceListener>();
  private timer: NodeJS.Timeout | undefined;
  /** The sweep under way, if any: a slow sweep (Redis) must not overlap the next tick, and stop() waits for it. */
  private sweeping: Promise<PresenceTransition[]> | undefined;

  constructor(options: PresenceServiceOptions) {
    this.tracker = options.tracker;
    this.clock = options.clock;
    // Half the TTL: a dead connection is noticed at most 1.5 TTL after its last heartbeat.
    this.sweepIntervalMs = options.sweepIntervalMs ?? Math.max(1, Math.floor(options.ttlMs / 2));
    this.logger = options.logger?.child({ component: 'presence' });
  }

  /** Subscribes to online/offline changes; returns the unsubscribe function. */
  onTransition(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async connect(userId: string, connectionId: string): Promise<PresenceTransition | undefined> {
    const transition = await this.tracker.connect(userId, connectionId, this.clock.now());
    if (transition) this.announce(transition);
    return transition;
  }

  /** The gateway calls this on every pong. */
  heartbeat(userId: string, connectionId: string): Promise<void> {
    return this.tracker.heartbeat(userId, connectionId, this.clock.now());
  }

  async disconnect(userId: string, connectionId: string): Promise<PresenceTransition | undefined> {
    const transition = await this.tracker.disconnect(userId, connectionId, this.clock.now());
    if (transition) this.announce(transition);
    return transition;
  }

  get(userIds: readonly string[]): Promise<PresenceView[]> {
    return this.tracker.get(userIds);
  }

  /** Expires connections that stopped heartbeating and announces who went offline (the sweeper's tick). */
  sweep(): Promise<PresenceTransition[]> {
    if (this.sweeping) return this.sweeping;
    const run = this.tracker
      .sweep(this.clock.now())
      .then((transitions) => {
        for (const transition of transitions) this.announce(transition);
        return transitions;
      })
      .finally(() => {
        this.sweeping = undefined;
      });
    this.sweeping = run;
    return run;
  }

  /** Starts the periodic sweep; unref'd so it never keeps the process alive on its own. */
  startSweeper(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.logger?.warn({ err: error }, 'presence sweep failed'));
    }, this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stops the sweeper and waits for a sweep in progress. The tracker itself is closed by its owner. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping?.catch(() => undefined);
  }

  private announce(transition: PresenceTransition): void {
    for (const listener of this.listeners) {
      // One failing listener must not keep the others from hearing about the change, nor fail the caller.
      try {
        const pending = listener(transition);
        if (pending instanceof Promise) {
          pending.catch((error: unknown) => this.logger?.warn({ err: error, transition }, 'presence listener failed'));
        }
      } catch (error) {
        this.logger?.warn({ err: error, transition }, 'presence listener failed');
      }
    }
  }
}
