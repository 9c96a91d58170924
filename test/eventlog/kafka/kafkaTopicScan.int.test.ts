import { randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Admin } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { UnavailableError } from '../../../src/domain/errors.js';
import { partitionsOf, positionIn, type Checkpoint } from '../../../src/eventlog/checkpoint.js';
import { KafkaEventLog } from '../../../src/eventlog/kafka/kafkaEventLog.js';
import { EventTopicMisconfiguredError } from '../../../src/eventlog/kafka/kafkaEventLogErrors.js';
import { KafkaTopicScan, type TopicScanRequest } from '../../../src/eventlog/kafka/kafkaTopicScan.js';
import type { RecordedEvent } from '../../../src/events/envelope.js';
import type { EventCodec } from '../../../src/events/eventCodec.js';
import { describeWithServices } from '../../support/realServices.js';
import { sampleMessages } from '../../support/sampleEvents.js';
import { createTestCodec } from '../../support/testCodecs.js';

// A direct scan of the events topic on a real broker: three partitions holding events appended by KafkaEventLog,
// then an aborted transaction, a committed one and another aborted one in every partition, so aborted records and
// transaction markers take offsets between the events and at the end of every partition.

const PARTITIONS = 3;
const CLIENT_ID = 'kafka-topic-scan-test';

describeWithServices('KafkaTopicScan on a real broker', ['KAFKA_BROKERS'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  const kafka = new Kafka({ clientId: CLIENT_ID, brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  const topic = `test.topic-scan.${randomUUID()}`;
  let admin: Admin;
  let codec: EventCodec;
  let scan: KafkaTopicScan;
  /** What a read_committed reader must see per partition, in order. */
  const expected = new Map<number, RecordedEvent[]>();
  /** Events of the two aborted transactions: never handed over. */
  const abortedIds = new Set<string>();
  /** Per partition: the position of its last event, and of the last record (an abort marker). */
  const lastEvent: Record<number, number> = {};
  const lastRecord: Record<number, number> = {};

  beforeAll(async () => {
    admin = kafka.admin();
    await admin.connect();
    codec = await createTestCodec();
    const log = await KafkaEventLog.open({ brokers, clientId: CLIENT_ID, topic, partitions: PARTITIONS, codec, indexFile: ':memory:' });
    try {
      for (let room = 0; room < 6; room++) await log.append(`room-r-${room}`, 0, sampleMessages(4, `r-${room}`, `r${room}`));
      // One stream per partition for the committed transaction, and the streams' places in the topic.
      const txStreams = new Map<number, string>();
      for (let i = 0; txStreams.size < PARTITIONS; i++) {
        const streamId = `room-tx-${i}`;
        if (!txStreams.has(log.partitionOf(streamId))) txStreams.set(log.partitionOf(streamId), streamId);
      }
      const producer = kafka.producer({ transactionalId: `${CLIENT_ID}.${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
      await producer.connect();
      const encoded = (streamId: string, events: ReturnType<typeof sampleMessages>) =>
        events.map((event, i) => ({ key: streamId, value: codec.encode({ ...event, streamId, streamVersion: i + 1, previousHash: null }) }));
      const inTransaction = async (commit: boolean, count: number): Promise<void> => {
        const transaction = await producer.transaction();
        for (const [partition, streamId] of txStreams) {
          const events = sampleMessages(count, streamId.slice('room-'.length), commit ? 'committed' : 'aborted');
          if (!commit) for (const event of events) abortedIds.add(event.eventId);
          await transaction.send({ topic, messages: encoded(streamId, events).map((message) => ({ ...message, partition })) });
        }
        if (commit) await transaction.commit();
        else await transaction.abort();
      };
      await inTransaction(false, 1);
      await inTransaction(true, 2);
      await inTransaction(false, 1);
      await producer.disconnect();
      // The index-backed log is read_committed too: what it holds is what a scan must hand over.
      const head = await log.headPosition();
      for (const partition of partitionsOf(head)) {
        lastEvent[partition] = positionIn(head, partition);
        expected.set(partition, []);
      }
      for (const event of await log.readAll({ limit: 1000 })) expected.get(event.partition)?.push(event);
    } finally {
      await log.close();
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    for (const { partition, offset } of offsets) lastRecord[partition] = Number(offset);
    scan = await KafkaTopicScan.open({ brokers, clientId: CLIENT_ID, topic, codec, operationTimeoutMs: 15_000 });
  }, 120_000);

  afterAll(async () => {
    await scan?.close();
    await admin?.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin?.disconnect();
  });

  async function scanned(request: Omit<TopicScanRequest, 'onEvents'>): Promise<{ byPartition: Map<number, RecordedEvent[]>; batches: number }> {
    const byPartition = new Map<number, RecordedEvent[]>();
    let batches = 0;
    await scan.scan({
      ...request,
      onEvents: async (events) => {
        batches += 1;
        // One partition per batch.
        expect(new Set(events.map((event) => event.partition)).size).toBe(1);
        for (const event of events) byPartition.set(event.partition, [...(byPartition.get(event.partition) ?? []), event]);
        // Back-pressure: the scan waits for this before it hands over more.
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    return { byPartition, batches };
  }
  const ids = (events: RecordedEvent[] | undefined) => (events ?? []).map((event) => `${event.position}:${event.eventId}`);

  it('the topic has events, aborted records and markers in every partition, markers last', () => {
    expect(expected.size).toBe(PARTITIONS);
    for (let partition = 0; partition < PARTITIONS; partition++) {
      const events = expected.get(partition) ?? [];
      // The two committed events of the transaction sit after the first aborted record and its marker.
      expect(events.slice(-2).map((event) => (event.type === 'MessageSent' ? event.data.text : event.type))).toEqual(['committed 0', 'committed 1']);
      expect((events.at(-2)?.position ?? 0) - (events.at(-3)?.position ?? 0)).toBe(3);
      expect(events.some((event) => abortedIds.has(event.eventId))).toBe(false);
      // After the last event: the commit marker, an aborted record and its abort marker.
      expect(lastRecord[partition]).toBe((lastEvent[partition] ?? 0) + 3);
    }
  });

  it('head() is the last stable offset of every partition, markers included', async () => {
    expect(await scan.head()).toEqual(lastRecord);
  });

  it('hands over exactly the committed events of every partition, each in order, and ends on trailing markers', async () => {
    const { byPartition } = await scanned({ after: {}, until: await scan.head() });
    expect([...byPartition.keys()].sort()).toEqual([0, 1, 2]);
    for (const [partition, events] of expected) expect(ids(byPartition.get(partition))).toEqual(ids(events));
    // Decoded as the log decodes them: the same events, placed by offset + 1.
    expect(byPartition.get(0)).toEqual(expected.get(0));
  });

  it('respects after and until per partition, and reads only the partitions until names (or those asked for)', async () => {
    const committedOf = (partition: number) => (expected.get(partition) ?? []).slice(-2);
    const firstCommitted = committedOf(0)[0]?.position ?? 0;
    const until: Checkpoint = { 0: firstCommitted, 1: 3 };
    const { byPartition } = await scanned({ after: { 0: 2 }, until });
    expect([...byPartition.keys()].sort()).toEqual([0, 1]);
    expect(ids(byPartition.get(0))).toEqual(ids(expected.get(0)?.filter((event) => event.position > 2 && event.position <= firstCommitted)));
    expect(ids(byPartition.get(1))).toEqual(ids(expected.get(1)?.filter((event) => event.position <= 3)));

    const one = await scanned({ after: {}, until: await scan.head(), partitions: [2] });
    expect([...one.byPartition.keys()]).toEqual([2]);
    expect(ids(one.byPartition.get(2))).toEqual(ids(expected.get(2)));
  });

  it('ends when the end is a marker or an aborted record, and reads nothing past the last stable offset', async () => {
    // Ends right after the first abort marker of every partition: the events before it, nothing of the transaction.
    const beforeCommitted = Object.fromEntries([...expected].map(([partition, events]) => [partition, (events.at(-2)?.position ?? 0) - 1]));
    const { byPartition } = await scanned({ after: {}, until: beforeCommitted });
    for (const [partition, events] of expected) expect(ids(byPartition.get(partition))).toEqual(ids(events.slice(0, -2)));
    // An end past the topic's end is capped there, instead of waiting for offsets nobody wrote.
    const far = await scanned({ after: lastEvent, until: { 0: 1_000_000, 1: 1_000_000, 2: 1_000_000, 7: 5 } });
    expect(far.byPartition.size).toBe(0);
  });

  it('leaves no consumer group behind', async () => {
    await scanned({ after: {}, until: await scan.head() });
    const { groups } = await admin.listGroups();
    expect(groups.filter((group) => group.groupId.startsWith(`${CLIENT_ID}.topic-scan.`))).toEqual([]);
  });

  it('refuses a topic that does not exist, and brokers that cannot be reached, with bounded waits', async () => {
    await expect(KafkaTopicScan.open({ brokers, clientId: CLIENT_ID, topic: `${topic}.missing`, codec })).rejects.toBeInstanceOf(EventTopicMisconfiguredError);
    await expect(
      KafkaTopicScan.open({ brokers: ['127.0.0.1:1'], clientId: CLIENT_ID, topic, codec, connectionTimeoutMs: 500, operationTimeoutMs: 5000 }),
    ).rejects.toBeInstanceOf(UnavailableError);
  }, 30_000);

  it('rejects when the receiver of a batch fails, and stops', async () => {
    let calls = 0;
    const failing = scan.scan({
      after: {},
      until: await scan.head(),
      onEvents: async () => {
        calls += 1;
        throw new Error('the sink is full');
      },
    });
    await expect(failing).rejects.toThrow('the sink is full');
    expect(calls).toBe(1);
  });
});
