import type { RecordedEvent } from '../events/envelope.js';
import type { DecisionContext } from './decider.js';

// The seam between the use cases (ChatCommands, the receipt recorder) and whoever is the single writer of a
// stream. Embedded, that is this process (CommandBus); on Kafka, it is the command processor that owns the
// stream's partition, reached through the commands topic (processor/remoteCommandExecutor.ts). Callers cannot tell
// the two apart: both return the events as the log recorded them.

export interface CommandMetadata {
  /** Idempotency key: a command id that was already handled returns its first outcome without deciding again. */
  commandId: string;
  correlationId: string;
  /**
   * Called once the command's place among its stream's commands is fixed, which may be long before its outcome is
   * known: in the distributed mode, once it is queued for the commands topic in order (the processor decides a
   * partition's commands in that order). A caller may then submit its next command for the stream and keep their
   * order. Executors that decide at once need not call it: their result comes first.
   */
  onQueued?: () => void;
}

export interface CommandResult {
  events: RecordedEvent[];
  /** True when the command id had been handled before and `events` are the first outcome. */
  replayed: boolean;
}

/** Runs one command against its stream's single writer; rejects with the decider's error (a stable code). */
export interface CommandExecutor<C> {
  execute(streamId: string, command: C, context: DecisionContext, metadata: CommandMetadata): Promise<CommandResult>;
}

/**
 * Enriches a stream's loaded state with facts the bounded state no longer holds (an old message's sender) before
 * the decider runs. Given to the writer, not to each call, so the remote writer applies it too.
 */
export type PrepareState<C, S> = (state: S, command: C, streamId: string) => Promise<S>;

/** Wraps one command's handling: the metrics' timeCommand, or nothing. */
export type CommandObserver = <T>(commandType: string, run: () => Promise<T>) => Promise<T>;
