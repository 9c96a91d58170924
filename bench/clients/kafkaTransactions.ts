import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { Kafka, logLevel, type Producer as KafkajsProducer } from 'kafkajs';
import { Histogram, type HistogramData } from '../lib/histogram.js';

// One Kafka client running the command processor's transaction, in its own process (so its CPU is its own): per
// partition, one transactional producer commits, one after another for `seconds`, transactions of `batch` commands,
// each holding `batch` events (events partition p), `batch` replies (replies partition p) and the commands' consumed
// offset (partition p, for the processors' group): what src/commands/processor/chunkTransaction.ts writes.

/**
 * kafkajs: as the processor configured it before this benchmark (retries from 200 ms, two sends);
 * kafkajs-tuned: retries from 10 ms and both topics in one Produce; platformatic: @platformatic/kafka, retries 10 ms
 * apart. The retry delay matters more than anything else here: a transaction begun right after the previous commit
 * meets CONCURRENT_TRANSACTIONS on AddPartitionsToTxn while the coordinator still writes the commit markers, and the
 * client waits its retry delay (the Java client waits 20 ms for exactly this case). confluent:
 * @confluentinc/kafka-javascript (librdkafka) through its KafkaJS-compatible API, retries 10 ms apart, linger 0; it
 * is no dependency (a 2-minute native build on every install), so it runs only when BENCH_CONFLUENT_KAFKA names
 * its installed package folder (bench/README.md says how to build it).
 */
export type KafkaClientKind = 'kafkajs' | 'kafkajs-tuned' | 'platformatic' | 'confluent';

export interface TransactionsCommand {
  client: KafkaClientKind;
  brokers: string[];
  topics: { events: string; replies: string; commands: string };
  groupId: string;
  partitions: number;
  batch: number;
  seconds: number;
}

export interface TransactionsResult {
  transactions: number;
  seconds: number;
  cpuSeconds: number;
  latency: HistogramData;
}

/** The same payload for every client: an event the size of a 100-character MessageSent in Avro, a small reply. */
const EVENT_VALUE = Buffer.alloc(300, 7);
const REPLY_VALUE = Buffer.alloc(90, 3);
const [EVENT_TYPE, EVENT_ID] = [Buffer.from('event-type'), Buffer.from('event-id')];

interface Writer {
  /** One transaction: `batch` events and replies to partition p, and the commands offset `offset` of p. */
  commit(partition: number, offset: number): Promise<void>;
  close(): Promise<void>;
}

async function kafkajsWriter(command: TransactionsCommand, partition: number, tuned: boolean): Promise<Writer> {
  const retry = tuned ? { retries: 10, initialRetryTime: 10, maxRetryTime: 5000 } : { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 };
  const kafka = new Kafka({ clientId: `bench-${command.client}`, brokers: command.brokers, logLevel: logLevel.NOTHING, retry });
  const producer: KafkajsProducer = kafka.producer({
    transactionalId: `bench-${command.client}-${randomUUID()}-${partition}`,
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  await producer.connect();
  const { topics, batch } = command;
  const events = () => Array.from({ length: batch }, (_, i) => ({ key: `room-${partition}`, value: EVENT_VALUE, partition, headers: { 'event-type': 'MessageSent', 'event-id': `${i}` } }));
  const replies = () => Array.from({ length: batch }, (_, i) => ({ key: `command-${i}`, value: REPLY_VALUE, partition }));
  return {
    async commit(p, offset) {
      const transaction = await producer.transaction();
      try {
        if (tuned) {
          // Both topics in one Produce request (what "one produce for events and replies" would save).
          await transaction.sendBatch({ acks: -1, topicMessages: [{ topic: topics.events, messages: events() }, { topic: topics.replies, messages: replies() }] });
        } else {
          await transaction.send({ topic: topics.events, acks: -1, messages: events() });
          await transaction.send({ topic: topics.replies, acks: -1, messages: replies() });
        }
        await transaction.sendOffsets({ consumerGroupId: command.groupId, topics: [{ topic: topics.commands, partitions: [{ partition: p, offset: String(offset) }] }] });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    },
    close: () => producer.disconnect(),
  };
}

async function platformaticWriter(command: TransactionsCommand, partition: number): Promise<Writer> {
  const { Producer } = await import('@platformatic/kafka');
  const producer = new Producer({
    clientId: `bench-${command.client}`,
    bootstrapBrokers: command.brokers,
    transactionalId: `bench-${command.client}-${randomUUID()}-${partition}`,
    idempotent: true,
    acks: -1,
    autocreateTopics: false,
    retries: 10,
    retryDelay: 10,
  });
  const { topics, batch } = command;
  const metadata = await producer.metadata({ topics: [topics.commands, topics.events, topics.replies] });
  // TxnOffsetCommit goes to the group's coordinator; on the bench's one broker that is the broker itself.
  const coordinatorId = [...metadata.brokers.keys()][0] ?? 0;
  // The processors commit offsets for a group they take part in through kafkajs; the transaction only needs its id.
  const consumer = { groupId: command.groupId } as unknown as Parameters<Awaited<ReturnType<typeof producer.beginTransaction>>['addConsumer']>[0];
  return {
    async commit(p, offset) {
      const transaction = await producer.beginTransaction();
      try {
        await transaction.send({
          messages: [
            ...Array.from({ length: batch }, (_, i) => ({ topic: topics.events, key: Buffer.from(`room-${p}`), value: EVENT_VALUE, partition: p, headers: new Map([[EVENT_TYPE, Buffer.from('MessageSent')], [EVENT_ID, Buffer.from(`${i}`)]]) })),
            ...Array.from({ length: batch }, (_, i) => ({ topic: topics.replies, key: Buffer.from(`command-${i}`), value: REPLY_VALUE, partition: p })),
          ],
        });
        await transaction.addConsumer(consumer);
        await transaction.addOffset({
          topic: topics.commands,
          partition: p,
          // addOffset commits offset + 1, the next one to read.
          offset: BigInt(offset - 1),
          metadata: { consumer: { groupId: command.groupId, generationId: -1, memberId: '', coordinatorId } },
        } as unknown as Parameters<typeof transaction.addOffset>[0]);
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    },
    close: () => producer.close(),
  };
}

/** The few pieces of @confluentinc/kafka-javascript's KafkaJS API this uses (it is no dependency, so no types). */
interface ConfluentKafkaJs {
  Kafka: new (config: unknown) => {
    producer(config: unknown): ConfluentProducer;
    consumer(config: unknown): { connect(): Promise<void>; disconnect(): Promise<void> };
  };
}
interface ConfluentProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  transaction(): Promise<{
    send(record: unknown): Promise<unknown>;
    sendOffsets(args: unknown): Promise<void>;
    commit(): Promise<void>;
    abort(): Promise<void>;
  }>;
}

async function confluentWriter(command: TransactionsCommand, partition: number): Promise<Writer> {
  const folder = process.env.BENCH_CONFLUENT_KAFKA;
  if (!folder) throw new Error('BENCH_CONFLUENT_KAFKA is not set');
  const { Kafka } = (createRequire(import.meta.url)(folder) as { KafkaJS: ConfluentKafkaJs }).KafkaJS;
  const kafka = new Kafka({ kafkaJS: { clientId: `bench-${command.client}`, brokers: command.brokers, logLevel: 0 } });
  const producer = kafka.producer({
    kafkaJS: { transactionalId: `bench-${command.client}-${randomUUID()}-${partition}`, idempotent: true, maxInFlightRequests: 1 },
    'linger.ms': 0,
    'retry.backoff.ms': 10,
  });
  await producer.connect();
  // sendOffsets takes the consumer (librdkafka reads its group metadata); it never subscribes.
  const consumer = kafka.consumer({ kafkaJS: { groupId: command.groupId } });
  await consumer.connect();
  const { topics, batch } = command;
  return {
    async commit(p, offset) {
      const transaction = await producer.transaction();
      try {
        await Promise.all([
          transaction.send({ topic: topics.events, messages: Array.from({ length: batch }, (_, i) => ({ key: `room-${p}`, value: EVENT_VALUE, partition: p, headers: { 'event-type': 'MessageSent', 'event-id': `${i}` } })) }),
          transaction.send({ topic: topics.replies, messages: Array.from({ length: batch }, (_, i) => ({ key: `command-${i}`, value: REPLY_VALUE, partition: p })) }),
        ]);
        await transaction.sendOffsets({ consumer, topics: [{ topic: topics.commands, partitions: [{ partition: p, offset: String(offset) }] }] });
        await transaction.commit();
      } catch (error) {
        await transaction.abort().catch(() => undefined);
        throw error;
      }
    },
    close: async () => {
      await consumer.disconnect();
      await producer.disconnect();
    },
  };
}

async function writerFor(command: TransactionsCommand, partition: number): Promise<Writer> {
  if (command.client === 'platformatic') return platformaticWriter(command, partition);
  if (command.client === 'confluent') return confluentWriter(command, partition);
  return kafkajsWriter(command, partition, command.client === 'kafkajs-tuned');
}

async function run(command: TransactionsCommand): Promise<TransactionsResult> {
  const writers = await Promise.all(Array.from({ length: command.partitions }, (_, p) => writerFor(command, p)));
  // One warm-up transaction each (the producer id, the coordinators, the first AddPartitions are set-up, not load).
  await Promise.all(writers.map((writer, p) => writer.commit(p, 1)));
  const latency = new Histogram();
  let transactions = 0;
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  const deadline = started + command.seconds * 1000;
  await Promise.all(
    writers.map(async (writer, p) => {
      for (let offset = 2; performance.now() < deadline; offset++) {
        const begun = performance.now();
        await writer.commit(p, offset);
        latency.record((performance.now() - begun) * 1000);
        transactions += 1;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  await Promise.all(writers.map((writer) => writer.close()));
  return { transactions, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, latency: latency.toData() };
}

process.once('message', (command: TransactionsCommand) => {
  run(command).then(
    (result) => process.send?.({ result }),
    (error: unknown) => process.send?.({ failed: describe(error) }),
  );
});

/** The error and, for an AggregateError (what @platformatic/kafka throws), the errors inside it. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const inner = error instanceof AggregateError ? ` (${error.errors.map((item: unknown) => describe(item)).join('; ')})` : '';
  return `${error.name}: ${error.message}${inner}`;
}
