// What the rest of the service uses for presence: the tracker (memory or Redis) plus the clock, a periodic sweep
// for connections that died without closing, and one place where every online/offline change is announced.
//
// It also rides out a tracker that fails (Redis unreachable): presence is a nicety, so no call throws at the
// gateway. It remembers this process's own connections, answers "offline, never seen" while the tracker is down,
// and when the tracker answers again it registers every one of those connections anew, so users who connected
// during the outage come back online (and are announced) without reconnecting.

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
  /** This process's open connections (connectionId → userId): what a recovery registers again. */
  private readonly local = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  /** The sweep under way, if any: a slow sweep (Redis) must not overlap the next tick, and stop() waits for it. */
  private sweeping: Promise<PresenceTransition[]> | undefined;
  /** Set when a tracker call failed: the tracker may have missed connections, so the next call resyncs first. */
  private degraded = false;
  private resyncing: Promise<void> | undefined;

  constructor(options: PresenceServiceOptions) {
    this.tracker = options.tracker;
    this.clock = options.clock;
    // Half the TTL: a dead connection is noticed at most 1.5 TTL after its last heartbeat.
    this.sweepIntervalMs = options.sweepIntervalMs ?? Math.max(1, Math.floor(options.ttlMs / 2));
    this.logger = options.logger?.child({ component: 'presence' });
  }

  /** Whether the last tracker call failed and presence answers from what this process knows. */
  get isDegraded(): boolean {
    return this.degraded;
  }

  /** Subscribes to online/offline changes; returns the unsubscribe function. */
  onTransition(listener: PresenceListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** Never rejects: while the tracker is down the connection is remembered and registered once it is back. */
  async connect(userId: string, connectionId: string): Promise<PresenceTransition | undefined> {
    this.local.set(connectionId, userId);
    // A resync registers this connection too, and announces it if it brought the user online.
    if (this.degraded) return this.resync().then(() => undefined, () => undefined);
    let transition: PresenceTransition | undefined;
    try {
      transition = await this.tracker.connect(userId, connectionId, this.clock.now());
    } catch (error) {
      this.degrade(error);
      return undefined;
    }
    if (transition) this.announce(transition);
    return transition;
  }

  /** The gateway calls this on every pong. Never rejects. */
  async heartbeat(userId: string, connectionId: string): Promise<void> {
    // A resync refreshes every local connection, this one included.
    if (this.degraded) return this.resync().catch(() => undefined);
    try {
      await this.tracker.heartbeat(userId, connectionId, this.clock.now());
    } catch (error) {
      this.degrade(error);
    }
  }

  /** Never rejects; a close the tracker missed expires after the TTL, and a sweep announces it then. */
  async disconnect(userId: string, connectionId: string): Promise<PresenceTransition | undefined> {
    this.local.delete(connectionId);
    let transition: PresenceTransition | undefined;
    try {
      if (this.degraded) await this.resync();
      transition = await this.tracker.disconnect(userId, connectionId, this.clock.now());
    } catch (error) {
      this.degrade(error);
      return undefined;
    }
    if (transition) this.announce(transition);
    return transition;
  }

  /** While the tracker is down everybody answers as offline and never seen: unknown, shown the safe way. */
  async get(userIds: readonly string[]): Promise<PresenceView[]> {
    try {
      return await this.tracker.get(userIds);
    } catch (error) {
      this.degrade(error);
      return userIds.map((userId) => ({ userId, online: false, lastSeenAt: null }));
    }
  }

  /**
   * Expires connections that stopped heartbeating and announces who went offline (the sweeper's tick). After an
   * outage it first registers this process's connections again, so the tick is also how presence recovers when
   * nobody happens to connect or pong. A failed sweep reports nothing and is retried on the next tick.
   */
  sweep(): Promise<PresenceTransition[]> {
    if (this.sweeping) return this.sweeping;
    const run = (async () => {
      let transitions: PresenceTransition[];
      try {
        if (this.degraded) await this.resync();
        transitions = await this.tracker.sweep(this.clock.now());
      } catch (error) {
        this.degrade(error);
        return [];
      }
      for (const transition of transitions) this.announce(transition);
      return transitions;
    })().finally(() => {
      this.sweeping = undefined;
    });
    this.sweeping = run;
    return run;
  }

  /** Starts the periodic sweep; unref'd so it never keeps the process alive on its own. */
  startSweeper(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      void this.sweep();
    }, this.sweepIntervalMs);
    this.timer.unref();
  }

  /** Stops the sweeper and waits for a sweep in progress. The tracker itself is closed by its owner. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.sweeping;
  }

  private degrade(error: unknown): void {
    // One warning per outage; the Redis client logs its own connection state as well.
    if (!this.degraded) this.logger?.warn({ err: error }, 'presence tracker failed; presence is degraded until it answers again');
    else this.logger?.debug({ err: error }, 'presence tracker still failing');
    this.degraded = true;
  }

  /**
   * Registers every local connection with the tracker again (connect is idempotent per connection) and announces
   * whom that brought online. One at a time; rejects, staying degraded, when the tracker still fails.
   */
  private resync(): Promise<void> {
    this.resyncing ??= (async () => {
      try {
        const now = this.clock.now();
        const transitions: PresenceTransition[] = [];
        for (const [connectionId, userId] of [...this.local]) {
          const transition = await this.tracker.connect(userId, connectionId, now);
          if (transition) transitions.push(transition);
        }
        this.degraded = false;
        for (const transition of transitions) this.announce(transition);
        this.logger?.info({ connections: this.local.size }, 'presence tracker answers again; local connections registered');
      } catch (error) {
        this.degrade(error);
        throw error;
      } finally {
        this.resyncing = undefined;
      }
    })();
    return this.resyncing;
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
