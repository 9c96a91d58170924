import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PresenceService } from '../../src/presence/presenceService.js';
import type { PresenceTransition } from '../../src/presence/presenceTracker.js';
import { RedisPresenceTracker } from '../../src/presence/redisPresenceTracker.js';
import { connectRedis, createRedisClient } from '../../src/redis/redisClient.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, quit, testKeyPrefix, unreachableRedis } from '../support/redis.js';
import { TcpProxy } from '../support/tcpProxy.js';
import { presenceTrackerContract } from './presenceTrackerContract.js';

const TTL = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describeWithServices('RedisPresenceTracker', ['REDIS_URL'], (env) => {
  presenceTrackerContract('Redis (real server)', async (options) => {
    const client = await openRedis(env('REDIS_URL'));
    const keyPrefix = testKeyPrefix('presence');
    return {
      tracker: new RedisPresenceTracker({ client, keyPrefix, ...options }),
      cleanup: async () => {
        await deleteKeys(client, keyPrefix);
        await quit(client);
      },
    };
  });

  describe('several gateways on one Redis', () => {
    let clients: Redis[];
    let keyPrefix: string;
    let now: number;
    const clock = { now: () => now };
    const gateway = (index: number, sweepBatchSize?: number) =>
      new RedisPresenceTracker({ client: clients[index % clients.length]!, keyPrefix, ttlMs: TTL, clock, sweepBatchSize });

    beforeEach(async () => {
      clients = await Promise.all([0, 1, 2].map(() => openRedis(env('REDIS_URL'))));
      keyPrefix = testKeyPrefix('presence');
      now = T0;
    });

    afterEach(async () => {
      await deleteKeys(clients[0]!, keyPrefix);
      await Promise.all(clients.map(quit));
    });

    it('counts a user connected through two gateways once, and online until the last closes', async () => {
      const [a, b] = [gateway(0), gateway(1)];
      expect(await a.connect('u-alice', 'gw-a:c-1', T0)).toMatchObject({ online: true });
      expect(await b.connect('u-alice', 'gw-b:c-1', T0 + 1000)).toBeUndefined();
      expect(await a.disconnect('u-alice', 'gw-a:c-1', T0 + 2000)).toBeUndefined();
      expect(await a.get(['u-alice'])).toMatchObject([{ online: true }]);
      expect(await b.disconnect('u-alice', 'gw-b:c-1', T0 + 3000)).toEqual({ userId: 'u-alice', online: false, at: T0 + 3000 });
    });

    it('three gateways sweeping at once report each expired user offline exactly once', async () => {
      const writer = gateway(0);
      const users = Array.from({ length: 60 }, (_, i) => `u-${i}`);
      for (const userId of users) await writer.connect(userId, `c-${userId}`, T0);
      // Small batches make the sweeps interleave within one sweep as well as across the three of them.
      const sweepers = [gateway(0, 7), gateway(1, 7), gateway(2, 7)];
      now = T0 + TTL + 1;
      const results = await Promise.all(sweepers.map((sweeper) => sweeper.sweep(now)));
      const reported = results.flat();
      expect(reported.map((transition) => transition.userId).sort()).toEqual([...users].sort());
      expect(new Set(reported.map((transition) => transition.userId)).size).toBe(users.length);
      expect(reported.every((transition) => !transition.online && transition.at === T0)).toBe(true);
      expect(await Promise.all(sweepers.map((sweeper) => sweeper.sweep(now + 1)))).toEqual([[], [], []]);
    });

    it('a sweep by one gateway spares a user who heartbeats through another', async () => {
      const [a, b] = [gateway(0), gateway(1)];
      await a.connect('u-alice', 'c-1', T0);
      await b.heartbeat('u-alice', 'c-1', T0 + 50_000);
      expect(await b.sweep(T0 + TTL + 1)).toEqual([]);
      expect(await a.sweep(T0 + 50_000 + TTL + 1)).toEqual([{ userId: 'u-alice', online: false, at: T0 + 50_000 }]);
    });

    it('keeps presence after the tracker is closed and a new one opened (a gateway restart)', async () => {
      await gateway(0).connect('u-alice', 'c-1', T0);
      await gateway(0).close();
      expect(await gateway(1).get(['u-alice'])).toEqual([
        { userId: 'u-alice', online: true, lastSeenAt: new Date(T0).toISOString() },
      ]);
    });
  });

  describe('Redis outage: presence degrades and recovers (a TCP proxy is cut and restored)', () => {
    let proxy: TcpProxy;
    let client: Redis;
    let observer: Redis;
    let keyPrefix: string;
    let service: PresenceService;
    let heard: PresenceTransition[];
    let now: number;

    beforeAll(async () => {
      const target = new URL(env('REDIS_URL'));
      proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
    });

    afterAll(async () => {
      await proxy.close();
    });

    beforeEach(async () => {
      await proxy.restore();
      keyPrefix = testKeyPrefix('presence');
      client = createRedisClient({ url: proxy.proxiedUrl(env('REDIS_URL')), connectTimeoutMs: 500, maxReconnectDelayMs: 50 });
      expect(await connectRedis(client)).toBe(true);
      observer = await openRedis(env('REDIS_URL'));
      now = T0;
      const clock = { now: () => now };
      service = new PresenceService({ tracker: new RedisPresenceTracker({ client, keyPrefix, ttlMs: TTL, clock }), clock, ttlMs: TTL });
      heard = [];
      service.onTransition((transition) => {
        heard.push(transition);
      });
    });

    afterEach(async () => {
      await service.stop();
      await deleteKeys(observer, keyPrefix);
      await Promise.all([quit(client), quit(observer)]);
    });

    /** The outage: the proxy drops the tracker's connection and refuses new ones until `restore`. */
    async function outage(): Promise<void> {
      const closed = once(client, 'close');
      await proxy.cut();
      await closed;
    }

    async function recovery(): Promise<void> {
      const ready = once(client, 'ready');
      await proxy.restore();
      await ready;
    }

    it('never throws at the gateway while Redis is down, and answers offline, never seen', async () => {
      await service.connect('u-alice', 'c-1');
      await outage();

      await expect(service.connect('u-bob', 'c-2')).resolves.toBeUndefined();
      await expect(service.heartbeat('u-alice', 'c-1')).resolves.toBeUndefined();
      await expect(service.disconnect('u-carol', 'c-3')).resolves.toBeUndefined();
      await expect(service.sweep()).resolves.toEqual([]);
      expect(await service.get(['u-alice', 'u-bob'])).toEqual([
        { userId: 'u-alice', online: false, lastSeenAt: null },
        { userId: 'u-bob', online: false, lastSeenAt: null },
      ]);
      expect(service.isDegraded).toBe(true);
      expect(heard).toEqual([{ userId: 'u-alice', online: true, at: T0 }]);
    });

    it('recovers when Redis returns: connections made during the outage are registered and announced', async () => {
      await service.connect('u-alice', 'c-1');
      await outage();
      now = T0 + 1000;
      await service.connect('u-bob', 'c-2');
      now = T0 + 2000;
      await service.heartbeat('u-alice', 'c-1');
      expect(heard).toEqual([{ userId: 'u-alice', online: true, at: T0 }]);

      await recovery();
      now = T0 + 3000;
      // The sweeper's tick: with nobody connecting or ponging, it is what brings presence back.
      await service.sweep();
      expect(service.isDegraded).toBe(false);
      expect(heard).toEqual([
        { userId: 'u-alice', online: true, at: T0 },
        { userId: 'u-bob', online: true, at: T0 + 3000 },
      ]);
      const iso = (ms: number) => new Date(ms).toISOString();
      expect(await service.get(['u-alice', 'u-bob'])).toEqual([
        { userId: 'u-alice', online: true, lastSeenAt: iso(T0 + 3000) },
        { userId: 'u-bob', online: true, lastSeenAt: iso(T0 + 3000) },
      ]);
    });

    it('after recovery, closes and expiries work as before; a close missed during the outage expires by TTL', async () => {
      await service.connect('u-alice', 'c-1');
      await service.connect('u-carol', 'c-3');
      await outage();
      now = T0 + 1000;
      // Carol's close happens while Redis is down: the tracker never hears of it.
      await service.disconnect('u-carol', 'c-3');
      await recovery();

      now = T0 + 2000;
      expect(await service.disconnect('u-alice', 'c-1')).toEqual({ userId: 'u-alice', online: false, at: T0 + 2000 });
      expect(service.isDegraded).toBe(false);
      now = T0 + TTL + 1;
      expect(await service.sweep()).toEqual([{ userId: 'u-carol', online: false, at: T0 }]);
      expect(heard.filter((transition) => !transition.online)).toEqual([
        { userId: 'u-alice', online: false, at: T0 + 2000 },
        { userId: 'u-carol', online: false, at: T0 },
      ]);
    });
  });
});

describe('PresenceService over a Redis that is never reachable', () => {
  let client: Redis;
  let service: PresenceService;

  beforeAll(async () => {
    client = await unreachableRedis();
    const clock = { now: () => T0 };
    service = new PresenceService({
      tracker: new RedisPresenceTracker({ client, keyPrefix: 'unreachable:', ttlMs: TTL, clock }),
      clock,
      ttlMs: TTL,
    });
  });

  afterAll(async () => {
    await service.stop();
    await quit(client);
  });

  it('degrades instead of failing: every call resolves, nobody is online', async () => {
    await expect(service.connect('u-alice', 'c-1')).resolves.toBeUndefined();
    await expect(service.heartbeat('u-alice', 'c-1')).resolves.toBeUndefined();
    await expect(service.sweep()).resolves.toEqual([]);
    await expect(service.disconnect('u-alice', 'c-1')).resolves.toBeUndefined();
    expect(await service.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: null }]);
    expect(service.isDegraded).toBe(true);
  });
});
