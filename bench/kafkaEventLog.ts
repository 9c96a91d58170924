// Throughput of the Kafka event log on a real broker: appends per second (one at a time, and many streams at once),
// and how fast a fresh process catches up (consumes the topic into its index) and a subscriber reads the index.
//
//   KAFKA_BROKERS=127.0.0.1:9092 npx tsx bench/kafkaEventLog.ts [--events 50000]

import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { EMPTY_CHECKPOINT, coversAll } from '../src/eventlog/checkpoint.js';
import { KafkaEventLog } from '../src/eventlog/kafka/kafkaEventLog.js';
import { createAvroEventCodec } from '../src/events/avro/avroEventCodec.js';
import type { NewEvent } from '../src/events/envelope.js';
import { SqliteSchemaRegistry } from '../src/events/registry/sqliteSchemaRegistry.js';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const eventsArg = process.argv.indexOf('--events');
const bulkEvents = eventsArg > 0 ? Number(process.argv[eventsArg + 1]) : 50_000;

function message(stream: string, n: number): NewEvent {
  return {
    type: 'MessageSent',
    eventId: randomUUID(),
    data: { roomId: stream, messageId: `${stream}.${n}`, senderId: 'u-bench', text: `message ${n} of a benchmark run`, clientMessageId: `c-${n}` },
    metadata: { actorId: 'u-bench', commandId: randomUUID(), correlationId: 'bench', occurredAt: Date.now() },
  };
}

async function main(): Promise<void> {
  const topic = `bench.events.${randomUUID()}`;
  const codec = await createAvroEventCodec(new SqliteSchemaRegistry(new Database(':memory:')));
  const open = () => KafkaEventLog.open({ brokers, clientId: 'bench', topic, indexFile: ':memory:', codec });
  const writer = await open();
  const results: Record<string, number> = {};
  try {
    // 1. One append at a time: the latency floor (catch-up check, produce with acks=all, wait for the index).
    const single = 300;
    let started = performance.now();
    for (let i = 0; i < single; i++) await writer.append('room-single', i, [message('room-single', i)]);
    results.sequentialAppendsPerSecond = single / ((performance.now() - started) / 1000);

    // 2. Many streams at once, one event per append: group commit per partition.
    const streams = 200;
    const perStream = 25;
    started = performance.now();
    await Promise.all(
      Array.from({ length: streams }, async (_, s) => {
        for (let i = 0; i < perStream; i++) await writer.append(`room-c${s}`, i, [message(`room-c${s}`, i)]);
      }),
    );
    const concurrentSeconds = (performance.now() - started) / 1000;
    results.concurrentAppendsPerSecond = (streams * perStream) / concurrentSeconds;

    // 3. Bulk history so catch-up has something to chew on: 100 events per append, 50 streams at a time.
    const perAppend = 100;
    started = performance.now();
    const batches = Math.ceil(bulkEvents / perAppend);
    await Promise.all(
      Array.from({ length: 50 }, async (_, s) => {
        for (let b = s; b < batches; b += 50) {
          const stream = `room-bulk${s}`;
          const version = await writer.streamVersion(stream);
          await writer.append(stream, version, Array.from({ length: perAppend }, (_, i) => message(stream, version + i)));
        }
      }),
    );
    results.bulkEventsPerSecond = (batches * perAppend) / ((performance.now() - started) / 1000);

    // 4. A fresh process: connect, consume every partition into an empty index until it holds the head.
    const head = await writer.headPosition();
    const total = (await writer.readAll({ limit: 10_000_000 })).length;
    started = performance.now();
    const reader = await open();
    try {
      const caughtUp = await reader.headPosition();
      if (!coversAll(caughtUp, head)) throw new Error('the reader did not reach the writer’s head');
      results.catchUpEventsPerSecond = total / ((performance.now() - started) / 1000);

      // 5. A subscriber reading the whole index (what a projector rebuild costs on top of the store).
      started = performance.now();
      await new Promise<void>((resolve, reject) => {
        let seen = 0;
        const subscription = reader.subscribe({
          after: EMPTY_CHECKPOINT,
          batchSize: 1000,
          handler: async (batch) => {
            seen += batch.length;
            if (seen >= total) {
              void subscription.close();
              resolve();
            }
          },
          onError: reject,
        });
      });
      results.subscribeEventsPerSecond = total / ((performance.now() - started) / 1000);
    } finally {
      await reader.close();
    }
    results.events = total;
    console.log(JSON.stringify({ topic, partitions: 12, ...roundAll(results), stats: writer.stats() }, null, 2));
  } finally {
    await writer.close();
    const admin = new Kafka({ clientId: 'bench', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  }
}

function roundAll(values: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([key, value]) => [key, Math.round(value)]));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
