// Presence in process memory (embedded mode): one map of live connections per user. Time only arrives as
// arguments or from the injected clock, so every behaviour is reproducible in tests.

import type { Clock } from '../support/clock.js';
import type { PresenceTracker, PresenceTransition, PresenceView } from './presenceTracker.js';
import { isoTime } from '../support/isoTime.js';

export interface MemoryPresenceTrackerOptions {
  /** A connection whose last heartbeat is older than this is gone (its process crashed, its network vanished). */
  ttlMs: number;
  /** Read by get() only, which has no `now` argument: an expired connection is not shown online before a sweep. */
  clock: Clock;
}

export class MemoryPresenceTracker implements PresenceTracker {
  private readonly ttlMs: number;
  private readonly clock: Clock;
  /** userId → connectionId → time of the connection's last heartbeat (connecting counts as one). */
  private readonly connections = new Map<string, Map<string, number>>();
  /** userId → when the user was last seen, kept for users who are offline now. */
  private readonly lastSeen = new Map<string, number>();

  constructor(options: MemoryPresenceTrackerOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError(`presence TTL must be positive, got ${options.ttlMs}`);
    this.ttlMs = options.ttlMs;
    this.clock = options.clock;
  }

  async connect(userId: string, connectionId: string, now: number): Promise<PresenceTransition | undefined> {
    // Stale connections would otherwise hide that, as get() sees it, this connection brings the user back online.
    const wasOnline = this.expireStale(userId, now) > 0;
    const own = this.connections.get(userId) ?? new Map<string, number>();
    own.set(connectionId, Math.max(now, own.get(connectionId) ?? now));
    this.connections.set(userId, own);
    return wasOnline ? undefined : { userId, online: true, at: now };
  }

  async heartbeat(userId: string, connectionId: string, now: number): Promise<void> {
    const own = this.connections.get(userId);
    const last = own?.get(connectionId);
    // A heartbeat never revives an expired connection: that would bring the user online without a transition to
    // push. The gateway's own ping timeout (shorter than the TTL) closes such a socket and the client reconnects.
    if (own === undefined || last === undefined || this.isExpired(last, now)) return;
    own.set(connectionId, Math.max(last, now));
  }

  async disconnect(userId: string, connectionId: string, now: number): Promise<PresenceTransition | undefined> {
    const own = this.connections.get(userId);
    if (own === undefined || !own.has(connectionId)) return undefined;
    own.delete(connectionId);
    this.expireStale(userId, now);
    if (this.connections.has(userId)) return undefined;
    const at = Math.max(now, this.lastSeen.get(userId) ?? now);
    this.lastSeen.set(userId, at);
    return { userId, online: false, at };
  }

  async sweep(now: number): Promise<PresenceTransition[]> {
    const transitions: PresenceTransition[] = [];
    for (const userId of [...this.connections.keys()]) {
      // A user's entry always holds a connection, so none left live means this sweep expired the last one.
      if (this.expireStale(userId, now) > 0) continue;
      // Last seen is the last heartbeat of the connection that expired, not the sweep time: nobody saw the user
      // after it.
      transitions.push({ userId, online: false, at: this.lastSeen.get(userId) ?? now });
    }
    return transitions;
  }

  async get(userIds: readonly string[]): Promise<PresenceView[]> {
    const now = this.clock.now();
    return userIds.map((userId) => {
      const live = [...(this.connections.get(userId)?.values() ?? [])].filter((last) => !this.isExpired(last, now));
      if (live.length > 0) return { userId, online: true, lastSeenAt: isoTime(Math.max(...live)) };
      const stale = [...(this.connections.get(userId)?.values() ?? [])];
      const seen = Math.max(this.lastSeen.get(userId) ?? -Infinity, ...stale);
      return { userId, online: false, lastSeenAt: Number.isFinite(seen) ? isoTime(seen) : null };
    });
  }

  async close(): Promise<void> {
    this.connections.clear();
    this.lastSeen.clear();
  }

  private isExpired(lastHeartbeat: number, now: number): boolean {
    return now - lastHeartbeat > this.ttlMs;
  }

  /**
   * Drops the user's expired connections, remembering the latest of their heartbeats as last seen; forgets the
   * user's entry when nothing is left. Returns how many connections are still live.
   */
  private expireStale(userId: string, now: number): number {
    const own = this.connections.get(userId);
    if (own === undefined) return 0;
    for (const [connectionId, last] of own) {
      if (!this.isExpired(last, now)) continue;
      own.delete(connectionId);
      this.lastSeen.set(userId, Math.max(last, this.lastSeen.get(userId) ?? last));
    }
    if (own.size === 0) this.connections.delete(userId);
    return own.size;
  }
}

