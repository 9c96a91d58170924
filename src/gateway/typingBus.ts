// Typing is ephemeral: it never enters the log, so it needs its own way to reach the other gateways' subscribers.
// Embedded mode has one gateway and relays in process; distributed mode relays over Redis pub/sub.

/** Somebody is typing in a room (a member: the gateway checked before publishing). */
export interface TypingSignal {
  roomId: string;
  userId: string;
}

export type TypingListener = (signal: TypingSignal) => void;

/** Carries typing signals to every gateway, the publishing one included; each relays them to its own sockets. */
export interface TypingBus {
  /** Hands the signal to every subscriber of every gateway. Rejects (UNAVAILABLE) when it cannot be carried. */
  publish(roomId: string, userId: string): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: TypingListener): () => void;
  close(): Promise<void>;
}
