import type { NewEvent, RecordedEvent } from '../events/envelope.js';
import type { Checkpoint } from './checkpoint.js';

/**
 * What the appender expects the stream to look like:
 * - 'no-stream': the stream must not exist yet (claims such as usernames);
 * - 'any': no check (never used by command handlers: they always know the version they decided on);
 * - a number: the stream's current version (0 is the same as 'no-stream').
 */
export type ExpectedVersion = 'no-stream' | 'any' | number;

export interface AppendResult {
  /** The stream's version after the append. */
  nextExpectedVersion: number;
  /** The appended events with their positions, in order. */
  events: RecordedEvent[];
}

export interface ReadStreamOptions {
  /** First stream version to return (1-based, inclusive). Default 1. */
  fromVersion?: number;
  /** Maximum number of events. Default: all. */
  limit?: number;
}

export interface ReadAllOptions {
  /** Return the events this checkpoint does not cover (per partition). Default: the empty checkpoint (all). */
  after?: Checkpoint;
  /** Maximum number of events. */
  limit: number;
}

export interface Subscription {
  /** Stops delivery; resolves when no handler call is running any more. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver the events this checkpoint does not cover (the caller's checkpoint). */
  after: Checkpoint;
  /** Largest batch handed to the handler at once. */
  batchSize?: number;
  /**
   * Called with consecutive batches in log order: each partition's events in position order, partitions
   * interleaved as the log read them. The next batch is not delivered before the promise resolves.
   * A handler that throws stops the subscription; onError is told.
   */
  handler: (events: RecordedEvent[]) => Promise<void>;
  onError?: (error: unknown) => void;
  /**
   * For a subscriber nobody waits on (a view without read-your-writes): after it has caught up with the head, the
   * next read waits this long, so what arrives meanwhile comes as one batch. The first event after a quiet spell is
   * delivered at once; under load batches grow with the rate while their number (each a view transaction) stays at
   * most one per settleMs. Catching up (full pages) never waits. Default 0: read again as soon as woken.
   */
  settleMs?: number;
}

/**
 * The append-only log. One writer per stream: append checks the expected version atomically, so two writers that
 * decided on the same state cannot both succeed. Nothing can change or remove an appended event.
 *
 * The log is split into partitions; a stream lives in one (partitionOf), so its events are in order there, and
 * positions are per partition (eventlog/checkpoint.ts). The SQLite log has exactly one partition, 0.
 */
export interface EventLog {
  /** Appends events to one stream; throws WrongExpectedVersionError when the stream moved on. */
  append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult>;
  /** Events of one stream in version order. An unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The current version of a stream (0 when it does not exist). */
  streamVersion(streamId: string): Promise<number>;
  /** Events of the whole log after a checkpoint: each partition in order, the same order subscribe delivers. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The events a command produced, if it was already handled (idempotency look-up). */
  findByCommandId(commandId: string): Promise<RecordedEvent[]>;
  /** The position of the last event of every partition that has one (the empty checkpoint for an empty log). */
  headPosition(): Promise<Checkpoint>;
  /** The partition a stream's events go to; fixed for the life of the log. */
  partitionOf(streamId: string): number;
  /** Catch up from `after`, then deliver new events as they are appended, with no gap and no duplicate. */
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}

/** A log wrapped around another (sealing personal data, shared subscriptions) names the one it wraps. */
export interface EventLogDecorator extends EventLog {
  readonly inner: EventLog;
}

function isDecorator(log: EventLog): log is EventLogDecorator {
  return 'inner' in log && typeof log.inner === 'object' && log.inner !== null;
}

/** The adapter under any decorators: for what needs the stored form (bytes, Kafka readiness, the processor). */
export function undecorated(log: EventLog): EventLog {
  let adapter = log;
  while (isDecorator(adapter)) adapter = adapter.inner;
  return adapter;
}
