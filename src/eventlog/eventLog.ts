import type { NewEvent, RecordedEvent } from '../events/envelope.js';

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
  /** Return events with globalPosition strictly greater than this. Default 0 (from the start). */
  after?: number;
  /** Maximum number of events. */
  limit: number;
}

export interface Subscription {
  /** Stops delivery; resolves when no handler call is running any more. */
  close(): Promise<void>;
}

export interface SubscribeOptions {
  /** Deliver events with globalPosition strictly greater than this (the caller's checkpoint). */
  after: number;
  /** Largest batch handed to the handler at once. */
  batchSize?: number;
  /**
   * Called with consecutive batches in log order. The next batch is not delivered before the promise resolves.
   * A handler that throws stops the subscription; onError is told.
   */
  handler: (events: RecordedEvent[]) => Promise<void>;
  onError?: (error: unknown) => void;
}

/**
 * The append-only log. One writer per stream: append checks the expected version atomically, so two writers that
 * decided on the same state cannot both succeed. Nothing can change or remove an appended event.
 */
export interface EventLog {
  /** Appends events to one stream; throws WrongExpectedVersionError when the stream moved on. */
  append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult>;
  /** Events of one stream in version order. An unknown stream reads as empty. */
  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** The current version of a stream (0 when it does not exist). */
  streamVersion(streamId: string): Promise<number>;
  /** Events of the whole log in global order. */
  readAll(options: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The events a command produced, if it was already handled (idempotency look-up). */
  findByCommandId(commandId: string): Promise<RecordedEvent[]>;
  /** The global position of the last event (0 when the log is empty). */
  headPosition(): Promise<number>;
  /** Catch up from `after`, then deliver new events as they are appended, with no gap and no duplicate. */
  subscribe(options: SubscribeOptions): Subscription;
  close(): Promise<void>;
}
