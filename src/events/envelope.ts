import type { ChatEvent } from './chatEvents.js';

/** Who did it, when, and why: supplied by the edge, never invented by a decider. */
export interface EventMetadata {
  /** The user who issued the command; null for system actions. */
  actorId: string | null;
  /** The client- or edge-chosen id of the command that produced the event (idempotency key). */
  commandId: string;
  /** Ties together everything caused by one request. */
  correlationId: string;
  /** Milliseconds since the epoch, read from the clock by the command handler. */
  occurredAt: number;
}

/** An event as decided, before the log gives it a position. */
export type NewEvent<E extends ChatEvent = ChatEvent> = E & { eventId: string; metadata: EventMetadata };

/** An event as stored in the log. */
export type RecordedEvent<E extends ChatEvent = ChatEvent> = E & {
  eventId: string;
  streamId: string;
  /** 1-based position within its stream; for room streams this is the event's `seq`. */
  streamVersion: number;
  /** Position in the whole log (SQLite: row id; Kafka: assigned by the adapter), strictly increasing per reader. */
  globalPosition: number;
  metadata: EventMetadata;
};
