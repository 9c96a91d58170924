import type { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR_MS } from '../../../src/projections/analytics/analyticsProjection.js';
import { MemoryAnalyticsStore } from '../../../src/projections/analytics/memoryAnalyticsStore.js';
import { RedisAnalyticsStore } from '../../../src/projections/analytics/redisAnalyticsStore.js';
import { UnavailableError } from '../../../src/domain/errors.js';
import { describeWithServices } from '../../support/realServices.js';
import { countKeys, deleteKeys, openRedis, quit, testKeyPrefix, unreachableRedis } from '../../support/redis.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';
import { analyticsStoreContract } from './analyticsStoreContract.js';

const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const ALL_TIME = { from: 0, to: Number.MAX_SAFE_INTEGER };

describeWithServices('RedisAnalyticsStore', ['REDIS_URL'], (env) => {
  analyticsStoreContract('Redis (real server)', async () => {
    const client = await openRedis(env('REDIS_URL'));
    const keyPrefix = testKeyPrefix('analytics');
    return {
      store: new RedisAnalyticsStore({ client, keyPrefix }),
      cleanup: async () => {
        await deleteKeys(client, keyPrefix);
        await quit(client);
      },
    };
  });

  describe('RedisAnalyticsStore specifics', () => {
    let clients: Redis[];
    let keyPrefix: string;
    let log: RecordedEventLog;

    beforeEach(async () => {
      clients = await Promise.all([openRedis(env('REDIS_URL')), openRedis(env('REDIS_URL'))]);
      keyPrefix = testKeyPrefix('analytics');
      log = new RecordedEventLog({ startAt: T0, partitions: 3 });
      for (const roomId of ['r-1', 'r-2', 'r-3']) log.createRoom(roomId, roomId, 'public', 'u-alice', { at: T0 - HOUR_MS });
      for (let i = 0; i < 60; i += 1) log.send(`r-${(i % 3) + 1}`, i % 2 === 0 ? 'u-alice' : 'u-bob', `message ${i}`, { at: T0 + i * 1000 });
    });

    afterEach(async () => {
      await deleteKeys(clients[0]!, keyPrefix);
      await Promise.all(clients.map(quit));
    });

    it('two projector instances re-delivering overlapping batches at once count every event exactly once', async () => {
      const [first, second] = clients.map((client) => new RedisAnalyticsStore({ client, keyPrefix }));
      // Each instance reads the log in order (as a projector does); the two race each other on every batch.
      const batches = [log.events.slice(0, 20), log.events.slice(10, 45), log.events.slice(30)];
      const project = async (store: RedisAnalyticsStore) => {
        for (const batch of batches) await store.applyBatch(batch);
      };
      await Promise.all([project(first!), project(second!), project(first!), project(second!)]);
      const reference = new MemoryAnalyticsStore();
      await reference.applyBatch(log.events);
      expect(await first!.topRooms('minute', ALL_TIME, 10)).toEqual(await reference.topRooms('minute', ALL_TIME, 10));
      expect(await second!.messageSizes()).toEqual(await reference.messageSizes());
      expect(await second!.activeUsers(ALL_TIME)).toEqual(await reference.activeUsers(ALL_TIME));
      expect(await first!.checkpoint()).toEqual(log.head);
    });

    it('keeps its counters and checkpoint across a restart (a new store on the same keys)', async () => {
      await new RedisAnalyticsStore({ client: clients[0]!, keyPrefix }).applyBatch(log.events.slice(0, 30));
      const restarted = new RedisAnalyticsStore({ client: clients[1]!, keyPrefix });
      await restarted.applyBatch(log.events);
      expect((await restarted.topRooms('hour', ALL_TIME, 10)).reduce((sum, room) => sum + room.messages, 0)).toBe(60);
      expect(await restarted.checkpoint()).toEqual(log.head);
    });

    it('stores nothing for a batch it has already applied, and keeps stores with other prefixes apart', async () => {
      const store = new RedisAnalyticsStore({ client: clients[0]!, keyPrefix });
      await store.applyBatch(log.events);
      const keys = await countKeys(clients[0]!, keyPrefix);
      const before = await store.topRooms('minute', ALL_TIME, 10);
      await store.applyBatch(log.events);
      expect(await countKeys(clients[0]!, keyPrefix)).toBe(keys);
      expect(await store.topRooms('minute', ALL_TIME, 10)).toEqual(before);
      const rebuild = new RedisAnalyticsStore({ client: clients[0]!, keyPrefix: `${keyPrefix}rebuild:` });
      expect(await rebuild.topRooms('minute', ALL_TIME, 10)).toEqual([]);
      expect(await rebuild.checkpoint()).toEqual({});
    });

    it('frees what retention drops: old minute buckets and days leave Redis, not only the answers', async () => {
      const store = new RedisAnalyticsStore({ client: clients[0]!, keyPrefix });
      await store.applyBatch(log.events);
      const later = new RecordedEventLog({ startAt: T0 + 100 * 24 * HOUR_MS, firstPosition: 1000 });
      later.createRoom('r-9', 'r-9', 'public', 'u-carol');
      later.send('r-9', 'u-carol', 'much later');
      await store.applyBatch(later.events);
      const left = await clients[0]!.keys(`${keyPrefix}*`);
      expect(left.filter((key) => key.includes(':bucket:minute:') || key.includes(':day:')).length).toBe(2);
      expect(left.some((key) => key.endsWith(':room:minute:r-1'))).toBe(false);
    });
  });
});

describe('RedisAnalyticsStore while Redis is unreachable', () => {
  it('answers reads with UNAVAILABLE (503) and refuses a batch, so the projector retries it later', async () => {
    const client = await unreachableRedis();
    const store = new RedisAnalyticsStore({ client, keyPrefix: 'unreachable:' });
    for (const read of [store.topRooms('hour', ALL_TIME, 10), store.activeUsers(ALL_TIME), store.messageSizes(), store.roomMessages('r-1', 'minute', ALL_TIME)]) {
      await expect(read).rejects.toBeInstanceOf(UnavailableError);
    }
    const log = new RecordedEventLog({ startAt: T0 });
    log.createRoom('r-1', 'r-1', 'public', 'u-alice');
    await expect(store.applyBatch(log.events)).rejects.toThrow();
    await quit(client);
  });
});
