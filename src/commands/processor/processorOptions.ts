import type { Logger } from 'pino';
import type { RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import type { CommandObserver } from '../commandExecutor.js';
import type { StreamReader } from '../streamCategories.js';
import type { CommandTopicNames } from './commandTopics.js';
import type { ReplyTail } from './replyTail.js';
import type { BeforeEncode, BeforeEncodeFor, ProcessorWriters, WriterLog } from './streamWriter.js';

// What a CommandProcessor is built from and what it counts (commandProcessor.ts).

/** What the processor needs of its own Kafka event log (KafkaEventLog): the index of the events topic. */
export interface ProcessorLog extends WriterLog {
  readonly topicName: string;
  readonly partitionCount: number;
  isReady(): boolean;
  partitionOf(streamId: string): number;
  findByCommandId(commandId: string): Promise<RecordedEvent[]>;
  catchUpPartition(partition: number): Promise<void>;
  waitForConsumed(partition: number, nextOffset: number): Promise<void>;
  /** Whether the index holds a partition up to `nextOffset` (exclusive). */
  hasConsumed(partition: number, nextOffset: number): boolean;
}


export interface CommandProcessorOptions {
  brokers: string[];
  clientId: string;
  topics: CommandTopicNames;
  /** The processors' consumer group; every processor of one deployment shares it. */
  groupId: string;
  /** Transactional ids are `<prefix>-<partition>`; one deployment, one prefix. */
  transactionalIdPrefix: string;
  replicationFactor: number;
  log: ProcessorLog;
  codec: EventCodec;
  /**
   * Every category's writer, reading the index through `reader`: the processor's fence, which waits for the index
   * to hold this processor's own recent writes before a stream is read (writtenFence.ts).
   */
  writers: (reader: StreamReader) => ProcessorWriters;
  /** Runs on each command's events before encoding (crypto-shredding plugs in here). Identity by default. */
  beforeEncode?: BeforeEncode;
  /**
   * beforeEncode for a chunk whose commands' actors are known: what it needs of them (their personal-data keys)
   * fetched at once, one round trip per chunk instead of one per command. Without it, beforeEncode is used.
   */
  beforeEncodeFor?: BeforeEncodeFor;
  observe?: CommandObserver;
  logger?: Logger;
  /** Consumer group session timeout: how soon a dead processor's partitions move. Default 10 s (broker min 6 s). */
  sessionTimeoutMs?: number;
  /** Most commands in one transaction. Default 500. */
  maxCommandsPerTransaction?: number;
  /** How long a take-over may wait for the log and the replies to be read. Default 30 s. */
  operationTimeoutMs?: number;
  /**
   * The process's one reader of the replies topic, shared with its command client; it must read from the beginning
   * (the processor rebuilds its rejections from it). Else the processor's own.
   */
  replies?: ReplyTail;
}

export interface CommandProcessorStats {
  /** Command messages consumed and answered (replays included). */
  commands: number;
  accepted: number;
  rejected: number;
  replayed: number;
  transactions: number;
  events: number;
  /** Transactions aborted (the batch is consumed again, by this or the next owner). */
  aborted: number;
  takeovers: number;
  /** Chunks whose events did not land where the processor expected (another writer in the partition), sent again. */
  offsetMisses: number;
}
