import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { messageIdOf, roomStreamId } from '../../src/domain/ids.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { runCli, type CliRun } from '../support/cliProcess.js';
import { event } from '../analysis/seedLog.js';
import { describeWithServices } from '../support/realServices.js';

// `chat events replay` with EVENT_LOG=kafka: a topic of three partitions, read directly (no index of it is built).

describeWithServices('chat events replay on the Kafka event log', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.replay.${randomUUID()}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-replay-kafka-'));
  const rooms = ['r-k1', 'r-k2', 'r-k3', 'r-k4', 'r-k5', 'r-k6'];
  const perRoom = 5;
  let head: Checkpoint = {};
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    runCli(['events', 'replay', ...args], {
      DATA_DIR: dataDir,
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      KAFKA_EVENTS_TOPIC: topic,
      SCHEMA_REGISTRY: 'embedded',
      ...extra,
    });

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

  it('replays every partition by reading the topic itself: no index, neither in the data directory nor a temporary one', async () => {
    expect(Object.keys(head).length).toBeGreaterThan(1);
    // Every name that appears in the replay's temporary directory, also one deleted before it ends (as the private
    // index of the whole topic, chat-tool-index-*/index.db, used to be).
    const tmp = mkdtempSync(path.join(tmpdir(), 'chat-replay-kafka-tmp-'));
    const created = new Set<string>();
    const watcher = watch(tmp, { recursive: true }, (_, name) => name !== null && created.add(name));
    let run: CliRun;
    try {
      run = await cli([], { TMPDIR: tmp });
    } finally {
      watcher.close();
      rmSync(tmp, { recursive: true, force: true });
    }
    expect([...created].filter((name) => !name.startsWith('tsx-'))).toEqual([]);
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

// Replay of the topic the service writes (the command processor, in transactions, with personal data sealed): texts
// come out as plaintext, and once the sender is erased (`chat users erase`, through the processor) as erased.
describeWithServices('chat events replay of sealed and erased personal data on the Kafka log', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.replay.sealed.${randomUUID()}`;
  const settings = (): Record<string, string> => ({
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_EVENTS_TOPIC: topic,
    KAFKA_CLIENT_ID: 'replay-sealed-test',
    KAFKA_PARTITIONS: '3',
    AUTH_RATE_LIMIT_PER_MINUTE: '100',
  });
  let server: TestServer | undefined;

  afterAll(async () => {
    await server?.stop({ removeData: true });
    const admin = new Kafka({ clientId: 'replay-sealed-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.commands`, `${topic}.replies`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('shows plaintext, and erased data as erased after chat users erase', { timeout: 180_000 }, async () => {
    server = await startTestServer(settings());
    const running = server;
    const chat = (args: string[]) =>
      runCli(args, { ...settings(), DATA_DIR: running.dataDir, JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789' });
    const client = new HttpClient(running.baseUrl);
    const alice = await signUp(client, 'alice');
    const roomId: string = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'k', kind: 'public' } })).body.room.roomId;
    expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'my kafka secret', clientMessageId: 's1' } })).status).toBe(201);

    const texts = async () => {
      const run = await chat(['events', 'replay', '--type', 'MessageSent', '--user', alice.userId]);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { data: { text: string; erased?: boolean } }).data);
    };
    expect(await texts()).toEqual([expect.objectContaining({ text: 'my kafka secret' })]);
    // A room's replay scans only the room's partition, and unseals the same way.
    const room = await chat(['events', 'replay', '--room', roomId, '--type', 'MessageSent']);
    expect(room.stdout.trimEnd().split('\n').map((line) => (JSON.parse(line) as { data: { text: string } }).data.text)).toEqual(['my kafka secret']);

    const erase = await chat(['users', 'erase', 'alice']);
    expect(erase.code, erase.stderr).toBe(0);
    expect(await texts()).toEqual([expect.objectContaining({ text: '', erased: true })]);
  });
});
