import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_CHECKPOINT } from '../../src/eventlog/checkpoint.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { SqliteEventLogOptions } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { NewEvent, RecordedEvent } from '../../src/events/envelope.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { sampleEvent, sampleMessages } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';
import { eventLogContract } from './eventLogContract.js';

async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'eventlog-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

// The contract runs without useful polling: polling would mask a lost in-process wake-up by delivering late.
const NO_POLLING = 3_600_000;

eventLogContract('SqliteEventLog (temp file)', async () => {
  const { dir, remove } = await tempDir();
  const log = SqliteEventLog.open({ file: join(dir, 'events.db'), codec: await createTestCodec(), pollIntervalMs: NO_POLLING });
  return {
    log,
    cleanup: async () => {
      await log.close();
      await remove();
    },
  };
});

eventLogContract('SqliteEventLog (:memory:, one event per transaction)', async () => {
  const log = SqliteEventLog.open({
    file: ':memory:',
    codec: await createTestCodec(),
    groupCommit: { maxBatch: 1 },
    pollIntervalMs: NO_POLLING,
  });
  return { log, cleanup: () => log.close() };
});

describe('SqliteEventLog specifics', () => {
  let dir: string;
  let remove: () => Promise<void>;
  let file: string;
  const opened: SqliteEventLog[] = [];
  let codec: EventCodec;

  beforeAll(async () => {
    codec = await createTestCodec();
  });

  const open = (options: Partial<SqliteEventLogOptions> = {}): SqliteEventLog => {
    const log = SqliteEventLog.open({ file, codec, ...options });
    opened.push(log);
    return log;
  };

  beforeEach(async () => {
    ({ dir, remove } = await tempDir());
    file = join(dir, 'events.db');
  });

  afterEach(async () => {
    await Promise.all(opened.splice(0).map((log) => log.close()));
    await remove();
  });

  it('keeps appended events across close and reopen', async () => {
    const first = open({ synchronous: 'full' });
    const written = await first.append('room-keep', 'no-stream', sampleMessages(5, 'keep'));
    await first.close();

    const second = open();
    expect(await second.readStream('room-keep')).toEqual(written.events);
    expect(await second.streamVersion('room-keep')).toBe(5);
    expect((await second.append('room-keep', 5, sampleMessages(1, 'keep', 'again'))).events[0]?.streamVersion).toBe(6);
  });

  it('commits appends still queued when close() is called', async () => {
    const log = open();
    const pending = log.append('room-pending', 'no-stream', sampleMessages(3, 'pending'));
    await log.close();
    expect((await pending).nextExpectedVersion).toBe(3);
    await expect(log.append('room-pending', 3, sampleMessages(1, 'pending'))).rejects.toMatchObject({
      code: 'UNAVAILABLE',
    });

    const reopened = open();
    expect(await reopened.streamVersion('room-pending')).toBe(3);
  });

  it('refuses to update or delete an appended event, even through another connection', async () => {
    const log = open();
    const { events } = await log.append('room-immutable', 'no-stream', sampleMessages(2, 'immutable'));
    const raw = new Database(file);
    try {
      expect(() => raw.prepare("UPDATE events SET type = 'MessageDeleted'").run()).toThrow(/append-only/);
      expect(() => raw.prepare("UPDATE events SET body = x'00' WHERE global_position = 1").run()).toThrow(
        /append-only/,
      );
      expect(() => raw.prepare('DELETE FROM events').run()).toThrow(/append-only/);
      // REPLACE deletes silently unless recursive triggers are on; the log's own connection turns them on.
      raw.pragma('recursive_triggers = ON');
      expect(() =>
        raw
          .prepare(
            `INSERT OR REPLACE INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
             VALUES ('room-immutable', 1, 'forged', 'MessageSent', 'c', 0, x'00')`,
          )
          .run(),
      ).toThrow(/append-only/);
    } finally {
      raw.close();
    }
    expect(await log.readStream('room-immutable')).toEqual(events);
  });

  it('rejects only the append that reuses an event id; the rest of its batch commits', async () => {
    const log = open();
    const reused = sampleEvent('MessageSent');
    await log.append('room-dup', 'no-stream', [reused]);
    const outcomes = await Promise.allSettled([
      log.append('room-dup-a', 'no-stream', sampleMessages(1, 'a')),
      log.append('room-dup-b', 'no-stream', [sampleEvent('MessageSent'), reused]),
      log.append('room-dup-c', 'no-stream', sampleMessages(1, 'c')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await log.streamVersion('room-dup-b')).toBe(0);
    expect(await log.headPosition()).toEqual({ 0: 3 });
  });

  it('rejects only the append holding an event the codec refuses; the rest of its batch commits', async () => {
    const log = open();
    // Bad input on purpose: JSON.parse yields a payload the type checker cannot see is wrong (roomId a number).
    const refused: NewEvent = { ...sampleEvent('MessageSent'), data: JSON.parse('{"roomId": 42}') };
    const outcomes = await Promise.allSettled([
      log.append('room-codec-a', 'no-stream', sampleMessages(1, 'a')),
      log.append('room-codec-b', 'no-stream', [sampleEvent('MessageSent'), refused]),
      log.append('room-codec-c', 'no-stream', sampleMessages(1, 'c')),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await log.streamVersion('room-codec-b')).toBe(0);
    expect(await log.headPosition()).toEqual({ 0: 2 });
  });

  it('groups concurrent appends into few transactions', async () => {
    const log = open();
    await Promise.all(range(500).map((i) => log.append(`room-group-${i}`, 'no-stream', sampleMessages(1, `g${i}`))));
    const stats = log.stats();
    expect(stats.appends).toBe(500);
    expect(stats.events).toBe(500);
    expect(stats.transactions).toBeLessThanOrEqual(5);
  });

  it('never puts more than maxBatch appends in one transaction', async () => {
    const log = open({ groupCommit: { maxBatch: 10 } });
    await Promise.all(range(100).map((i) => log.append(`room-max-${i}`, 'no-stream', sampleMessages(1, `x${i}`))));
    expect(log.stats()).toMatchObject({ appends: 100, transactions: 10 });
  });

  it('counts conflicts', async () => {
    const log = open();
    await Promise.allSettled(range(5).map(() => log.append('room-conflict', 0, sampleMessages(1, 'c'))));
    expect(log.stats()).toMatchObject({ appends: 1, conflicts: 4 });
  });

  it('lets a second instance on the same file see appends through subscribe polling', async () => {
    const writer = open();
    const reader = open({ pollIntervalMs: 10 });
    await writer.append('room-shared', 'no-stream', sampleMessages(3, 'shared'));

    const received: RecordedEvent[] = [];
    let reached: () => void = () => undefined;
    const allArrived = new Promise<void>((resolve) => {
      reached = resolve;
    });
    const subscription = reader.subscribe({
      after: EMPTY_CHECKPOINT,
      handler: async (batch) => {
        received.push(...batch);
        if (received.length >= 8) reached();
      },
    });
    await writer.append('room-shared', 3, sampleMessages(5, 'shared', 'later'));
    await allArrived;
    expect(received.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    await subscription.close();
  });

  it('is one partition: every stream in partition 0, positions the row ids 1, 2, 3, ...', async () => {
    const log = open();
    await log.append('room-one', 'no-stream', sampleMessages(2, 'one'));
    const { events } = await log.append('user-two', 'no-stream', sampleMessages(1, 'two'));
    expect(log.partitionOf('room-one')).toBe(0);
    expect(log.partitionOf('user-two')).toBe(0);
    expect(events[0]).toMatchObject({ partition: 0, position: 3 });
    expect((await log.readAll({ limit: 10 })).map((event) => [event.partition, event.position])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
    ]);
    // Other partitions do not exist here: a checkpoint naming one changes nothing.
    expect(await log.readAll({ after: { 0: 1, 5: 99 }, limit: 10 })).toHaveLength(2);
  });

  it('keeps one writer per stream across two instances on the same file', async () => {
    const a = open();
    const b = open();
    const outcomes = await Promise.allSettled([
      a.append('room-two-writers', 'no-stream', sampleMessages(1, 'a')),
      b.append('room-two-writers', 'no-stream', sampleMessages(1, 'b')),
    ]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(await a.streamVersion('room-two-writers')).toBe(1);
  });

  // What an instance remembers of its own writes (recentWrites.ts) must never hide another connection's.
  describe('with another connection writing between our own appends', () => {
    it('checks the version against, and chains to, the other connection’s event', async () => {
      const ours = open();
      const theirs = open();
      await ours.append('room-interleaved', 'no-stream', sampleMessages(1, 'ours'));
      await theirs.append('room-interleaved', 1, sampleMessages(1, 'theirs'));
      await expect(ours.append('room-interleaved', 1, sampleMessages(1, 'stale'))).rejects.toThrow(/expected version|moved|version/i);
      await ours.append('room-interleaved', 2, sampleMessages(1, 'ours-again'));
      const stored = await ours.readStream('room-interleaved');
      expect(stored.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
      // Each event chains to the one before it, whoever wrote it: a fresh instance reads the same chain.
      const fresh = await open().readStream('room-interleaved');
      expect(fresh.map((event) => event.previousHash)).toEqual(stored.map((event) => event.previousHash));
      expect(new Set(stored.map((event) => event.previousHash)).size).toBe(3);
    });

    it('reads the stream and its version past our own tip once the other connection appended', async () => {
      const ours = open();
      const theirs = open();
      await ours.append('room-moved', 'no-stream', sampleMessages(2, 'ours'));
      expect(await ours.readStream('room-moved', { fromVersion: 3 })).toEqual([]);
      await theirs.append('room-moved', 2, sampleMessages(1, 'theirs'));
      expect((await ours.readStream('room-moved', { fromVersion: 3 })).map((event) => event.eventId)).toHaveLength(1);
      expect(await ours.streamVersion('room-moved')).toBe(3);
    });

    it('finds a command id it was asked for before, once our append or theirs carries it', async () => {
      const ours = open();
      const theirs = open();
      const withCommand = (commandId: string) => sampleMessages(1, 'room-commands').map((event) => ({ ...event, metadata: { ...event.metadata, commandId } }));
      expect(await ours.findByCommandId('send:ours')).toEqual([]);
      expect(await ours.findByCommandId('send:ours')).toEqual([]);
      await ours.append('room-commands', 'no-stream', withCommand('send:ours'));
      expect((await ours.findByCommandId('send:ours')).map((event) => event.metadata.commandId)).toEqual(['send:ours']);
      expect(await ours.findByCommandId('send:theirs')).toEqual([]);
      await theirs.append('room-commands', 1, withCommand('send:theirs'));
      expect((await ours.findByCommandId('send:theirs')).map((event) => event.metadata.commandId)).toEqual(['send:theirs']);
    });

    it('hands subscribers every event in position order, ours from memory and theirs from the file', async () => {
      const ours = open({ pollIntervalMs: 10 });
      const theirs = open();
      await ours.append('room-a', 'no-stream', sampleMessages(2, 'ours'));
      await theirs.append('room-b', 'no-stream', sampleMessages(1, 'theirs'));
      await ours.append('room-a', 2, sampleMessages(2, 'ours', 'later'));
      const expected = await open().readAll({ limit: 100 });
      expect(expected).toHaveLength(5);
      const received: RecordedEvent[] = [];
      let reached: () => void = () => undefined;
      const allArrived = new Promise<void>((resolve) => {
        reached = resolve;
      });
      const subscription = ours.subscribe({
        after: EMPTY_CHECKPOINT,
        batchSize: 2,
        handler: async (batch) => {
          received.push(...batch);
          if (received.length >= 6) reached();
        },
      });
      await theirs.append('room-b', 1, sampleMessages(1, 'theirs', 'later'));
      await allArrived;
      expect(received.map((event) => event.position)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(received.slice(0, 5)).toEqual(expected);
      await subscription.close();
    });
  });
});

function range(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i);
}
