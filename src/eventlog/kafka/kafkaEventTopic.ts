// The Kafka side of the Kafka event log: one client, an admin (topic, offsets), an idempotent producer, and a
// consumer that tails every partition of the events topic into the local index. Owns connecting (with back-off,
// for as long as it takes) and readiness; knows nothing of streams or versions.

import { randomUUID } from 'node:crypto';
import {
  Partitioners,
  type Admin,
  type Consumer,
  type EachBatchPayload,
  type Kafka,
  type KafkaMessage,
  type Message,
  type Producer,
  type RecordMetadata,
  type RetryOptions,
} from 'kafkajs';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import { checkRetention, createOrFindTopic } from './eventTopicSetup.js';
import { fetchStableOffsets, kafkaClient, messageOf } from './kafkaClient.js';
import { EventTopicMisconfiguredError } from './kafkaEventLogErrors.js';

/** How often the index's consumer commits its offsets to its group (see connectOnce). */
const INDEX_COMMIT_INTERVAL_MS = 5_000;

export interface KafkaEventTopicOptions {
  brokers: string[];
  clientId: string;
  topic: string;
  /** Partitions of a topic this creates; an existing topic keeps its own (and wins, with a warning). */
  partitions: number;
  replicationFactor: number;
  logger: Logger | undefined;
  /** Where consumption resumes per partition (the index's stored offsets); the rest start at the beginning. */
  resumeFrom: () => Map<number, number>;
  /** Stores one consumed batch; must be atomic with the offset it returns to (the index does both). */
  consume: (partition: number, messages: KafkaMessage[], nextOffset: number) => Promise<void>;
  /** Called after every stored batch and every offset move, so waiters and subscribers can look again. */
  onProgress: () => void;
  /** Back-off between connection attempts: starts at initialMs, doubles per failure, up to maxMs. */
  reconnect: { initialMs: number; maxMs: number };
  /** kafkajs' own retries inside one attempt (a request, a connection). */
  clientRetry: RetryOptions;
  connectionTimeoutMs: number;
  /** How long one attempt may take to join its consumer group, and a produce to be acknowledged. */
  operationTimeoutMs: number;
}

export interface Readiness {
  ready: boolean;
  /** Why not, in words an operator can act on (the brokers tried and the driver's error). */
  reason?: string;
}

type State = 'idle' | 'connecting' | 'ready' | 'closed';

export class KafkaEventTopic {
  private readonly kafka: Kafka;
  private admin: Admin | undefined;
  private producer: Producer | undefined;
  private consumer: Consumer | undefined;
  private groupId: string | undefined;
  private state: State = 'idle';
  private lastError: string | undefined;
  private consumerHealthy = false;
  private partitionCount: number;
  /** Next offset to fetch per partition, including offsets of records the consumer filtered (transaction markers). */
  private readonly consumedThrough = new Map<number, number>();
  private readonly readyWaiters = new Set<() => void>();
  private started: Promise<void> | undefined;
  private wakeSleeper: (() => void) | undefined;

  constructor(private readonly options: KafkaEventTopicOptions) {
    this.partitionCount = options.partitions;
    this.kafka = kafkaClient(options);
  }

  /** Partitions of the topic: the configured count until connected, the topic's own afterwards. */
  get partitions(): number {
    return this.partitionCount;
  }

  readiness(): Readiness {
    if (this.state === 'ready' && this.consumerHealthy) return { ready: true };
    if (this.state === 'closed') return { ready: false, reason: 'the event log is closed' };
    const brokers = this.options.brokers.join(',');
    return {
      ready: false,
      reason: this.lastError ?? `connecting to Kafka at ${brokers}`,
    };
  }

  /**
   * Connects, retrying with back-off until it succeeds or close() is called; resolves once connected (ready).
   * Each failed attempt is logged with the brokers and the reason, and readiness() says it meanwhile.
   */
  start(): Promise<void> {
    this.started ??= this.connectUntilReady();
    return this.started;
  }

  /** Resolves once ready; rejects with an UnavailableError naming the last failure after timeoutMs. */
  whenReady(timeoutMs: number): Promise<void> {
    if (this.readiness().ready) return Promise.resolve();
    if (this.state === 'closed') return Promise.reject(new UnavailableError('the event log is closed'));
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        this.readyWaiters.delete(done);
        if (this.readiness().ready) resolve();
        else reject(new UnavailableError('the event log is closed'));
      };
      const timer = setTimeout(() => {
        this.readyWaiters.delete(done);
        reject(this.unavailable(`Kafka is not reachable after ${timeoutMs} ms`));
      }, timeoutMs);
      this.readyWaiters.add(done);
    });
  }

  /** The offset after the last readable record of each partition (the last stable offset: read_committed). */
  async latestOffsets(): Promise<Map<number, number>> {
    const admin = this.connected(this.admin);
    try {
      return await this.fetchOffsets(admin);
    } catch (error) {
      throw this.unavailable('could not read the topic offsets', error);
    }
  }

  /** Whether the consumer has gone past `offset` (exclusive) in a partition. */
  hasConsumed(partition: number, offset: number): boolean {
    return (this.consumedThrough.get(partition) ?? 0) >= offset;
  }

  /** Produces messages to one partition in one request, in order; returns the offset of the first. */
  async produce(partition: number, messages: Message[]): Promise<number> {
    const producer = this.connected(this.producer);
    let metadata: RecordMetadata[];
    let timer: NodeJS.Timeout | undefined;
    try {
      const sent = producer.send({
        topic: this.options.topic,
        acks: -1,
        messages: messages.map((message) => ({ ...message, partition })),
      });
      // The send itself keeps retrying behind this (it may still land: the caller's retry finds it by command id).
      const expired = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`no acknowledgement within ${this.options.operationTimeoutMs} ms`)),
          this.options.operationTimeoutMs,
        );
      });
      sent.catch(() => undefined);
      metadata = await Promise.race([sent, expired]);
    } catch (error) {
      throw this.unavailable('the events could not be written to Kafka', error);
    } finally {
      clearTimeout(timer);
    }
    const written = metadata.find((entry) => entry.partition === partition);
    const base = Number(written?.baseOffset ?? Number.NaN);
    if (!Number.isSafeInteger(base)) {
      throw this.unavailable(`Kafka acknowledged the write without an offset for partition ${partition}`);
    }
    return base;
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.wakeSleeper?.();
    for (const waiter of [...this.readyWaiters]) waiter();
    await this.started?.catch(() => undefined);
    await this.disconnect();
  }

  private async connectUntilReady(): Promise<void> {
    this.state = 'connecting';
    const { initialMs, maxMs } = this.options.reconnect;
    for (let attempt = 1; ; attempt++) {
      try {
        await this.connectOnce();
        if (this.isClosed()) break;
        this.state = 'ready';
        this.lastError = undefined;
        this.options.logger?.info(
          { topic: this.options.topic, partitions: this.partitionCount, groupId: this.groupId, attempt },
          'event log connected to Kafka',
        );
        this.notifyReady();
        return;
      } catch (error) {
        await this.disconnect();
        if (this.isClosed()) break;
        if (error instanceof EventTopicMisconfiguredError) {
          // Waiting will not fix the topic's settings: say so once and stop.
          this.lastError = error.message;
          this.options.logger?.error({ err: error }, error.message);
          throw error;
        }
        const retryInMs = Math.min(maxMs, initialMs * 2 ** (attempt - 1));
        this.lastError = `cannot connect to Kafka at ${this.options.brokers.join(',')}: ${messageOf(error)}`;
        this.options.logger?.warn({ attempt, retryInMs, err: error }, this.lastError);
        await this.sleep(retryInMs);
        if (this.isClosed()) break;
      }
    }
    throw new UnavailableError('the event log was closed before it could connect to Kafka');
  }

  private isClosed(): boolean {
    return this.state === 'closed';
  }

  private async connectOnce(): Promise<void> {
    const admin = this.kafka.admin();
    this.admin = admin;
    await admin.connect();
    await this.ensureTopic(admin);

    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      // The idempotent producer must be free to retry a send until the broker has it (kafkajs warns otherwise):
      // giving up and sending again is what would duplicate. produce() bounds how long a caller waits instead.
      retry: { retries: Number.MAX_SAFE_INTEGER, maxRetryTime: 5000 },
    });
    this.producer = producer;
    await producer.connect();

    // A tail-everything reader needs every partition, so it cannot share a group with anyone: a fresh group per
    // connection, moved to the index's offsets once it runs. (kafkajs has no manual assignment; a group of one
    // gets all.)
    const groupId = `${this.options.clientId}.event-index.${randomUUID()}`;
    this.groupId = groupId;
    const resume = this.resumeOffsets();
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      maxWaitTimeInMs: 1000,
    });
    this.consumer = consumer;
    const joined = this.watchConsumer(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: [this.options.topic], fromBeginning: true });
    await consumer.run({
      // Offsets committed to the group only let a kafkajs restart resume near where it was; the index's own
      // offsets (same transaction as its rows) are the truth, and re-consumed rows are ignored there. So they are
      // committed every 5 s (consumeBatch), not after every batch as kafkajs' autoCommit does whatever its interval:
      // that was one OffsetCommit round trip per batch, ~150 a second under load (issue #14).
      autoCommit: false,
      autoCommitInterval: INDEX_COMMIT_INTERVAL_MS,
      eachBatch: (payload) => this.consumeBatch(payload),
    });
    // Not admin.setOffsets before running: kafkajs implements it with a consumer of its own that waits out a whole
    // fetch wait (5 s) before it returns, which delayed every restart of a non-empty index. A seek applies to the
    // next fetch; what a fetch sent before it hands over again is skipped in consumeBatch.
    for (const [partition, offset] of resume) {
      if (offset > 0) consumer.seek({ topic: this.options.topic, partition, offset: String(offset) });
    }
    await joined;
  }

  private async ensureTopic(admin: Admin): Promise<void> {
    const { topic, partitions, replicationFactor } = this.options;
    const found = await createOrFindTopic(admin, this.options);
    this.partitionCount = found.partitions;
    if (found.created) this.options.logger?.info({ topic, partitions, replicationFactor }, 'events topic created');
    else await checkRetention(admin, topic, this.options.logger);
    // Ready means offsets can be asked for: a topic just created may not have its leaders known yet.
    await this.fetchOffsets(admin);
  }

  private fetchOffsets(admin: Admin): Promise<Map<number, number>> {
    return fetchStableOffsets(admin, this.options.topic, () => this.isClosed());
  }

  /** Where the index goes on per partition; what lies below is stored already (consumedThrough says so). */
  private resumeOffsets(): Map<number, number> {
    const resume = this.options.resumeFrom();
    for (const [partition, offset] of resume) {
      this.consumedThrough.set(partition, Math.max(this.consumedThrough.get(partition) ?? 0, offset));
    }
    return resume;
  }

  /** Tracks the consumer's health; resolves when it first joins, rejects if it cannot within the operation timeout. */
  private watchConsumer(consumer: Consumer): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the index consumer did not join its group within ${this.options.operationTimeoutMs} ms`)),
        this.options.operationTimeoutMs,
      );
      consumer.on(consumer.events.GROUP_JOIN, () => {
        clearTimeout(timer);
        this.consumerHealthy = true;
        resolve();
        this.notifyReady();
      });
      consumer.on(consumer.events.CRASH, ({ payload }) => {
        this.consumerHealthy = false;
        this.lastError = `the event index consumer failed: ${messageOf(payload.error)}`;
        // kafkajs restarts it after retriable failures and joins again; otherwise the log stays not ready.
        const log = payload.restart ? this.options.logger?.warn : this.options.logger?.error;
        log?.call(this.options.logger, { err: payload.error, restart: payload.restart }, this.lastError);
      });
      // Batches the consumer filtered out entirely (transaction markers, aborted records) still move its offset.
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
        this.markConsumed(payload.partition, Number(payload.lastOffset) + 1);
      });
    });
  }

  private async consumeBatch({ batch, commitOffsetsIfNecessary }: EachBatchPayload): Promise<void> {
    if (batch.topic !== this.options.topic || this.isClosed()) return;
    const next = Number(batch.lastOffset()) + 1;
    // Stored already (a fetch sent before the resume seek applied starts at the beginning): not decoded again.
    const stored = this.consumedThrough.get(batch.partition) ?? 0;
    const messages = batch.messages.filter((message) => Number(message.offset) >= stored);
    await this.options.consume(batch.partition, messages, next);
    this.markConsumed(batch.partition, next);
    // The offsets resolved so far (kafkajs resolves a batch's once its handler returns), at most every 5 s.
    await commitOffsetsIfNecessary();
  }

  private markConsumed(partition: number, next: number): void {
    if (!Number.isSafeInteger(next) || next <= (this.consumedThrough.get(partition) ?? 0)) return;
    this.consumedThrough.set(partition, next);
    this.options.onProgress();
  }

  private notifyReady(): void {
    if (!this.readiness().ready) return;
    for (const waiter of [...this.readyWaiters]) waiter();
  }

  private async disconnect(): Promise<void> {
    const { consumer, producer, admin, groupId } = this;
    this.consumer = undefined;
    this.producer = undefined;
    this.consumerHealthy = false;
    // Each is torn down even if another fails: a half-connected attempt must not leak sockets.
    await consumer?.disconnect().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    // The group was this connection's alone; leaving it behind would litter the cluster with one per start.
    if (consumer && admin && groupId) await admin.deleteGroups([groupId]).catch(() => undefined);
    this.admin = undefined;
    await admin?.disconnect().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.wakeSleeper = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private connected<T>(client: T | undefined): T {
    if (client === undefined || this.state !== 'ready') throw this.unavailable('the event log is not connected');
    return client;
  }

  private unavailable(message: string, cause?: unknown): UnavailableError {
    const reason = cause === undefined ? this.lastError : messageOf(cause);
    return new UnavailableError(
      reason === undefined ? message : `${message}: ${reason}`,
      { brokers: this.options.brokers.join(','), topic: this.options.topic },
      { cause },
    );
  }
}
