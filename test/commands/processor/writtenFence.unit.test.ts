import { describe, expect, it } from 'vitest';
import { WrittenFence, type FencedLog } from '../../../src/commands/processor/writtenFence.js';
import type { RecordedEvent } from '../../../src/events/envelope.js';

/** An index that has read each partition up to an offset the test moves, and records the reads it served. */
function laggingIndex() {
  const consumed = new Map<number, number>();
  const waiters: Array<{ partition: number; offset: number; resolve: () => void }> = [];
  const reads: string[] = [];
  const log: FencedLog = {
    partitionOf: (streamId) => (streamId.startsWith('room-a') ? 0 : 1),
    hasConsumed: (partition, offset) => (consumed.get(partition) ?? 0) >= offset,
    waitForConsumed: (partition, offset) =>
      (consumed.get(partition) ?? 0) >= offset ? Promise.resolve() : new Promise((resolve) => waiters.push({ partition, offset, resolve })),
    readStream: (streamId) => {
      reads.push(streamId);
      return Promise.resolve<RecordedEvent[]>([]);
    },
  };
  const consume = (partition: number, offset: number) => {
    consumed.set(partition, offset);
    for (const waiter of [...waiters]) {
      if (waiter.partition === partition && waiter.offset <= offset) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  return { log, consume, reads };
}

const place = (position: number) => [{ partition: 0, position }];

describe('the written fence of the command processor', () => {
  it('answers for commands of transactions the index has not read, and leaves them to the index once it has', () => {
    const { log, consume } = laggingIndex();
    const fence = new WrittenFence(log);
    fence.wrote(0, 10, new Map([['c1', place(10)]]));
    fence.wrote(0, 12, new Map([['c2', place(12)]]));
    expect(fence.recentPlaces(0, 'c1')).toEqual(place(10));
    expect(fence.recentPlaces(0, 'c2')).toEqual(place(12));
    expect(fence.recentPlaces(1, 'c1')).toBeUndefined();
    consume(0, 10);
    expect(fence.recentPlaces(0, 'c1')).toBeUndefined();
    expect(fence.recentPlaces(0, 'c2')).toEqual(place(12));
    consume(0, 12);
    expect(fence.recentPlaces(0, 'c2')).toBeUndefined();
  });

  it('holds a stream read of a partition until the index has read what the processor wrote there', async () => {
    const { log, consume, reads } = laggingIndex();
    const fence = new WrittenFence(log);
    const reader = fence.reader();
    // Nothing written: a read goes straight through.
    await reader.readStream('room-a1', { fromVersion: 1 });
    expect(reads).toEqual(['room-a1']);
    fence.wrote(0, 7, new Map());
    let done = false;
    const held = reader.readStream('room-a2', { fromVersion: 1 }).then(() => (done = true));
    // Another partition is not held.
    await reader.readStream('room-b1', { fromVersion: 1 });
    await Promise.resolve();
    expect(done).toBe(false);
    expect(reads).toEqual(['room-a1', 'room-b1']);
    consume(0, 7);
    await held;
    expect(reads).toEqual(['room-a1', 'room-b1', 'room-a2']);
  });

  it('forgets a partition the processor lets go: its next owner reads everything from Kafka', async () => {
    const { log, reads } = laggingIndex();
    const fence = new WrittenFence(log);
    fence.wrote(0, 5, new Map([['c1', place(5)]]));
    fence.forget(0);
    expect(fence.recentPlaces(0, 'c1')).toBeUndefined();
    await fence.reader().readStream('room-a1', { fromVersion: 1 });
    expect(reads).toEqual(['room-a1']);
  });

  it('holds a read of a stream, and a retry of a command, that a transaction on its way writes until it settles', async () => {
    const { log, reads } = laggingIndex();
    const fence = new WrittenFence(log);
    let commit: () => void = () => undefined;
    const settled = new Promise<void>((resolve) => (commit = resolve));
    fence.writing(['room-a1'], ['c1'], settled);
    let read = false;
    const held = fence.reader().readStream('room-a1', { fromVersion: 1 }).then(() => (read = true));
    // A stream and a command the transaction does not hold go straight through.
    await fence.reader().readStream('room-a2', { fromVersion: 1 });
    expect(fence.commandSettled('c2')).toBeUndefined();
    const retry = fence.commandSettled('c1');
    expect(retry).toBeDefined();
    await Promise.resolve();
    expect(read).toBe(false);
    expect(reads).toEqual(['room-a2']);
    commit();
    await held;
    await retry;
    expect(reads).toEqual(['room-a2', 'room-a1']);
    expect(fence.commandSettled('c1')).toBeUndefined();
  });

  it('lets the held reads go when the transaction on its way fails: the partition is read again from Kafka', async () => {
    const { log, reads } = laggingIndex();
    const fence = new WrittenFence(log);
    let fail: (error: Error) => void = () => undefined;
    const settled = new Promise<void>((_resolve, reject) => (fail = reject));
    settled.catch(() => undefined);
    fence.writing(['room-a1'], ['c1'], settled);
    const held = fence.reader().readStream('room-a1', { fromVersion: 1 });
    const retry = fence.commandSettled('c1');
    fail(new Error('fenced'));
    await expect(held).resolves.toEqual([]);
    await expect(retry).resolves.toBeUndefined();
    expect(reads).toEqual(['room-a1']);
  });
});
