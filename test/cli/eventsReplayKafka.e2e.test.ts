import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { messageIdOf, roomStreamId } from '../../src/domain/ids.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { runCli } from '../support/cliProcess.js';
import { event } from '../analysis/seedLog.js';
import { describeWithServices } from '../support/realServices.js';

// `chat events replay` with EVENT_LOG=kafka: a topic of three partitions, read through a private index.

describeWithServices('chat events replay on the Kafka event log', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.replay.${randomUUID()}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-replay-kafka-'));
  const rooms = ['r-k1', 'r-k2', 'r-k3', 'r-k4', 'r-k5', 'r-k6'];
  const perRoom = 5;
  let head: Checkpoint = {};
  const cli = (args: string[]) =>
    runCli(['events', 'replay', ...args], { DATA_DIR: dataDir, EVENT_LOG: 'kafka', KAFKA_BROKERS: env('KAFKA_BROKERS'), KAFKA_EVENTS_TOPIC: topic, SCHEMA_REGISTRY: 'embedded' });

  beforeAll(async () => {
    // The embedded registry in DATA_DIR/events.db, as the service keeps it with EVENT_LOG=kafka.
    const registryDb = new Database(path.join(dataDir, 'events.db'));
    const codec = await createAvroEventCodec(new SqliteSchemaRegistry(registryDb));
    const log = await KafkaEventLog.open({
      brokers: env('KAFKA_BROKERS').split(','),
      clientId: 'replay-kafka-test',
      topic,
      partitions: 3,
      codec,
      indexFile: path.join(dataDir, 'seed-index.db'),
    });
    try {
      await Promise.all(
        rooms.map((roomId, r) =>
          log.append(
            roomStreamId(roomId),
            0,
            Array.from({ length: perRoom }, (_, i) =>
              event(
                { type: 'MessageSent', data: { roomId, messageId: messageIdOf(roomId, i + 1), senderId: `u-${r}`, text: `${roomId} #${i + 1}`, clientMessageId: `c${i}` } },
                `u-${r}`,
                Date.UTC(2026, 10, 21, 12, r, i),
              ),
            ),
          ),
        ),
      );
      head = await log.headPosition();
    } finally {
      await log.close();
      registryDb.close();
    }
  }, 120_000);

  afterAll(async () => {
    const admin = new Kafka({ clientId: 'replay-kafka-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  interface Line {
    partition: number;
    position: number;
    streamId: string;
    data: { text: string };
  }
  const lines = (stdout: string) =>
    stdout
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => JSON.parse(line) as Line);

  it('replays every partition through its own temporary index, never the data directory', async () => {
    expect(Object.keys(head).length).toBeGreaterThan(1);
    const run = await cli([]);
    expect(run.code, run.stderr).toBe(0);
    const all = lines(run.stdout);
    expect(all).toHaveLength(rooms.length * perRoom);
    expect(new Set(all.map((line) => line.partition)).size).toBe(Object.keys(head).length);
    // Each stream in its order.
    for (const roomId of rooms) {
      expect(all.filter((line) => line.streamId === roomStreamId(roomId)).map((line) => line.data.text)).toEqual(
        Array.from({ length: perRoom }, (_, i) => `${roomId} #${i + 1}`),
      );
    }
    expect(readdirSync(dataDir).filter((name) => name.startsWith('kafka-index'))).toEqual([]);
    expect(existsSync(path.join(dataDir, 'seed-index.db'))).toBe(true);
  });

  it('slices by per-partition positions and reads one room from its stream', async () => {
    const [first] = Object.keys(head).map(Number);
    const after = `${first}:2`;
    const run = await cli(['--after', after, '--until', JSON.stringify(head)]);
    expect(run.code, run.stderr).toBe(0);
    const got = lines(run.stdout);
    expect(got.filter((line) => line.partition === first).map((line) => line.position)[0]).toBe(3);
    expect(got).toHaveLength(rooms.length * perRoom - 2);
    const room = await cli(['--room', 'r-k3', '--since', '2026-11-21T12:02:02Z']);
    expect(lines(room.stdout).map((line) => line.data.text)).toEqual(['r-k3 #3', 'r-k3 #4', 'r-k3 #5']);
  });
});
