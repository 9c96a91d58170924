/** A user's presence as others see it. */
export interface PresenceView {
  userId: string;
  online: boolean;
  /** ISO time of the last moment the user was seen connected; null if never. */
  lastSeenAt: string | null;
}

/** A change of a user's online state, for the gateway to push to the rooms the user is in. */
export interface PresenceTransition {
  userId: string;
  online: boolean;
  at: number;
}

/**
 * Who is online, counted per connection: several connections of one user count once, and a connection that
 * stops heartbeating (its process crashed, its network vanished) expires after the TTL.
 * Embedded mode keeps this in process memory; distributed mode in Redis, shared by every gateway.
 */
export interface PresenceTracker {
  /** Returns the transition when this connection brought the user online. */
  connect(userId: string, connectionId: string, now: number): Promise<PresenceTransition | undefined>;
  /** Keeps a connection alive (the gateway calls it on every pong). */
  heartbeat(userId: string, connectionId: string, now: number): Promise<void>;
  /** Returns the transition when this was the user's last connection. */
  disconnect(userId: string, connectionId: string, now: number): Promise<PresenceTransition | undefined>;
  /** Expires connections whose last heartbeat is older than the TTL; returns users who went offline. */
  sweep(now: number): Promise<PresenceTransition[]>;
  get(userIds: readonly string[]): Promise<PresenceView[]>;
  close(): Promise<void>;
}
