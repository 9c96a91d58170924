import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import kafkajs, { Kafka, Partitioners, logLevel, type Admin } from 'kafkajs';
import pino from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/domain/errors.js';
import { EMPTY_CHECKPOINT, checkpointOf } from '../../src/eventlog/checkpoint.js';
import { KafkaEventLog, type KafkaEventLogOptions } from '../../src/eventlog/kafka/kafkaEventLog.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { describeWithServices } from '../support/realServices.js';
import { sampleMessages } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';
import { eventLogContract } from './eventLogContract.js';

const { ConfigResourceTypes } = kafkajs;

// Every await on the broker is bounded: the log's own operation timeout, and vitest's per-test timeout behind it.
const OPERATION_TIMEOUT_MS = 15_000;

describeWithServices('KafkaEventLog on a real broker', ['KAFKA_BROKERS'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  const kafka = new Kafka({ clientId: 'kafka-event-log-test', brokers, logLevel: logLevel.NOTHING, retry: { retries: 3 } });
  let admin: Admin | undefined;
  const topics: string[] = [];
  // One codec for every instance: their embedded registries would otherwise each number the schemas.
  let codec: Promise<EventCodec> | undefined;

  async function adminClient(): Promise<Admin> {
    if (admin === undefined) {
      admin = kafka.admin();
      await admin.connect();
    }
    return admin;
  }

  function freshTopic(): string {
    const topic = `test.events.${randomUUID()}`;
    topics.push(topic);
    return topic;
  }

  async function open(topic: string, options: Partial<KafkaEventLogOptions> = {}): Promise<KafkaEventLog> {
    codec ??= createTestCodec();
    return KafkaEventLog.open({
      brokers,
      clientId: 'kafka-event-log-test',
      topic,
      indexFile: ':memory:',
      codec: await codec,
      operationTimeoutMs: OPERATION_TIMEOUT_MS,
      ...(process.env.KAFKA_TEST_LOG ? { logger: pino({ level: process.env.KAFKA_TEST_LOG }) } : {}),
      ...options,
    });
  }

  afterAll(async () => {
    // Topics are cheap to delete and would otherwise pile up on the developer's broker, one per test.
    if (topics.length > 0) await (await adminClient()).deleteTopics({ topics: topics.splice(0) }).catch(() => undefined);
    await admin?.disconnect();
  });

  eventLogContract('KafkaEventLog (a fresh 12-partition topic per test)', async () => {
    const log = await open(freshTopic());
    return { log, cleanup: () => log.close() };
  });

  describe('Kafka specifics', () => {
    const opened: KafkaEventLog[] = [];
    const track = (log: KafkaEventLog): KafkaEventLog => {
      opened.push(log);
      return log;
    };

    afterEach(async () => {
      await Promise.all(opened.splice(0).map((log) => log.close()));
    });

    it('creates the topic with 12 partitions, keeps events forever, and spreads streams over partitions', async () => {
      const topic = freshTopic();
      const log = track(await open(topic));
      const metadata = await (await adminClient()).fetchTopicMetadata({ topics: [topic] });
      expect(metadata.topics[0]?.partitions).toHaveLength(12);
      const configs = await (await adminClient()).describeConfigs({
        includeSynonyms: false,
        resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
      });
      const entries = configs.resources[0]?.configEntries ?? [];
      expect(Object.fromEntries(entries.map((entry) => [entry.configName, entry.configValue]))).toEqual({
        'cleanup.policy': 'delete',
        'retention.ms': '-1',
      });
      const partitions = new Set(Array.from({ length: 60 }, (_, i) => log.partitionOf(`room-${i}`)));
      expect(partitions.size).toBeGreaterThan(6);
      expect([...partitions].every((partition) => partition >= 0 && partition < 12)).toBe(true);
    });

    it('puts a stream where a plain keyed produce (the Java default partitioner) puts it', async () => {
      const topic = freshTopic();
      const log = track(await open(topic));
      // Another topic of the same partition count: the log's own consumer must only ever meet events.
      const plain = freshTopic();
      await (await adminClient()).createTopics({ waitForLeaders: true, topics: [{ topic: plain, numPartitions: 12 }] });
      const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
      await producer.connect();
      try {
        const keys = Array.from({ length: 40 }, (_, i) => `room-${randomUUID()}-${i}`);
        for (const key of keys) {
          // No partition given: kafkajs hashes the key (murmur2) as Java's producer does.
          const [written] = await producer.send({ topic: plain, messages: [{ key, value: 'not an event' }] });
          expect(written?.partition, key).toBe(log.partitionOf(key));
        }
      } finally {
        await producer.disconnect();
      }
      // And the log's own appends land in the partition partitionOf names, as Kafka reports it.
      const { events } = await log.append('room-placed', 'no-stream', sampleMessages(2, 'placed'));
      const offsets = await (await adminClient()).fetchTopicOffsets(topic);
      const holding = offsets.find((entry) => entry.partition === log.partitionOf('room-placed'));
      expect(Number(holding?.high)).toBeGreaterThanOrEqual(events[1]?.position ?? Number.POSITIVE_INFINITY);
      expect(events.map((event) => event.partition)).toEqual([log.partitionOf('room-placed'), log.partitionOf('room-placed')]);
    });

    it('lets two instances on one topic see each other’s events through subscribe', async () => {
      const topic = freshTopic();
      const a = track(await open(topic));
      const b = track(await open(topic));
      const seenByA = collect(a, 6);
      const seenByB = collect(b, 6);

      const fromA = await a.append('room-from-a', 'no-stream', sampleMessages(3, 'a'));
      const fromB = await b.append('room-from-b', 'no-stream', sampleMessages(3, 'b'));

      const ids = [...fromA.events, ...fromB.events].map((event) => event.eventId).sort();
      expect((await seenByA.done).map((event) => event.eventId).sort()).toEqual(ids);
      expect((await seenByB.done).map((event) => event.eventId).sort()).toEqual(ids);
      // Both agree on every place: positions come from Kafka, not from either process.
      expect(await b.readStream('room-from-a')).toEqual(fromA.events);
      expect(await a.readStream('room-from-b')).toEqual(fromB.events);
      expect(await a.headPosition()).toEqual(await b.headPosition());
      await Promise.all([seenByA.subscription.close(), seenByB.subscription.close()]);
    });

    it('sees another instance’s append when checking the expected version', async () => {
      const topic = freshTopic();
      const a = track(await open(topic));
      const b = track(await open(topic));
      await a.append('room-shared', 'no-stream', sampleMessages(2, 'first'));
      // b's index may not have consumed it yet; append catches the partition up before checking.
      await expect(b.append('room-shared', 'no-stream', sampleMessages(1, 'late'))).rejects.toMatchObject({
        code: 'CONCURRENCY_CONFLICT',
        actual: 2,
      });
      expect((await b.append('room-shared', 2, sampleMessages(1, 'right'))).nextExpectedVersion).toBe(3);
    });

    it('keeps its index in a file across a restart and resumes from the stored offsets', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kafka-index-'));
      try {
        const topic = freshTopic();
        const indexFile = join(dir, 'index.db');
        const first = await open(topic, { indexFile });
        const before = await first.append('room-kept', 'no-stream', sampleMessages(30, 'kept'));
        expect(first.stats().indexed).toBe(30);
        await first.close();

        // Written while the first instance is away.
        const other = track(await open(topic));
        await other.append('room-kept', 30, sampleMessages(10, 'kept', 'while-away'));

        const again = track(await open(topic, { indexFile }));
        const head = await again.headPosition();
        expect(head).toEqual(await other.headPosition());
        const stream = await again.readStream('room-kept');
        expect(stream.slice(0, 30)).toEqual(before.events);
        expect(stream.map((event) => event.streamVersion)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
        // Only what it had not seen was consumed again.
        expect(again.stats().indexed).toBe(10);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses an index file that was built from another topic', async () => {
      const dir = await mkdtemp(join(tmpdir(), 'kafka-index-'));
      try {
        const indexFile = join(dir, 'index.db');
        await (await open(freshTopic(), { indexFile })).close();
        expect(() => new KafkaEventLog({ brokers, clientId: 'x', topic: 'another', indexFile, codec: makeNoCodec() })).toThrow(
          expect.objectContaining({ code: 'EVENT_LOG_MISCONFIGURED' }),
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it('refuses a compacted topic instead of letting it drop events', async () => {
      const topic = freshTopic();
      await (await adminClient()).createTopics({
        waitForLeaders: true,
        topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }],
      });
      await expect(open(topic)).rejects.toMatchObject({
        code: 'EVENT_LOG_MISCONFIGURED',
        message: expect.stringContaining('compaction drops events'),
      });
    });

    it('groups concurrent appends of a partition into few produce requests', async () => {
      const log = track(await open(freshTopic()));
      const streams = Array.from({ length: 200 }, (_, i) => `room-group-${i}`);
      await Promise.all(streams.map((id) => log.append(id, 'no-stream', sampleMessages(1, id))));
      const stats = log.stats();
      expect(stats).toMatchObject({ appends: 200, events: 200 });
      // At most a few requests per partition, instead of one per append.
      expect(stats.produceRequests).toBeLessThanOrEqual(12 * 3);
      expect(await log.headPosition()).toEqual(checkpointOf(await log.readAll({ limit: 1000 })));
    });
  });
});

describe('KafkaEventLog with no broker to reach', () => {
  it('stays not ready with the reason, refuses appends after its timeout, and stops when closed', async () => {
    const port = await closedPort();
    const warnings: string[] = [];
    let firstWarning: () => void = () => undefined;
    const warned = new Promise<void>((resolve) => {
      firstWarning = resolve;
    });
    const logger = pino({ level: 'warn' }, {
      write: (line: string) => {
        warnings.push(line);
        // The log's own line (kafkajs' retries, routed to the same logger, come before it).
        if (line.includes('cannot connect to Kafka')) firstWarning();
      },
    });
    const log = new KafkaEventLog({
      brokers: [`127.0.0.1:${port}`],
      clientId: 'unreachable-test',
      topic: 'never.created',
      indexFile: ':memory:',
      codec: makeNoCodec(),
      logger,
      operationTimeoutMs: 300,
      reconnect: { initialMs: 50, maxMs: 200 },
      connectionTimeoutMs: 200,
    });
    const started = log.start();
    started.catch(() => undefined);
    expect(log.isReady()).toBe(false);

    await warned;
    const readiness = log.readiness();
    expect(readiness.ready).toBe(false);
    expect(readiness.reason).toContain(`cannot connect to Kafka at 127.0.0.1:${port}`);
    expect(warnings.join('\n')).toContain(`127.0.0.1:${port}`);

    const append = log.append('room-x', 'no-stream', sampleMessages(1, 'x'));
    await expect(append).rejects.toBeInstanceOf(UnavailableError);
    await expect(append).rejects.toThrow(`127.0.0.1:${port}`);
    await expect(log.headPosition()).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    // What the index holds is still readable: nothing, here.
    expect(await log.readStream('room-x')).toEqual([]);
    expect(await log.readAll({ after: EMPTY_CHECKPOINT, limit: 10 })).toEqual([]);

    await log.close();
    await expect(started).rejects.toBeInstanceOf(UnavailableError);
    expect(log.readiness()).toEqual({ ready: false, reason: 'the event log is closed' });
  });
});

/** A local port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** For logs that never decode anything (no broker, or refused before start). */
function makeNoCodec(): EventCodec {
  return {
    encode: () => {
      throw new Error('not used');
    },
    decode: () => {
      throw new Error('not used');
    },
  };
}

function collect(
  log: KafkaEventLog,
  count: number,
): { done: Promise<RecordedEvent[]>; subscription: { close(): Promise<void> } } {
  const events: RecordedEvent[] = [];
  let finish: (events: RecordedEvent[]) => void = () => undefined;
  const done = new Promise<RecordedEvent[]>((resolve) => {
    finish = resolve;
  });
  const subscription = log.subscribe({
    after: EMPTY_CHECKPOINT,
    handler: async (batch) => {
      events.push(...batch);
      if (events.length >= count) finish(events);
    },
  });
  return { done, subscription };
}
