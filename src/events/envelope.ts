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

/**
 * Where one event sits in the log: its partition and its 1-based position within it. Every RecordedEvent is one;
 * eventlog/checkpoint.ts says how readers keep track of them.
 */
export interface EventPosition {
  readonly partition: number;
  readonly position: number;
}

/** What the log adds to a decided event when it stores it. */
export interface RecordedEnvelope {
  eventId: string;
  streamId: string;
  /** 1-based position within its stream; for room streams this is the event's `seq`. */
  streamVersion: number;
  /**
   * The log partition holding the event's stream (SQLite: always 0; Kafka: the topic partition its stream id hashes
   * to). A stream never spans partitions, so its order is total; across partitions there is no order.
   */
  partition: number;
  /**
   * 1-based position within its partition, strictly increasing there (SQLite: the row id; Kafka: offset + 1, which
   * may skip numbers). Positions of different partitions are not comparable: see eventlog/checkpoint.ts.
   */
  position: number;
  /**
   * Tamper evidence (events/hashChain.ts): the hash of this stream's previous event as stored, GENESIS_HASH for
   * version 1, set by the log when it appends. Null only for events written before hash chains existed.
   */
  previousHash: string | null;
  metadata: EventMetadata;
}

/** An event as stored in the log. */
export type RecordedEvent<E extends ChatEvent = ChatEvent> = E & RecordedEnvelope;
