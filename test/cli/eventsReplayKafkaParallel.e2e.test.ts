import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildContainer, get } from '../../src/composition/container.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { runCli } from '../support/cliProcess.js';
import { describeWithServices } from '../support/realServices.js';
import { generateLog } from '../analysis/seedLog.js';

// `chat events replay --jobs 2` on a Kafka topic long enough to be shared among worker threads (over 100k
// positions): each worker scans its own partitions, so the lines come in another order than one thread's, but they
// are the same lines (texts unsealed by the workers), each stream still in order, and the summary's --after
// continues where the replay stopped.

const EVENTS = 110_000;

describeWithServices('chat events replay of the Kafka topic in worker threads', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.replay.parallel.${randomUUID()}`;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-replay-kafka-parallel-'));
  const settings = (): Record<string, string> => ({
    DATA_DIR: dataDir,
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_EVENTS_TOPIC: topic,
    KAFKA_CLIENT_ID: 'replay-parallel-test',
    KAFKA_PARTITIONS: '3',
  });

  /** Replays into a file; returns its lines and the summary line. */
  async function replayTo(name: string, args: string[]): Promise<{ lines: string[]; summary: string }> {
    const file = path.join(dataDir, name);
    const run = await runCli(['events', 'replay', ...args, '-o', file], settings());
    expect(run.code, run.stderr).toBe(0);
    return { lines: readFileSync(file, 'utf8').trimEnd().split('\n').filter((line) => line !== ''), summary: run.stderr };
  }
  const sorted = (lines: string[]) => [...lines].sort();

  beforeAll(async () => {
    // Through the service's composed log, so message texts and emails are stored sealed with per-user keys.
    const container = buildContainer(loadConfig(settings()), pino({ level: 'error' }));
    try {
      await generateLog(await get(container, TOKENS.eventLog), { events: EVENTS, rooms: 20, users: 50 });
    } finally {
      await container.unbindAll();
    }
  }, 240_000);

  afterAll(async () => {
    const admin = new Kafka({ clientId: 'replay-parallel-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('writes the same lines as one thread, each stream in order, texts unsealed, and continues where it says', { timeout: 180_000 }, async () => {
    const one = await replayTo('one.jsonl', ['--jobs', '1']);
    const two = await replayTo('two.jsonl', ['--jobs', '2']);
    expect(one.summary).not.toContain('worker threads');
    expect(two.summary).toContain('by 2 worker threads');
    expect(two.lines.length).toBeGreaterThanOrEqual(EVENTS);
    expect(sorted(two.lines)).toEqual(sorted(one.lines));
    const records = two.lines.map((line) => JSON.parse(line) as { streamId: string; streamVersion: number; partition: number; type: string; data: { text?: string } });
    const lastVersion = new Map<string, number>();
    for (const { streamId, streamVersion } of records) {
      expect(streamVersion).toBe((lastVersion.get(streamId) ?? 0) + 1);
      lastVersion.set(streamId, streamVersion);
    }
    expect(new Set(records.map((record) => record.partition))).toEqual(new Set([0, 1, 2]));
    expect(records.find((record) => record.type === 'MessageSent')?.data.text).toMatch(/^message \d+ of room\d+: lorem ipsum dolor$/);

    const after = /continue with --after '([^']+)'/.exec(two.summary)?.[1];
    expect(after).toBeDefined();
    const rest = await replayTo('rest.jsonl', ['--jobs', '2', '--after', after ?? '']);
    expect(rest.lines).toEqual([]);
  });

  it('writes one CSV header and the same rows as one thread for a filtered slice', { timeout: 180_000 }, async () => {
    const slice = ['--after', '0:5000,1:100', '--type', 'MessageSent', '--format', 'csv'];
    const one = await replayTo('one.csv', [...slice, '--jobs', '1']);
    const two = await replayTo('two.csv', [...slice, '--jobs', '2']);
    expect(two.summary).toContain('worker threads');
    expect(two.lines[0]).toMatch(/^partition,position,/);
    expect(two.lines.filter((line) => line.startsWith('partition,position,'))).toHaveLength(1);
    expect(two.lines[0]).toBe(one.lines[0]);
    expect(sorted(two.lines.slice(1))).toEqual(sorted(one.lines.slice(1)));
    expect(two.lines.length).toBeGreaterThan(EVENTS / 2);
  });
});
