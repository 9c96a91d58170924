// Reads a slice of the events topic straight from Kafka, without the local index: what `chat events replay` needs
// in Kafka mode. A replay reads each partition once, from an offset to an end, so building an index of the whole
// topic first (three secondary indexes, most of a replay's time) buys it nothing.
//
// One temporary consumer group per scan (kafkajs has no manual assignment): a random id, and a partition assigner
// that gives its only member exactly the partitions to read, each sought to its start once the member has joined. read_committed,
// so aborted records and transaction markers are skipped, but they take offsets: a partition ends when the
// consumer's offset passes the end, never by waiting for a record at the end's position.

import { randomUUID } from 'node:crypto';
import kafkajs, { type Admin, type Consumer, type EachBatchPayload, type Kafka, type PartitionAssigner } from 'kafkajs';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import type { RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { checkpointFromEntries, partitionsOf, positionIn, type Checkpoint } from '../checkpoint.js';
import { EventTopicMisconfiguredError } from './kafkaEventLogErrors.js';
import { fetchStableOffsets, kafkaClient, messageOf } from './kafkaClient.js';
import { decodeMessages } from './kafkaMessages.js';
import { streamPartitioner, type StreamPartitioner } from './streamPartitioner.js';

// Node's ESM loader does not see every named export of kafkajs (a CommonJS module): this one comes off the default.
const { AssignerProtocol } = kafkajs;

export interface KafkaTopicScanOptions {
  brokers: string[];
  clientId: string;
  topic: string;
  codec: EventCodec;
  /** Loads schema versions registered after the codec was made (a newer deployment); tried once on an unknown id. */
  refreshCodec?: () => Promise<unknown>;
  logger?: Logger;
  /** TCP connect timeout per broker. Default 3000 ms. */
  connectionTimeoutMs?: number;
  /** How long connecting, and a scan's consumer joining its group, may take before UnavailableError. Default 30 s. */
  operationTimeoutMs?: number;
}

export interface TopicScanRequest {
  /** Positions already read per partition (exclusive start); absent partitions start at their beginning. */
  after: Checkpoint;
  /** The last position to read per partition (inclusive); capped at the partition's last stable offset. */
  until: Checkpoint;
  /** The partitions to read; default every partition `until` names. */
  partitions?: readonly number[];
  /** Takes each batch (one partition, in offset order); the next fetch waits until it resolves. */
  onEvents: (events: RecordedEvent[]) => Promise<void>;
}

/** One partition of a scan: `passed` is the next offset to fetch, i.e. the position the consumer has got past. */
interface PartitionRange {
  passed: number;
  stop: number;
}

const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;
const CLIENT_RETRY = { retries: 3, initialRetryTime: 200, maxRetryTime: 2000 };
// Small fetches, measured on 1M events in 12 partitions: kafkajs decodes a whole fetch into message objects before
// the first is handed over, and objects that outlive a scavenge cost a full collection later. 64 MB fetches spent
// half the CPU time in the garbage collector (56k events per CPU-second); 4 MB of at most 256 kB per partition
// ~100k; 1 MB fetches lost more to round trips than they saved.
const MAX_BYTES = 4 * 1024 * 1024;
const MAX_BYTES_PER_PARTITION = 256 * 1024;
const ASSIGNER_NAME = 'ChatTopicScanAssigner';

export class KafkaTopicScan {
  private readonly partitioner: StreamPartitioner;
  private closed = false;

  private constructor(
    private readonly options: KafkaTopicScanOptions,
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    /** The topic's partition count, as the cluster metadata had it when the scan was opened. */
    readonly partitionCount: number,
  ) {
    this.partitioner = streamPartitioner(options.topic, partitionCount);
  }

  /**
   * Connects an admin client and reads the topic's metadata. A topic that does not exist is an
   * EventTopicMisconfiguredError (a reader never creates it); brokers that cannot be reached an UnavailableError,
   * after kafkajs' bounded retries.
   */
  static async open(options: KafkaTopicScanOptions): Promise<KafkaTopicScan> {
    const kafka = kafkaClient({
      brokers: options.brokers,
      clientId: options.clientId,
      connectionTimeoutMs: options.connectionTimeoutMs ?? 3000,
      clientRetry: CLIENT_RETRY,
      logger: options.logger,
    });
    const admin = kafka.admin();
    try {
      const timeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
      const partitions = await within(timeoutMs, `Kafka at ${options.brokers.join(',')} did not answer`, async () => {
        await admin.connect();
        if (!(await admin.listTopics()).includes(options.topic)) {
          throw new EventTopicMisconfiguredError(options.topic, 'it does not exist');
        }
        const metadata = await admin.fetchTopicMetadata({ topics: [options.topic] });
        return metadata.topics.find((entry) => entry.name === options.topic)?.partitions.length ?? 0;
      });
      if (partitions === 0) throw new EventTopicMisconfiguredError(options.topic, 'it has no partitions in the cluster metadata');
      return new KafkaTopicScan(options, kafka, admin, partitions);
    } catch (error) {
      await admin.disconnect().catch(() => undefined);
      if (error instanceof EventTopicMisconfiguredError || error instanceof UnavailableError) throw error;
      throw unavailable(options, 'could not read the events topic from Kafka', error);
    }
  }

  /** The partition a stream lives in (the producers' rule: murmur2 of the stream id, modulo the partition count). */
  partitionOf(streamId: string): number {
    return this.partitioner(streamId);
  }

  /**
   * Per partition, the position up to which everything is decided: the last stable offset (read_committed), so
   * the last committed event or a transaction marker after it. The same end KafkaEventLog.headPosition waits for
   * its index to reach; partitions that hold nothing are absent.
   */
  async head(): Promise<Checkpoint> {
    return checkpointFromEntries(await this.stableOffsets());
  }

  /**
   * Hands over every committed event with after < position <= until of the partitions asked for, in batches of
   * one partition in offset order; resolves once every partition has been read to its end. Rejects (and stops)
   * when onEvents does, when a message cannot be decoded, or with UnavailableError when Kafka fails.
   */
  async scan(request: TopicScanRequest): Promise<void> {
    if (this.closed) throw new UnavailableError('the topic scan is closed');
    const latest = await this.stableOffsets();
    const ranges = new Map<number, PartitionRange>();
    for (const partition of request.partitions ?? partitionsOf(request.until)) {
      // Never past the last stable offset: what lies beyond is undecided, and a consumer would wait for it forever.
      const stop = Math.min(positionIn(request.until, partition), latest.get(partition) ?? 0);
      const start = positionIn(request.after, partition);
      if (stop > start) ranges.set(partition, { passed: start, stop });
    }
    if (ranges.size === 0) return;

    const { topic, clientId } = this.options;
    const groupId = `${clientId}.topic-scan.${randomUUID()}`;
    const consumer = this.kafka.consumer({
      groupId,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      partitionAssigners: [onlyPartitions(topic, [...ranges.keys()])],
      maxBytes: MAX_BYTES,
      maxBytesPerPartition: MAX_BYTES_PER_PARTITION,
      maxWaitTimeInMs: 250,
      // A consumer restarted by kafkajs would start again from the seeded offsets; a scan fails instead.
      retry: { ...CLIENT_RETRY, restartOnFailure: async () => false },
    });
    try {
      await this.consume(consumer, ranges, request.onEvents);
    } finally {
      await consumer.disconnect().catch(() => undefined);
      // The group was this scan's alone; leaving it behind would litter the cluster with one per replay.
      await this.admin.deleteGroups([groupId]).catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.admin.disconnect().catch(() => undefined);
  }

  private async consume(consumer: Consumer, ranges: Map<number, PartitionRange>, onEvents: TopicScanRequest['onEvents']): Promise<void> {
    const { topic } = this.options;
    const timeoutMs = this.options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    let remaining = ranges.size;
    let settled = false;
    let settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;
    const finished = new Promise<void>((resolve, reject) => {
      settle = { resolve, reject };
    });
    const fail = (error: unknown): void => {
      if (settled) return;
      settled = true;
      settle?.reject(error);
    };
    // The consumer's offset moved to `next` in a partition (records, or markers and aborted records it skipped).
    const passed = (partition: number, next: number): void => {
      const range = ranges.get(partition);
      if (range === undefined || !Number.isSafeInteger(next) || next <= range.passed || range.passed >= range.stop) return;
      range.passed = next;
      if (range.passed < range.stop) return;
      // Nothing more of this partition is wanted: stop fetching it.
      consumer.pause([{ topic, partitions: [partition] }]);
      remaining -= 1;
      if (remaining === 0 && !settled) {
        settled = true;
        settle?.resolve();
      }
    };

    const joinTimer = setTimeout(
      () => fail(unavailable(this.options, `the scan's consumer did not join its group within ${timeoutMs} ms`)),
      timeoutMs,
    );
    consumer.on(consumer.events.GROUP_JOIN, () => clearTimeout(joinTimer));
    consumer.on(consumer.events.CRASH, ({ payload }) => fail(unavailable(this.options, 'the scan of the events topic failed', payload.error)));
    // Batches the consumer filtered out entirely (transaction markers, aborted records) never reach eachBatch.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize === 0) passed(payload.partition, Number(payload.lastOffset) + 1);
    });

    const eachBatch = async ({ batch }: EachBatchPayload): Promise<void> => {
      const range = ranges.get(batch.partition);
      if (settled || batch.topic !== topic || range === undefined || range.passed >= range.stop) return;
      try {
        // Offsets up to `passed` are handed over or not wanted: a fetch sent before the seek below took effect starts
        // at the partition's beginning, and one after a rejoin at the group's (uncommitted) start. A batch holds
        // consecutive offsets, so what lies past `passed` in it is exactly what comes next. Past `stop`: not wanted.
        const wanted = batch.messages.filter((message) => {
          const position = Number(message.offset) + 1;
          return position > range.passed && position <= range.stop;
        });
        if (wanted.length > 0) {
          const decoded = await decodeMessages(batch.partition, wanted, this.options);
          await onEvents(decoded.map(({ event }) => event));
        }
        passed(batch.partition, Number(batch.lastOffset()) + 1);
      } catch (error) {
        // Not rethrown: kafkajs would retry the batch and hand its events over twice.
        fail(error);
      }
    };

    try {
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      await consumer.run({ autoCommit: false, eachBatch });
      // Not admin.setOffsets before joining: kafkajs implements it with a consumer of its own that waits out a
      // whole fetch wait (5 s) before it returns; a seek applies to the next fetch.
      for (const [partition, { passed: offset }] of ranges) consumer.seek({ topic, partition, offset: String(offset) });
    } catch (error) {
      fail(unavailable(this.options, 'could not start reading the events topic', error));
    }
    try {
      await finished;
    } finally {
      clearTimeout(joinTimer);
    }
  }

  private async stableOffsets(): Promise<Map<number, number>> {
    try {
      return await fetchStableOffsets(this.admin, this.options.topic, () => this.closed);
    } catch (error) {
      throw unavailable(this.options, 'could not read the topic offsets', error);
    }
  }
}

/**
 * The assigner of a scan's group, which has one member (its group id is random): that member gets exactly the
 * partitions the scan reads, so no other partition is fetched.
 */
function onlyPartitions(topic: string, partitions: number[]): PartitionAssigner {
  return () => ({
    name: ASSIGNER_NAME,
    version: 1,
    async assign({ members }) {
      return members.map(({ memberId }, i) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 1,
          assignment: i === 0 ? { [topic]: partitions } : {},
          userData: Buffer.alloc(0),
        }),
      }));
    },
    protocol({ topics }) {
      return { name: ASSIGNER_NAME, metadata: AssignerProtocol.MemberMetadata.encode({ version: 1, topics, userData: Buffer.alloc(0) }) };
    },
  });
}

async function within<T>(timeoutMs: number, what: string, work: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new UnavailableError(`${what} within ${timeoutMs} ms`)), timeoutMs);
  });
  const working = work();
  working.catch(() => undefined);
  try {
    return await Promise.race([working, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function unavailable(options: KafkaTopicScanOptions, message: string, cause?: unknown): UnavailableError {
  return new UnavailableError(
    cause === undefined ? message : `${message}: ${messageOf(cause)}`,
    { brokers: options.brokers.join(','), topic: options.topic },
    { cause },
  );
}
