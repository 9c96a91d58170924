import type { CommandExecutor } from './commandExecutor.js';
import type { CategoryName, CommandOf } from './streamCategories.js';

/**
 * The single writer of each stream category, as the use cases see it: an embedded CommandBus per category, or the
 * Kafka command processor reached through the commands topic (composition/commandExecution.ts picks).
 */
export type CategoryExecutors = { [K in CategoryName]: CommandExecutor<CommandOf<K>> };

export interface CommandExecutors extends CategoryExecutors {
  /**
   * Connects ahead of the first command (the Kafka command client: producer, reply tail), so the first send does
   * not pay seconds of connecting; nothing for the embedded buses. Sends still connect on demand if this failed.
   */
  connect(): Promise<void>;
  /** Disconnects what the executors opened (the Kafka command client); nothing for the embedded buses. */
  close(): Promise<void>;
}
