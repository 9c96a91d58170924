import { once } from 'node:events';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LoginLockout } from '../../src/auth/loginLockout.js';
import { RateLimitedError } from '../../src/domain/errors.js';
import { RateLimiter, STORE_UNAVAILABLE_RETRY_AFTER_SECONDS, type RateLimitRule } from '../../src/ratelimit/rateLimiter.js';
import { redisLimiterFactory } from '../../src/ratelimit/redisLimiterFactory.js';
import { connectRedis, createRedisClient } from '../../src/redis/redisClient.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, quit, testKeyPrefix, unreachableRedis } from '../support/redis.js';
import { TcpProxy } from '../support/tcpProxy.js';
import { consumeTimes, rateLimiterContract, refusalOf } from './rateLimiterContract.js';

// RateLimiterRedis keeps its windows by Redis's clock, which a test cannot move: the tests here use windows far
// longer than they run and assert counts and bounds, never how long anything took.

const LOCKOUT = { maxFailures: 5, lockoutSeconds: 15 * 60 };

describeWithServices('Redis rate limits (RateLimiterRedis)', ['REDIS_URL'], (env) => {
  rateLimiterContract('Redis (real server)', async () => {
    const client = await openRedis(env('REDIS_URL'));
    const keyPrefix = testKeyPrefix('ratelimit');
    return {
      factory: redisLimiterFactory(client, keyPrefix),
      cleanup: async () => {
        await deleteKeys(client, keyPrefix);
        await quit(client);
      },
    };
  });

  describe('Redis rate limit specifics: one budget for every process, whole-second windows, outages', () => {
    let api: Redis;
    let gateway: Redis;
    let prefix: string;
    let run = 0;

    /** A limiter as one process builds it; processes built with the same prefix share the budgets. */
    const limiter = (client: Redis, name: string, rules: RateLimitRule[]) =>
      new RateLimiter(name, rules, 'RATE_LIMIT_EXCEEDED', redisLimiterFactory(client, prefix));
    const lockout = (client: Redis) =>
      new LoginLockout(
        LOCKOUT,
        redisLimiterFactory(client, prefix)({ points: LOCKOUT.maxFailures, durationSeconds: LOCKOUT.lockoutSeconds }, 'login-failures'),
      );

    beforeAll(async () => {
      api = await openRedis(env('REDIS_URL'));
      gateway = await openRedis(env('REDIS_URL'));
    });

    afterAll(async () => {
      await Promise.all([quit(api), quit(gateway)]);
    });

    beforeEach(() => {
      // A prefix per test: no test inherits another's counters, and deleteKeys cleans exactly what the test wrote.
      prefix = `${testKeyPrefix('ratelimit')}${run++}:`;
      return async () => {
        await deleteKeys(api, prefix);
      };
    });

    it('is one budget for every process: calls through two connections add up', async () => {
      const [viaApi, viaGateway] = [limiter(api, 'send', [{ points: 5, durationSeconds: 60 }]), limiter(gateway, 'send', [{ points: 5, durationSeconds: 60 }])];
      await consumeTimes(viaApi, 'alice', 3);
      await consumeTimes(viaGateway, 'alice', 2);
      expect((await refusalOf(viaApi, 'alice'))?.code).toBe('RATE_LIMIT_EXCEEDED');
      expect((await refusalOf(viaGateway, 'alice'))?.code).toBe('RATE_LIMIT_EXCEEDED');
    });

    it('counts concurrent calls exactly: of 20 at once against a budget of 7, 7 pass', async () => {
      const rules = [{ points: 7, durationSeconds: 60 }];
      const processes = [limiter(api, 'send', rules), limiter(gateway, 'send', rules)];
      const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => refusalOf(processes[i % 2]!, 'alice')));
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(7);
      expect(outcomes.filter((outcome) => outcome?.code === 'RATE_LIMIT_EXCEEDED')).toHaveLength(13);
    });

    it('blockedFor() and reset() act on the shared budget', async () => {
      const [viaApi, viaGateway] = [limiter(api, 'send', [{ points: 2, durationSeconds: 60 }]), limiter(gateway, 'send', [{ points: 2, durationSeconds: 60 }])];
      expect(await viaGateway.blockedFor('alice')).toBe(0);
      await consumeTimes(viaApi, 'alice', 2);
      const wait = await viaGateway.blockedFor('alice');
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      expect(await viaGateway.blockedFor('alice')).toBeLessThanOrEqual(wait);
      await viaGateway.reset('alice');
      expect(await viaApi.blockedFor('alice')).toBe(0);
      expect(await refusalOf(viaApi, 'alice')).toBeUndefined();
    });

    it('refuses a rule whose window is not whole seconds (Redis TTLs are), rather than never expiring it', () => {
      expect(() => limiter(api, 'typing', [{ points: 1, durationSeconds: 0.5 }])).toThrow(RangeError);
    });

    describe('login lockout on Redis', () => {
      it('locks on the 5th failure, counted across processes, with ACCOUNT_LOCKED and the lockout period', async () => {
        const [viaApi, viaOther] = [lockout(api), lockout(gateway)];
        for (let i = 0; i < 3; i++) await viaApi.recordFailure('alice');
        for (let i = 0; i < 2; i++) await viaOther.recordFailure('alice');
        for (const process of [viaApi, viaOther]) {
          const lock = await process.assertNotLocked('alice').then(
            () => undefined,
            (error: unknown) => error,
          );
          expect(lock).toBeInstanceOf(RateLimitedError);
          expect(lock).toMatchObject({ code: 'ACCOUNT_LOCKED' });
          if (!(lock instanceof RateLimitedError)) return;
          expect(lock.retryAfterSeconds).toBeGreaterThan(LOCKOUT.lockoutSeconds - 60);
          expect(lock.retryAfterSeconds).toBeLessThanOrEqual(LOCKOUT.lockoutSeconds);
        }
        await expect(viaApi.assertNotLocked('bob')).resolves.toBeUndefined();
      });

      it('stays locked when more failures come, and a success elsewhere resets the count', async () => {
        const [viaApi, viaOther] = [lockout(api), lockout(gateway)];
        for (let i = 0; i < 7; i++) await viaApi.recordFailure('carol');
        await expect(viaOther.assertNotLocked('carol')).rejects.toMatchObject({ code: 'ACCOUNT_LOCKED' });
        for (let i = 0; i < 4; i++) await viaApi.recordFailure('dave');
        await viaOther.recordSuccess('dave');
        for (let i = 0; i < 4; i++) await viaApi.recordFailure('dave');
        await expect(viaApi.assertNotLocked('dave')).resolves.toBeUndefined();
      });
    });

    describe('Redis outage (a TCP proxy cut and restored): fails closed, then recovers', () => {
      let proxy: TcpProxy;
      let client: Redis;

      beforeAll(async () => {
        const target = new URL(env('REDIS_URL'));
        proxy = await TcpProxy.start(target.hostname, Number(target.port || 6379));
        client = createRedisClient({ url: proxy.proxiedUrl(env('REDIS_URL')), connectTimeoutMs: 500, maxReconnectDelayMs: 50 });
        expect(await connectRedis(client)).toBe(true);
      });

      afterAll(async () => {
        await quit(client);
        await proxy.close();
      });

      it('refuses every call with RATE_LIMIT_UNAVAILABLE while Redis is unreachable, and counts on as before after', async () => {
        const send = limiter(client, 'send', [{ points: 3, durationSeconds: 60 }]);
        const logins = lockout(client);
        await send.consume('alice');

        const closed = once(client, 'close');
        await proxy.cut();
        await closed;
        for (let i = 0; i < 5; i++) {
          const refusal = await refusalOf(send, 'alice');
          expect(refusal?.code).toBe('RATE_LIMIT_UNAVAILABLE');
          expect(refusal?.retryAfterSeconds).toBe(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS);
        }
        await expect(logins.assertNotLocked('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
        await expect(logins.recordFailure('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });

        const ready = once(client, 'ready');
        await proxy.restore();
        await ready;
        // The call before the outage still counts, and none of the refused ones did: 2 more pass, then the limit.
        await consumeTimes(send, 'alice', 2);
        expect((await refusalOf(send, 'alice'))?.code).toBe('RATE_LIMIT_EXCEEDED');
        await expect(logins.assertNotLocked('alice')).resolves.toBeUndefined();
      });
    });
  });
});

describe('Redis rate limits while Redis is never reachable (127.0.0.1:1)', () => {
  let client: Redis;

  beforeAll(async () => {
    client = await unreachableRedis();
  });

  afterAll(async () => {
    await quit(client);
  });

  it('fail closed: every consume is refused with RATE_LIMIT_UNAVAILABLE, none admitted', async () => {
    const send = new RateLimiter('send', [{ points: 100, durationSeconds: 60 }], 'RATE_LIMIT_EXCEEDED', redisLimiterFactory(client, 'unreachable:'));
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => refusalOf(send, 'alice')));
    expect(outcomes.map((outcome) => outcome?.code)).toEqual(Array(10).fill('RATE_LIMIT_UNAVAILABLE'));
    await expect(send.blockedFor('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
  });

  it('the login lockout refuses the attempt instead of letting an uncounted login through', async () => {
    const logins = new LoginLockout(
      LOCKOUT,
      redisLimiterFactory(client, 'unreachable:')({ points: LOCKOUT.maxFailures, durationSeconds: LOCKOUT.lockoutSeconds }, 'login-failures'),
    );
    await expect(logins.assertNotLocked('alice')).rejects.toMatchObject({
      code: 'RATE_LIMIT_UNAVAILABLE',
      retryAfterSeconds: STORE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    });
  });
});
