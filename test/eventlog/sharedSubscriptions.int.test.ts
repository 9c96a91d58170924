import { afterEach, describe, expect, it } from 'vitest';
import { EMPTY_CHECKPOINT, checkpointOf, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import type { EventLog, SubscribeOptions, Subscription } from '../../src/eventlog/eventLog.js';
import { undecorated } from '../../src/eventlog/eventLog.js';
import { SharedSubscriptionLog } from '../../src/eventlog/sharedSubscriptions.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { sampleMessages } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';
import { eventLogContract } from './eventLogContract.js';

const NO_POLLING = 3_600_000;

// The whole EventLog contract, through the shared subscriptions: once with a roomy tail, once with a tail so
// small that catch-up tests keep falling behind it and must read the log themselves.
for (const tailSize of [10_000, 8]) {
  eventLogContract(`SharedSubscriptionLog over SQLite (tail of ${tailSize})`, async () => {
    const log = new SharedSubscriptionLog(
      SqliteEventLog.open({ file: ':memory:', codec: await createTestCodec(), pollIntervalMs: NO_POLLING }),
      { tailSize },
    );
    return { log, cleanup: () => log.close() };
  });
}

/** A codec that counts how many events it decoded. */
function counting(codec: EventCodec): EventCodec & { decoded: number } {
  const counter = {
    decoded: 0,
    encode: codec.encode.bind(codec),
    decode: (...args: Parameters<EventCodec['decode']>) => {
      counter.decoded += 1;
      return codec.decode(...args);
    },
  };
  return counter;
}

function collect(log: EventLog, after: Checkpoint, options: Partial<SubscribeOptions> = {}) {
  const events: RecordedEvent[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const subscription: Subscription = log.subscribe({
    after,
    ...options,
    handler: async (batch) => {
      await options.handler?.(batch);
      events.push(...batch);
      for (const waiter of waiters.filter((w) => events.length >= w.count)) waiter.resolve();
    },
  });
  const until = (count: number) =>
    events.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { events, subscription, until, versions: () => events.map((event) => event.streamVersion) };
}

describe('SharedSubscriptionLog (int)', () => {
  let log: SharedSubscriptionLog | undefined;
  afterEach(async () => {
    await log?.close();
    log = undefined;
  });

  async function open(tailSize?: number) {
    const codec = counting(await createTestCodec());
    const adapter = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: NO_POLLING });
    log = new SharedSubscriptionLog(adapter, tailSize === undefined ? {} : { tailSize });
    return { log, codec, adapter };
  }

  it('decodes each new event once for all the live subscribers of the process', async () => {
    const { log, codec } = await open();
    const head = await log.headPosition();
    const subscribers = [collect(log, head), collect(log, head), collect(log, head)];
    // Let the shared subscription start at the head before anything is appended.
    await new Promise((resolve) => setTimeout(resolve, 20));
    const decodedBefore = codec.decoded;

    await log.append('room-a', 'no-stream', sampleMessages(40, 'a'));
    await Promise.all(subscribers.map((s) => s.until(40)));

    for (const s of subscribers) expect(s.versions()).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    // The append itself decodes nothing (it hands back what it wrote); the shared subscription decodes 40.
    expect(codec.decoded - decodedBefore).toBe(40);
    await Promise.all(subscribers.map((s) => s.subscription.close()));
  });

  it('lets a subscriber far behind the tail catch up from the log, then join the tail with no gap or duplicate', async () => {
    const { log } = await open(16);
    const live = collect(log, await log.headPosition());
    for (let i = 0; i < 10; i++) await log.append(`room-${i}`, 'no-stream', sampleMessages(20, `r${i}`));
    await live.until(200);

    // From the very beginning: 200 events, the tail holds at most 20 of them.
    const late = collect(log, EMPTY_CHECKPOINT, { batchSize: 7 });
    const appending = (async () => {
      for (let i = 0; i < 10; i++) await log.append(`room-${i}`, 20, sampleMessages(5, `r${i}`, 'more'));
    })();
    await appending;
    await Promise.all([late.until(250), live.until(250)]);

    const positions = (events: RecordedEvent[]) => events.map((event) => event.position);
    expect(positions(late.events)).toEqual(positions(live.events));
    expect(new Set(positions(late.events)).size).toBe(250);
    await Promise.all([late.subscription.close(), live.subscription.close()]);
  });

  it('starts a subscriber ahead of some events from its own checkpoint, skipping what it already has', async () => {
    const { log } = await open();
    const first = await log.append('room-x', 'no-stream', sampleMessages(10, 'x'));
    const watcher = collect(log, EMPTY_CHECKPOINT);
    await watcher.until(10);
    const ahead = collect(log, checkpointOf(first.events.slice(0, 6)));
    await log.append('room-x', 10, sampleMessages(2, 'x', 'more'));
    await Promise.all([ahead.until(6), watcher.until(12)]);
    expect(ahead.versions()).toEqual([7, 8, 9, 10, 11, 12]);
    await Promise.all([ahead.subscription.close(), watcher.subscription.close()]);
  });

  it('a slow handler holds back only its own subscription', async () => {
    const { log } = await open(4);
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow = collect(log, EMPTY_CHECKPOINT, { handler: () => gate, batchSize: 5 });
    const fast = collect(log, EMPTY_CHECKPOINT);
    await log.append('room-s', 'no-stream', sampleMessages(30, 's'));
    await fast.until(30);
    expect(slow.events).toHaveLength(0);
    release();
    await slow.until(30);
    expect(slow.versions()).toEqual(fast.versions());
    await Promise.all([slow.subscription.close(), fast.subscription.close()]);
  });

  it('when the shared subscription fails, its subscribers read the log themselves until it is back', async () => {
    const adapter = SqliteEventLog.open({ file: ':memory:', codec: await createTestCodec(), pollIntervalMs: NO_POLLING });
    let failures = 0;
    // The shared subscription's one batch fails (as an unreadable key store would make it), once.
    const flaky: EventLog = {
      append: (...args) => adapter.append(...args),
      readStream: (...args) => adapter.readStream(...args),
      streamVersion: (...args) => adapter.streamVersion(...args),
      readAll: (...args) => adapter.readAll(...args),
      findByCommandId: (...args) => adapter.findByCommandId(...args),
      headPosition: () => adapter.headPosition(),
      partitionOf: (...args) => adapter.partitionOf(...args),
      close: () => adapter.close(),
      subscribe: (options) =>
        adapter.subscribe({
          ...options,
          handler: async (events) => {
            if (failures === 0) {
              failures += 1;
              throw new Error('key store away');
            }
            await options.handler(events);
          },
        }),
    };
    log = new SharedSubscriptionLog(flaky, { restartDelayMs: 20 });
    const subscriber = collect(log, EMPTY_CHECKPOINT);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await log.append('room-f', 'no-stream', sampleMessages(5, 'f'));
    await subscriber.until(5);
    await new Promise((resolve) => setTimeout(resolve, 60));
    await log.append('room-f', 5, sampleMessages(5, 'f', 'after'));
    await subscriber.until(10);
    expect(failures).toBe(1);
    expect(subscriber.versions()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    await subscriber.subscription.close();
  });

  it('is looked through by undecorated(), down to the adapter', async () => {
    const { log, adapter } = await open();
    expect(undecorated(log)).toBe(adapter);
  });
});
