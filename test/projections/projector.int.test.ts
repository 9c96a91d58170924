import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { UnavailableError } from '../../src/domain/errors.js';
import {
  EMPTY_CHECKPOINT,
  checkpointOf,
  coversAll,
  type Checkpoint,
} from '../../src/eventlog/checkpoint.js';
import type { EventLog, SubscribeOptions, Subscription } from '../../src/eventlog/eventLog.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { NewEvent, RecordedEvent } from '../../src/events/envelope.js';
import { SqliteHistoryStore } from '../../src/projections/history/sqlite/sqliteHistoryStore.js';
import { Projector, type ProjectionStore } from '../../src/projections/projector.js';
import { RecordedEventLog } from '../support/recordedEvents.js';
import { makeTestCodec } from '../support/testCodecs.js';

/**
 * Appends the builder's events to a real log one by one, so the log assigns the same versions and positions;
 * returns the checkpoint that covers them (what a caller waits for).
 */
async function appendAll(log: EventLog, events: readonly RecordedEvent[]): Promise<Checkpoint> {
  const appended: RecordedEvent[] = [];
  for (const event of events) {
    const { streamId, streamVersion, partition: _partition, position: _position, ...newEvent } = event;
    const fresh: NewEvent = newEvent;
    appended.push(...(await log.append(streamId, streamVersion - 1, [fresh])).events);
  }
  return checkpointOf(appended);
}

/** Wraps a store to fail on demand, as a database that goes away for a while would. */
class FlakyStore implements ProjectionStore {
  failBatches = 0;
  failCheckpoints = 0;
  readonly batches: RecordedEvent[][] = [];

  constructor(private readonly inner: ProjectionStore) {}

  async applyBatch(events: RecordedEvent[]): Promise<void> {
    this.batches.push(events);
    if (this.failBatches > 0) {
      this.failBatches -= 1;
      throw new Error('history database unavailable');
    }
    await this.inner.applyBatch(events);
  }

  async checkpoint(): Promise<Checkpoint> {
    if (this.failCheckpoints > 0) {
      this.failCheckpoints -= 1;
      throw new Error('history database unavailable');
    }
    return this.inner.checkpoint();
  }
}

const logLine = z.record(z.string(), z.unknown());

function capturingLogger(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const written: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void written.push(line) });
  return {
    logger,
    lines: () => written.map((line) => logLine.parse(JSON.parse(line))),
  };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('Projector (SqliteEventLog → SqliteHistoryStore)', () => {
  let log: SqliteEventLog;
  let history: SqliteHistoryStore;
  let story: RecordedEventLog;
  const projectors: Projector[] = [];

  function projector(store: ProjectionStore = history, logger?: pino.Logger): Projector {
    const made = new Projector({
      name: 'history',
      log,
      store,
      logger,
      batchSize: 10,
      retry: { initialDelayMs: 5, maxDelayMs: 20 },
    });
    projectors.push(made);
    return made;
  }

  beforeEach(() => {
    log = new SqliteEventLog({ file: ':memory:', codec: makeTestCodec() });
    history = new SqliteHistoryStore({ filename: ':memory:' });
    story = new RecordedEventLog();
    story.registerUser('u-alice', 'Alice');
    story.registerUser('u-bob', 'Bob');
    story.createRoom('r-1', 'One', 'public', 'u-alice');
    story.join('r-1', 'u-bob');
  });

  afterEach(async () => {
    for (const made of projectors.splice(0)) await made.stop();
    await log.close();
    await history.close();
  });

  /** A checkpoint `n` positions past the story's head (the SQLite log's one partition). */
  function beyond(n: number): Checkpoint {
    return { 0: (story.head[0] ?? 0) + n };
  }

  function chat(count: number, prefix: string): void {
    for (let i = 1; i <= count; i++) story.send('r-1', i % 2 === 0 ? 'u-alice' : 'u-bob', `${prefix} ${i}`);
  }

  it('catches up with what the log holds, then follows new appends (read-your-writes via waitFor)', async () => {
    chat(25, 'before');
    await appendAll(log, story.events);
    const running = projector();
    await running.start();
    await running.waitFor(await log.headPosition(), 5000);
    expect(running.checkpoint).toEqual(story.head);
    expect(await history.checkpoint()).toEqual(story.head);

    const from = story.head;
    const sent = story.send('r-1', 'u-bob', 'just now');
    const appended = await appendAll(log, story.since(from));
    await running.waitFor(appended, 5000);
    expect((await history.getMessage('r-1', sent.seq))?.text).toBe('just now');
    expect((await history.getRoom('r-1'))?.headSeq).toBe(sent.seq);
    expect(running.lag(await log.headPosition())).toBe(0);
  });

  it('starts from the stored checkpoint and never hands the store what it already holds', async () => {
    chat(10, 'old');
    await appendAll(log, story.events);
    await history.applyBatch(story.events.slice(0, 12));
    const store = new FlakyStore(history);
    const running = projector(store);
    await running.start();
    expect(running.checkpoint).toEqual({ 0: 12 });
    await running.waitFor(story.head, 5000);
    expect(store.batches.flat().map((event) => event.position)).toEqual(
      story.events.slice(12).map((event) => event.position),
    );
  });

  it('resolves waitFor at once for a position already applied', async () => {
    await appendAll(log, story.events);
    const running = projector();
    await running.start();
    await running.waitFor(story.head, 5000);
    await expect(running.waitFor({ 0: 1 }, 0)).resolves.toBeUndefined();
    await expect(running.waitFor(EMPTY_CHECKPOINT, 0)).resolves.toBeUndefined();
    await expect(running.waitFor(story.head, 0)).resolves.toBeUndefined();
  });

  it('rejects waitFor with a typed UnavailableError when the position is not reached in time', async () => {
    await appendAll(log, story.events);
    const running = projector();
    await running.start();
    const waiting = running.waitFor(beyond(100), 30);
    await expect(waiting).rejects.toBeInstanceOf(UnavailableError);
    await expect(waiting).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { projection: 'history', waitedFor: beyond(100) },
    });
  });

  it('reports lag against a head', async () => {
    chat(5, 'm');
    await appendAll(log, story.events);
    const running = projector();
    expect(running.lag(story.head)).toBe(story.events.length);
    await running.start();
    await running.waitFor(story.head, 5000);
    expect(running.lag(story.head)).toBe(0);
    expect(running.lag(beyond(7))).toBe(7);
    expect(running.lag(EMPTY_CHECKPOINT)).toBe(0);
  });

  it('after a failed batch, logs, backs off and resubscribes from the checkpoint, skipping nothing', async () => {
    chat(30, 'm');
    await appendAll(log, story.events);
    const store = new FlakyStore(history);
    store.failBatches = 3;
    const { logger, lines } = capturingLogger();
    const running = projector(store, logger);
    await running.start();
    await running.waitFor(story.head, 5000);

    // The failed batch comes again, from the same first event, until it goes through.
    const firstPositions = store.batches.map((batch) => batch[0]?.position);
    expect(firstPositions.slice(0, 4)).toEqual([1, 1, 1, 1]);
    const applied = store.batches.slice(3).flat().map((event) => event.position);
    expect(applied).toEqual(story.events.map((event) => event.position));

    const page = await history.getMessages('r-1', { limit: 100 });
    expect(page.messages.map((message) => message.text)).toEqual(
      Array.from({ length: 30 }, (_, i) => `m ${i + 1}`),
    );
    const failures = lines().filter((line) => line.msg === 'projection failed; resubscribing from its checkpoint');
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({ projection: 'history', failures: 1, retryInMs: 5 });
    expect(failures[2]).toMatchObject({ failures: 3, retryInMs: 20 });
  });

  it('recovers from a failure in the middle of the log, and keeps following appends afterwards', async () => {
    chat(30, 'm');
    await appendAll(log, story.events);
    const store = new FlakyStore(history);
    const running = projector(store);
    await running.start();
    await running.waitFor(story.head, 5000);

    store.failBatches = 1;
    store.failCheckpoints = 2;
    const from = story.head;
    const edited = story.send('r-1', 'u-alice', 'to be edited');
    story.edit('r-1', edited.seq, 'edited once', 'u-alice');
    const head = await appendAll(log, story.since(from));
    await running.waitFor(head, 5000);
    expect(await history.getEditHistory('r-1', edited.seq)).toEqual([
      expect.objectContaining({ text: 'to be edited' }),
    ]);
    expect(await history.checkpoint()).toEqual(head);
  });

  it('stops: pending waiters reject, later appends wait for the next start, which resumes at the checkpoint', async () => {
    await appendAll(log, story.events);
    const running = projector();
    await running.start();
    await running.waitFor(story.head, 5000);
    const pending = running.waitFor(beyond(1), 5000);
    await running.stop();
    await expect(pending).rejects.toBeInstanceOf(UnavailableError);
    expect(running.isRunning).toBe(false);

    const from = story.head;
    chat(3, 'while stopped');
    const head = await appendAll(log, story.since(from));
    await sleep(50);
    expect(await history.checkpoint()).toEqual(from);

    const next = projector();
    await next.start();
    expect(next.checkpoint).toEqual(from);
    await next.waitFor(head, 5000);
    expect((await history.getMessages('r-1', { limit: 10 })).messages).toHaveLength(3);
  });

  it('refuses to start twice', async () => {
    const running = projector();
    await running.start();
    await expect(running.start()).rejects.toThrow(/already running/);
  });

  it('fails start when the checkpoint cannot be read, and can be started again', async () => {
    await appendAll(log, story.events);
    const store = new FlakyStore(history);
    store.failCheckpoints = 1;
    const running = projector(store);
    await expect(running.start()).rejects.toThrow('history database unavailable');
    expect(running.isRunning).toBe(false);
    await running.start();
    await running.waitFor(story.head, 5000);
  });
});

/** A log of several partitions whose subscription delivers only when the test says which partition may go next. */
class ManualPartitionedLog implements Pick<EventLog, 'subscribe'> {
  private handler: SubscribeOptions['handler'] | undefined;
  private after: Checkpoint = EMPTY_CHECKPOINT;

  constructor(private readonly story: RecordedEventLog) {}

  subscribe(options: SubscribeOptions): Subscription {
    this.handler = options.handler;
    this.after = options.after;
    return { close: async () => undefined };
  }

  /** Hands the subscriber every event of one partition it has not seen yet, in one batch. */
  async deliver(partition: number): Promise<void> {
    const batch = this.story.since(this.after).filter((event) => event.partition === partition);
    await this.handler?.(batch);
  }
}

describe('Projector over a partitioned log', () => {
  it('resolves waitFor only once every partition the target names is applied', async () => {
    const story = new RecordedEventLog({ partitions: 3 });
    story.registerUser('u-alice', 'Alice');
    story.registerUser('u-bob', 'Bob');
    story.createRoom('r-1', 'One', 'public', 'u-alice');
    story.join('r-1', 'u-bob');
    const partitions = [...new Set(story.events.map((event) => event.partition))].sort();
    expect(partitions.length).toBeGreaterThan(1);

    const log = new ManualPartitionedLog(story);
    const history = new SqliteHistoryStore({ filename: ':memory:' });
    const running = new Projector({ name: 'history', log, store: history });
    try {
      await running.start();
      let done = false;
      const waiting = running.waitFor(story.head, 5000).then(() => {
        done = true;
      });
      for (const partition of partitions.slice(0, -1)) await log.deliver(partition);
      await Promise.resolve();
      expect(done).toBe(false);
      expect(coversAll(running.checkpoint, story.head)).toBe(false);
      await log.deliver(partitions.at(-1) ?? 0);
      await waiting;
      expect(running.checkpoint).toEqual(story.head);
      expect(await history.checkpoint()).toEqual(story.head);
      expect(running.lag(story.head)).toBe(0);
    } finally {
      await running.stop();
      await history.close();
    }
  });
});
