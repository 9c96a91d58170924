// The AnalyticsStore contract: the memory store (embedded) and a Redis store (distributed) run this same suite,
// so the analytics API answers alike whichever store the composition root picks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/projections/analytics/analyticsProjection.js';
import type { AnalyticsStore } from '../../../src/projections/analytics/analyticsStore.js';
import { EMPTY_CHECKPOINT, partitionsOf } from '../../../src/eventlog/checkpoint.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

export interface AnalyticsStoreUnderTest {
  store: AnalyticsStore;
  cleanup: () => Promise<void>;
}

/** 12:00:00 UTC on a Wednesday: minute, hour and day boundaries are easy to place around it. */
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const ALL_TIME = { from: 0, to: Number.MAX_SAFE_INTEGER };

export function analyticsStoreContract(name: string, makeStore: () => Promise<AnalyticsStoreUnderTest>): void {
  describe(`AnalyticsStore contract: ${name}`, () => {
    let store: AnalyticsStore;
    let log: RecordedEventLog;
    const cleanups: Array<() => Promise<void>> = [];

    async function freshStore(): Promise<AnalyticsStore> {
      const made = await makeStore();
      cleanups.push(made.cleanup);
      return made.store;
    }

    beforeEach(async () => {
      store = await freshStore();
      log = new RecordedEventLog({ startAt: T0 });
    });

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    async function project(target: AnalyticsStore = store): Promise<void> {
      await target.applyBatch(log.since(await target.checkpoint()));
    }

    /** A room with two members, created an hour before T0 so its own events stay out of the way. */
    function room(roomId: string): void {
      log.createRoom(roomId, roomId, 'public', 'u-alice', { at: T0 - HOUR_MS });
      log.join(roomId, 'u-bob', 'member', null, { at: T0 - HOUR_MS });
    }

    describe('checkpoint', () => {
      it('starts empty and follows the last event applied, messages or not', async () => {
        expect(await store.checkpoint()).toEqual(EMPTY_CHECKPOINT);
        room('r-1');
        await project();
        expect(await store.checkpoint()).toEqual(log.head);
      });

      it('never counts a re-delivered or overlapping batch twice', async () => {
        room('r-1');
        log.send('r-1', 'u-alice', 'one', { at: T0 });
        log.send('r-1', 'u-bob', 'two', { at: T0 + 1000 });
        await store.applyBatch(log.events);
        log.send('r-1', 'u-alice', 'three', { at: T0 + 2000 });
        await store.applyBatch(log.events);
        await store.applyBatch(log.events.slice(2));
        expect(await store.roomMessages('r-1', 'minute', ALL_TIME)).toEqual([{ bucketStart: T0, messages: 3 }]);
        expect(await store.messageSizes()).toContainEqual({ bucket: '1-10', messages: 3 });
        expect(await store.checkpoint()).toEqual(log.head);
      });

      it('accepts an empty batch', async () => {
        await store.applyBatch([]);
        expect(await store.checkpoint()).toEqual(EMPTY_CHECKPOINT);
      });

      it('keeps a position per partition: a partition behind still applies while another is skipped', async () => {
        const spread = new RecordedEventLog({ startAt: T0, partitions: 4 });
        for (const roomId of ['r-1', 'r-2', 'r-3', 'r-4', 'r-5']) {
          spread.createRoom(roomId, roomId, 'public', 'u-alice', { at: T0 - HOUR_MS });
          for (let i = 0; i < 3; i++) spread.send(roomId, 'u-alice', `${roomId} ${i}`, { at: T0 + i * 1000 });
        }
        const [first] = partitionsOf(spread.head);
        expect(partitionsOf(spread.head).length).toBeGreaterThan(1);
        await store.applyBatch(spread.events.filter((event) => event.partition === first));
        await store.applyBatch(spread.events);
        await store.applyBatch(spread.events.filter((event) => event.partition === first));
        expect(await store.checkpoint()).toEqual(spread.head);
        const total = (await store.topRooms('minute', ALL_TIME, 10)).reduce((sum, room) => sum + room.messages, 0);
        expect(total).toBe(15);
      });
    });

    describe('messages per room', () => {
      it('buckets by UTC minute and hour of occurredAt', async () => {
        room('r-1');
        log.send('r-1', 'u-alice', 'a', { at: T0 + 5_000 });
        log.send('r-1', 'u-bob', 'b', { at: T0 + 59_999 });
        log.send('r-1', 'u-alice', 'c', { at: T0 + MINUTE_MS });
        log.send('r-1', 'u-alice', 'd', { at: T0 + HOUR_MS + 1 });
        await project();
        expect(await store.roomMessages('r-1', 'minute', ALL_TIME)).toEqual([
          { bucketStart: T0, messages: 2 },
          { bucketStart: T0 + MINUTE_MS, messages: 1 },
          { bucketStart: T0 + HOUR_MS, messages: 1 },
        ]);
        expect(await store.roomMessages('r-1', 'hour', ALL_TIME)).toEqual([
          { bucketStart: T0, messages: 3 },
          { bucketStart: T0 + HOUR_MS, messages: 1 },
        ]);
      });

      it('counts sends only: joins, edits and deletes move no counter', async () => {
        room('r-1');
        const { seq } = log.send('r-1', 'u-alice', 'hello', { at: T0 });
        log.edit('r-1', seq, 'hello again', 'u-alice', { at: T0 + 1000 });
        log.delete('r-1', seq, 'u-alice', { at: T0 + 2000 });
        await project();
        expect(await store.roomMessages('r-1', 'minute', ALL_TIME)).toEqual([{ bucketStart: T0, messages: 1 }]);
      });

      it('keeps rooms apart and knows nothing of an unknown room', async () => {
        room('r-1');
        room('r-2');
        log.send('r-1', 'u-alice', 'a', { at: T0 });
        log.send('r-2', 'u-alice', 'b', { at: T0 });
        log.send('r-2', 'u-alice', 'c', { at: T0 });
        await project();
        expect(await store.roomMessages('r-2', 'hour', ALL_TIME)).toEqual([{ bucketStart: T0, messages: 2 }]);
        expect(await store.roomMessages('r-none', 'hour', ALL_TIME)).toEqual([]);
      });

      it('includes every bucket that overlaps the range, both ends inclusive', async () => {
        room('r-1');
        for (let minute = 0; minute < 5; minute += 1) log.send('r-1', 'u-alice', 'x', { at: T0 + minute * MINUTE_MS });
        await project();
        const range = { from: T0 + MINUTE_MS + 30_000, to: T0 + 3 * MINUTE_MS };
        expect((await store.roomMessages('r-1', 'minute', range)).map((bucket) => bucket.bucketStart)).toEqual([
          T0 + MINUTE_MS,
          T0 + 2 * MINUTE_MS,
          T0 + 3 * MINUTE_MS,
        ]);
      });
    });

    describe('active users per day', () => {
      it('counts distinct senders per UTC day', async () => {
        room('r-1');
        room('r-2');
        log.send('r-1', 'u-alice', 'a', { at: T0 });
        log.send('r-2', 'u-alice', 'b', { at: T0 + 1000 });
        log.send('r-1', 'u-bob', 'c', { at: T0 + 2000 });
        // 23:59:59.999 is still the same day; midnight starts the next.
        log.send('r-1', 'u-carol', 'd', { at: T0 + 12 * HOUR_MS - 1 });
        log.send('r-1', 'u-alice', 'e', { at: T0 + 12 * HOUR_MS });
        await project();
        const day = T0 - 12 * HOUR_MS;
        expect(await store.activeUsers(ALL_TIME)).toEqual([
          { dayStart: day, activeUsers: 3 },
          { dayStart: day + DAY_MS, activeUsers: 1 },
        ]);
        expect(await store.activeUsers({ from: day + DAY_MS, to: day + 2 * DAY_MS })).toEqual([
          { dayStart: day + DAY_MS, activeUsers: 1 },
        ]);
      });

      it('does not count members who only joined', async () => {
        room('r-1');
        await project();
        expect(await store.activeUsers(ALL_TIME)).toEqual([]);
      });
    });

    describe('top rooms', () => {
      beforeEach(async () => {
        for (const roomId of ['r-a', 'r-b', 'r-c', 'r-d']) room(roomId);
        const sends: Array<[string, number]> = [
          ['r-b', 3],
          ['r-a', 3],
          ['r-c', 5],
          ['r-d', 1],
        ];
        for (const [roomId, count] of sends) {
          for (let i = 0; i < count; i += 1) log.send(roomId, 'u-alice', 'x', { at: T0 + i * 1000 });
        }
        // Outside the range asked for below.
        for (let i = 0; i < 10; i += 1) log.send('r-d', 'u-alice', 'x', { at: T0 + 2 * HOUR_MS });
        await project();
      });

      it('orders rooms by messages in the range, most first, ties by roomId, up to the limit', async () => {
        const range = { from: T0, to: T0 + HOUR_MS - 1 };
        expect(await store.topRooms('minute', range, 3)).toEqual([
          { roomId: 'r-c', messages: 5 },
          { roomId: 'r-a', messages: 3 },
          { roomId: 'r-b', messages: 3 },
        ]);
        expect(await store.topRooms('hour', range, 10)).toEqual([
          { roomId: 'r-c', messages: 5 },
          { roomId: 'r-a', messages: 3 },
          { roomId: 'r-b', messages: 3 },
          { roomId: 'r-d', messages: 1 },
        ]);
      });

      it('sums over the whole range', async () => {
        expect((await store.topRooms('hour', ALL_TIME, 1))[0]).toEqual({ roomId: 'r-d', messages: 11 });
      });

      it('leaves rooms without messages in the range out', async () => {
        expect(await store.topRooms('hour', { from: T0 + 5 * HOUR_MS, to: T0 + 6 * HOUR_MS }, 10)).toEqual([]);
      });
    });

    describe('message sizes', () => {
      it('lists every bucket in order, empty ones included', async () => {
        expect(await store.messageSizes()).toEqual([
          { bucket: '1-10', messages: 0 },
          { bucket: '11-50', messages: 0 },
          { bucket: '51-200', messages: 0 },
          { bucket: '201-500', messages: 0 },
          { bucket: '501-1000', messages: 0 },
          { bucket: '1001+', messages: 0 },
        ]);
      });

      it('counts text length in code points at each bucket edge', async () => {
        room('r-1');
        const lengths = [1, 10, 11, 50, 51, 200, 201, 500, 501, 1000, 1001];
        for (const length of lengths) log.send('r-1', 'u-alice', 'a'.repeat(length), { at: T0 });
        // Ten emoji are ten code points (twenty UTF-16 units): still the smallest bucket.
        log.send('r-1', 'u-alice', '😀'.repeat(10), { at: T0 });
        await project();
        expect(await store.messageSizes()).toEqual([
          { bucket: '1-10', messages: 3 },
          { bucket: '11-50', messages: 2 },
          { bucket: '51-200', messages: 2 },
          { bucket: '201-500', messages: 2 },
          { bucket: '501-1000', messages: 2 },
          { bucket: '1001+', messages: 1 },
        ]);
      });
    });

    describe('assistant tokens (issue #19)', () => {
      it('sums answers and tokens per assistant and model, once per event, whatever their age', async () => {
        expect(await store.assistantTokens()).toEqual([]);
        log.assistantUsage('u-helper', 'gpt-4o-mini', 100, 20, { at: T0 - 400 * DAY_MS });
        log.assistantUsage('u-helper', 'gpt-4o-mini', 50, 5, { at: T0 });
        log.assistantUsage('u-helper', 'llama3.1:8b', 7, 1, { at: T0 });
        log.assistantUsage('u-aide', 'gpt-4o-mini', 1, 1, { at: T0 });
        await project();
        // A batch delivered again (a restarted projector) counts nothing twice.
        await store.applyBatch(log.since());
        expect(await store.assistantTokens()).toEqual([
          { assistantId: 'u-aide', model: 'gpt-4o-mini', answers: 1, promptTokens: 1, completionTokens: 1 },
          { assistantId: 'u-helper', model: 'gpt-4o-mini', answers: 2, promptTokens: 150, completionTokens: 25 },
          { assistantId: 'u-helper', model: 'llama3.1:8b', answers: 1, promptTokens: 7, completionTokens: 1 },
        ]);
      });
    });

    describe('retention', () => {
      it('keeps 48 h of minutes and 90 days of hours and days, measured from the newest event', async () => {
        room('r-1');
        const old = T0;
        log.send('r-1', 'u-alice', 'old', { at: old });
        log.send('r-1', 'u-bob', 'recent', { at: old + 47 * HOUR_MS });
        await project();
        expect(await store.roomMessages('r-1', 'minute', ALL_TIME)).toHaveLength(2);

        log.send('r-1', 'u-carol', 'later', { at: old + 49 * HOUR_MS });
        await project();
        expect((await store.roomMessages('r-1', 'minute', ALL_TIME)).map((bucket) => bucket.bucketStart)).toEqual([
          old + 47 * HOUR_MS,
          old + 49 * HOUR_MS,
        ]);
        expect(await store.roomMessages('r-1', 'hour', ALL_TIME)).toHaveLength(3);

        log.send('r-1', 'u-alice', 'much later', { at: old + 93 * DAY_MS });
        await project();
        expect(await store.roomMessages('r-1', 'hour', ALL_TIME)).toEqual([{ bucketStart: old + 93 * DAY_MS, messages: 1 }]);
        expect(await store.activeUsers(ALL_TIME)).toEqual([{ dayStart: old - 12 * HOUR_MS + 93 * DAY_MS, activeUsers: 1 }]);
        expect(await store.topRooms('hour', ALL_TIME, 10)).toEqual([{ roomId: 'r-1', messages: 1 }]);
        // The size distribution is a handful of counters and keeps everything.
        expect((await store.messageSizes()).reduce((sum, size) => sum + size.messages, 0)).toBe(4);
      });

      it('ignores a message older than retention that arrives late', async () => {
        room('r-1');
        log.send('r-1', 'u-alice', 'now', { at: T0 + 50 * HOUR_MS });
        log.send('r-1', 'u-bob', 'from a skewed clock', { at: T0 });
        await project();
        expect(await store.roomMessages('r-1', 'minute', ALL_TIME)).toEqual([{ bucketStart: T0 + 50 * HOUR_MS, messages: 1 }]);
      });
    });

    describe('rebuild', () => {
      it('ends in the same state whether fed at once or one event at a time', async () => {
        room('r-1');
        room('r-2');
        for (let i = 0; i < 30; i += 1) {
          log.send(i % 3 === 0 ? 'r-2' : 'r-1', i % 2 === 0 ? 'u-alice' : 'u-bob', 'x'.repeat(i * 20 + 1), {
            at: T0 + i * 7 * HOUR_MS,
          });
        }
        await project();
        const stepwise = await freshStore();
        for (const event of log.events) await stepwise.applyBatch([event]);
        for (const granularity of ['minute', 'hour'] as const) {
          for (const roomId of ['r-1', 'r-2']) {
            expect(await stepwise.roomMessages(roomId, granularity, ALL_TIME)).toEqual(
              await store.roomMessages(roomId, granularity, ALL_TIME),
            );
          }
          expect(await stepwise.topRooms(granularity, ALL_TIME, 10)).toEqual(await store.topRooms(granularity, ALL_TIME, 10));
        }
        expect(await stepwise.activeUsers(ALL_TIME)).toEqual(await store.activeUsers(ALL_TIME));
        expect(await stepwise.messageSizes()).toEqual(await store.messageSizes());
        expect(await stepwise.checkpoint()).toEqual(await store.checkpoint());
      });
    });
  });
}
