// The event log on Kafka: one topic (partitions keyed by stream id), events in the Confluent wire format, read
// through a local index (eventIndex.ts) that a consumer keeps filled from every partition.
//
// Single writer per stream across processes is NOT enforced by append(): it checks the expected version against
// this process's index after catching the stream's partition up to the broker's last stable offset, and serialises
// appends per partition within this process (groupCommit.ts); two processes appending to one stream at once could
// both pass that check (Kafka has no conditional write). In the service the command processor is the single writer
// (src/commands/processor/: a consumer group owns each partition of the commands topic and writes events partition
// p in transactions fenced per partition), and it writes through its own transactional producers, not append().
// append() remains for the embedded-style users of this adapter (tests, tools, one appending process).

import { EventEmitter } from 'node:events';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { EMPTY_CHECKPOINT, checkpointFromEntries, type Checkpoint } from '../checkpoint.js';
import type {
  AppendResult,
  EventLog,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../eventLog.js';
import {
  fromVersionOf,
  nonNegativeInteger,
  positiveInteger,
  validateExpected,
  validateStreamId,
} from '../logArguments.js';
import { PullSubscription } from '../pullSubscription.js';
import type { ReadStoredOptions, StoredEvent, StoredEventPage, StoredEventReader } from '../storedEventReader.js';
import { EventIndex, type IndexedEvent } from './eventIndex.js';
import { GroupCommit } from './groupCommit.js';
import { KafkaEventTopic, type Readiness } from './kafkaEventTopic.js';
import { decodeMessages } from './kafkaMessages.js';
import { streamPartitioner, type StreamPartitioner } from './streamPartitioner.js';

export interface KafkaEventLogOptions {
  /** host:port of one or more brokers. */
  brokers: string[];
  clientId: string;
  /** The events topic; created at start if missing. */
  topic: string;
  /** Partitions of a topic this creates. Default 12. */
  partitions?: number;
  /** Replicas of a topic this creates. Default 1 (one broker). */
  replicationFactor?: number;
  codec: EventCodec;
  /** Loads schema versions registered after the codec was made (a newer deployment); tried once on an unknown id. */
  refreshCodec?: () => Promise<unknown>;
  /** The local index: a file (survives restarts, resumes) or ':memory:' (rebuilt from the topic on every start). */
  indexFile: string;
  logger?: Logger;
  /** How long an append or headPosition waits for Kafka (connecting, catching up, acknowledging). Default 30 s. */
  operationTimeoutMs?: number;
  /** Back-off between connection attempts. Default 500 ms doubling to 30 s. */
  reconnect?: { initialMs?: number; maxMs?: number };
  /** TCP connect timeout per broker. Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** Most appends of one partition written in one produce request. Default 500. */
  maxAppendBatch?: number;
}

interface ProgressWaiter {
  done: () => boolean;
  resolve: () => void;
}

export interface KafkaEventLogStats {
  /** Events this instance added to its index since it was created (re-consumed ones are not counted). */
  indexed: number;
  /** Produce requests (group commits) and the appends and events they carried. */
  produceRequests: number;
  appends: number;
  events: number;
  conflicts: number;
}

const DEFAULT_PARTITIONS = 12;
const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_APPEND_BATCH = 500;
const DEFAULT_SUBSCRIPTION_BATCH = 500;

export class KafkaEventLog implements EventLog, StoredEventReader {
  private readonly index: EventIndex;
  private readonly topic: KafkaEventTopic;
  private readonly codec: EventCodec;
  private readonly refreshCodec: (() => Promise<unknown>) | undefined;
  private readonly logger: Logger | undefined;
  private readonly operationTimeoutMs: number;
  private partitioner: StreamPartitioner;
  private partitionerFor: number;

  private readonly groupCommit: GroupCommit;
  private readonly subscriptions = new Set<PullSubscription>();
  /** Woken after every batch the consumer stores, and every offset it moves past. */
  private readonly progress = new EventEmitter();
  private readonly progressWaiters = new Set<ProgressWaiter>();
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly counters: KafkaEventLogStats = { indexed: 0, produceRequests: 0, appends: 0, events: 0, conflicts: 0 };

  constructor(private readonly options: KafkaEventLogOptions) {
    this.codec = options.codec;
    this.refreshCodec = options.refreshCodec;
    this.logger = options.logger;
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    const partitions = options.partitions ?? DEFAULT_PARTITIONS;
    this.partitioner = streamPartitioner(options.topic, partitions);
    this.partitionerFor = partitions;
    this.progress.setMaxListeners(0);
    this.index = new EventIndex(options.indexFile, options.codec, options.topic);
    this.topic = new KafkaEventTopic({
      brokers: options.brokers,
      clientId: options.clientId,
      topic: options.topic,
      partitions,
      replicationFactor: options.replicationFactor ?? 1,
      logger: options.logger,
      resumeFrom: () => this.index.consumedOffsets(),
      consume: (partition, messages, next) => this.consume(partition, messages, next),
      onProgress: () => this.onProgress(),
      reconnect: { initialMs: options.reconnect?.initialMs ?? 500, maxMs: options.reconnect?.maxMs ?? 30_000 },
      clientRetry: { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 },
      connectionTimeoutMs: options.connectionTimeoutMs ?? 3000,
      operationTimeoutMs: this.operationTimeoutMs,
    });
    this.groupCommit = new GroupCommit({
      index: this.index,
      topic: this.topic,
      codec: options.codec,
      maxAppendBatch: options.maxAppendBatch ?? DEFAULT_MAX_APPEND_BATCH,
      counters: this.counters,
      catchUp: (partition) => this.catchUp(partition),
      waitFor: (done, what) => this.waitFor(done, what),
    });
  }

  /** Creates the log and waits until it is connected (retrying with back-off meanwhile). */
  static async open(options: KafkaEventLogOptions): Promise<KafkaEventLog> {
    const log = new KafkaEventLog(options);
    try {
      await log.start();
    } catch (error) {
      await log.close();
      throw error;
    }
    return log;
  }

  /**
   * Creates the log and starts connecting in the background; returns at once. For a service that should come up
   * (and answer its health route, not ready) while Kafka is away: a start that cannot ever succeed is logged.
   */
  static connecting(options: KafkaEventLogOptions): KafkaEventLog {
    const log = new KafkaEventLog(options);
    log.start().catch((error: unknown) => {
      if (!log.closing) options.logger?.error({ err: error }, 'the Kafka event log cannot start');
    });
    return log;
  }

  /**
   * Connects (creating the topic if missing), retrying with back-off for as long as it takes; resolves once
   * connected. Reads of what the index holds work meanwhile; appends and headPosition wait (up to their timeout).
   */
  async start(): Promise<void> {
    await this.topic.start();
    // The topic's partition count wins over the configured one: it is what decides where keyed messages live.
    if (this.topic.partitions !== this.partitionerFor) {
      this.partitioner = streamPartitioner(this.options.topic, this.topic.partitions);
      this.partitionerFor = this.topic.partitions;
    }
  }

  /** For the health route: ready means connected, the topic there and the index consumer running. */
  readiness(): Readiness {
    return this.topic.readiness();
  }

  isReady(): boolean {
    return this.readiness().ready;
  }

  /** Counters for tests and metrics: a snapshot, not a live object. */
  stats(): KafkaEventLogStats {
    return { ...this.counters };
  }

  partitionOf(streamId: string): number {
    validateStreamId(streamId);
    return this.partitioner(streamId);
  }

  /** The events topic's partition count (the topic's own once connected): the commands topic must match it. */
  get partitionCount(): number {
    return this.partitionerFor;
  }

  get topicName(): string {
    return this.options.topic;
  }

  /**
   * Waits until the index holds everything Kafka has committed in one partition (its last stable offset, asked
   * now); the command processor calls it after taking a partition over, before deciding anything for it.
   */
  catchUpPartition(partition: number): Promise<void> {
    return this.catchUp(partition);
  }

  /** Whether the index has consumed a partition up to `nextOffset` (exclusive). */
  hasConsumed(partition: number, nextOffset: number): boolean {
    return this.topic.hasConsumed(partition, nextOffset);
  }

  /** Waits until the index has consumed a partition up to `nextOffset` (exclusive), within the operation timeout. */
  waitForConsumed(partition: number, nextOffset: number): Promise<void> {
    return this.waitFor(() => this.topic.hasConsumed(partition, nextOffset), 'the event index to read what was written');
  }

  /**
   * The events at these places, once the index has consumed them (the command processor wrote them in a
   * transaction another process committed): what a remote command's caller reads to return RecordedEvents.
   */
  async eventsAt(places: ReadonlyArray<{ partition: number; position: number }>): Promise<RecordedEvent[]> {
    const through = new Map<number, number>();
    for (const { partition, position } of places) through.set(partition, Math.max(through.get(partition) ?? 0, position));
    await Promise.all([...through].map(([partition, position]) => this.waitForConsumed(partition, position)));
    return places.map(({ partition, position }) => {
      const event = this.openIndex().at(partition, position);
      if (!event) throw new UnavailableError('the event log has no event where the command processor wrote it', { partition, position });
      return event;
    });
  }

  /** The stored bytes of a stream's last event, as indexed (the next event chains its hash to them). */
  lastStoredBody(streamId: string): Buffer | undefined {
    return this.openIndex().lastStoredBody(streamId);
  }

  append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new UnavailableError('the event log is closed'));
    let partition: number;
    try {
      validateExpected(expected);
      partition = this.partitionOf(streamId);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.groupCommit.append(partition, streamId, expected, events);
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const fromVersion = fromVersionOf(options.fromVersion);
    const limit = options.limit === undefined ? undefined : nonNegativeInteger(options.limit, 'limit');
    return this.openIndex().readStream(streamId, fromVersion, limit);
  }

  async streamVersion(streamId: string): Promise<number> {
    validateStreamId(streamId);
    return this.openIndex().streamVersion(streamId);
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const limit = nonNegativeInteger(options.limit, 'limit');
    return this.openIndex().readAfter(options.after ?? EMPTY_CHECKPOINT, this.partitionerFor, limit);
  }

  async findByCommandId(commandId: string): Promise<RecordedEvent[]> {
    return this.openIndex().findByCommandId(commandId);
  }

  /** The audit port (eventlog/storedEventReader.ts): events as the index consumed them from the topic, raw. */
  async readStoredStream(streamId: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    validateStreamId(streamId);
    return this.openIndex().readStoredStream(streamId, fromVersionOf(fromVersion), nonNegativeInteger(limit, 'limit'));
  }

  async readStoredPage(options: ReadStoredOptions): Promise<StoredEventPage> {
    nonNegativeInteger(options.after, 'after');
    nonNegativeInteger(options.limit, 'limit');
    return this.openIndex().readStoredPage(options);
  }

  /** The last event of each partition as Kafka holds it now: asks the broker, then waits for the index to get there. */
  async headPosition(): Promise<Checkpoint> {
    await this.catchUp(undefined);
    return checkpointFromEntries(this.openIndex().head());
  }

  subscribe(options: SubscribeOptions): Subscription {
    if (this.closing) throw new UnavailableError('the event log is closed');
    const subscription = new PullSubscription({
      read: (after, limit) => this.openIndex().readAfter(after, this.partitionerFor, limit),
      detach: (stopped) => {
        this.progress.off('progress', stopped.wake);
        this.subscriptions.delete(stopped);
      },
      after: options.after,
      batchSize: positiveInteger(options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH, 'batchSize'),
      handler: options.handler,
      onError: options.onError,
      settleMs: options.settleMs,
      logger: this.logger,
    });
    this.subscriptions.add(subscription);
    this.progress.on('progress', subscription.wake);
    subscription.wake();
    return subscription;
  }

  close(): Promise<void> {
    this.closed ??= this.closeOnce();
    return this.closed;
  }

  private async closeOnce(): Promise<void> {
    this.closing = true;
    // Appends already accepted finish while connected: their callers were promised an outcome. Not connected,
    // disconnecting first fails them at once instead of after their whole timeout.
    if (!this.isReady()) await this.topic.close();
    await this.groupCommit.settled();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    await this.topic.close();
    for (const waiter of this.progressWaiters) waiter.resolve();
    this.index.close();
  }

  /** Waits until the index holds everything Kafka has in one partition (or in all, for undefined). */
  private async catchUp(partition: number | undefined): Promise<void> {
    await this.topic.whenReady(this.operationTimeoutMs);
    const latest = await this.topic.latestOffsets();
    const targets = [...latest].filter(([p]) => partition === undefined || p === partition);
    await this.waitFor(
      () => targets.every(([p, offset]) => this.topic.hasConsumed(p, offset)),
      'the event index to catch up with Kafka',
    );
  }

  private waitFor(done: () => boolean, what: string): Promise<void> {
    if (done()) return Promise.resolve();
    if (this.index.isOpen === false) return Promise.reject(new UnavailableError('the event log is closed'));
    return new Promise<void>((resolve, reject) => {
      const waiter: ProgressWaiter = {
        done,
        resolve: () => {
          clearTimeout(timer);
          this.progressWaiters.delete(waiter);
          if (done()) resolve();
          else reject(new UnavailableError('the event log is closed'));
        },
      };
      const timer = setTimeout(() => {
        this.progressWaiters.delete(waiter);
        const { reason } = this.readiness();
        reject(
          new UnavailableError(`timed out after ${this.operationTimeoutMs} ms waiting for ${what}`, {
            topic: this.options.topic,
            ...(reason === undefined ? {} : { reason }),
          }),
        );
      }, this.operationTimeoutMs);
      this.progressWaiters.add(waiter);
    });
  }

  private onProgress(): void {
    this.progress.emit('progress');
    for (const waiter of [...this.progressWaiters]) if (waiter.done()) waiter.resolve();
  }

  private async consume(partition: number, messages: KafkaMessage[], nextOffset: number): Promise<void> {
    const decoded = await decodeMessages(partition, messages, { codec: this.codec, refreshCodec: this.refreshCodec });
    const events = decoded.map(({ event, body }): IndexedEvent => {
      const { position, streamId, streamVersion, eventId } = event;
      return { partition, position, streamId, streamVersion, eventId, commandId: event.metadata.commandId, body };
    });
    this.counters.indexed += this.index.addBatch(partition, events, nextOffset);
  }

  private openIndex(): EventIndex {
    if (!this.index.isOpen) throw new UnavailableError('the event log is closed');
    return this.index;
  }
}
