import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RateLimitedError } from '../../src/domain/errors.js';
import { memoryLimiter, RateLimiter, STORE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../src/ratelimit/rateLimiter.js';
import { consumeTimes, rateLimiterContract, refusalOf } from './rateLimiterContract.js';

rateLimiterContract('memory', async () => ({ factory: memoryLimiter, cleanup: async () => undefined }));

// API.md: per user at most 5 messages per second and 20 per 60 seconds.
const SEND_RULES = [
  { points: 5, durationSeconds: 1 },
  { points: 20, durationSeconds: 60 },
];

describe('RateLimiter on memory budgets, under a fake clock (exact waits)', () => {
  let limiter: RateLimiter;

  // The memory limiter reads Date.now() and expires keys with timers: faking both keeps "the same second" exact.
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') });
    limiter = new RateLimiter('send', SEND_RULES);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('admits again the moment the second is over', async () => {
    await consumeTimes(limiter, 'alice', 5);
    expect(await refusalOf(limiter, 'alice')).toBeDefined();
    await vi.advanceTimersByTimeAsync(1000);
    expect(await refusalOf(limiter, 'alice')).toBeUndefined();
  });

  it('refuses the 21st call within 60 seconds even at 5 per second, asking to wait for the minute budget', async () => {
    for (let second = 0; second < 4; second++) {
      await consumeTimes(limiter, 'alice', 5);
      await vi.advanceTimersByTimeAsync(1000);
    }
    // 4 s in: the per-second budget is fresh, the per-minute one is spent until 60 s after the first call.
    const refusal = await refusalOf(limiter, 'alice');
    expect(refusal?.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(refusal?.retryAfterSeconds).toBe(56);
  });

  it('reports the longest wait when both budgets are spent', async () => {
    for (let second = 0; second < 3; second++) {
      await consumeTimes(limiter, 'alice', 5);
      await vi.advanceTimersByTimeAsync(1000);
    }
    await consumeTimes(limiter, 'alice', 5);
    expect((await refusalOf(limiter, 'alice'))?.retryAfterSeconds).toBe(57);
  });

  describe('blockedFor()', () => {
    it('says how long a spent key must wait, and consumes nothing', async () => {
      await consumeTimes(limiter, 'alice', 5);
      expect(await limiter.blockedFor('alice')).toBe(1);
      expect(await limiter.blockedFor('alice')).toBe(1);
      await vi.advanceTimersByTimeAsync(1000);
      expect(await limiter.blockedFor('alice')).toBe(0);
    });

    it('reports the per-minute wait once that budget is spent', async () => {
      for (let second = 0; second < 4; second++) {
        await consumeTimes(limiter, 'alice', 5);
        await vi.advanceTimersByTimeAsync(1000);
      }
      expect(await limiter.blockedFor('alice')).toBe(56);
    });
  });

  it('blocks for blockSeconds once a rule with a block is exhausted', async () => {
    const strict = new RateLimiter('login', [{ points: 2, durationSeconds: 1, blockSeconds: 30 }]);
    await consumeTimes(strict, 'alice', 2);
    expect((await refusalOf(strict, 'alice'))?.retryAfterSeconds).toBe(30);
    await vi.advanceTimersByTimeAsync(2000);
    expect(await refusalOf(strict, 'alice')).toBeDefined();
    expect(await strict.blockedFor('alice')).toBe(28);
  });

  it("takes a window shorter than a second (the gateway's typing interval, kept per process in memory)", async () => {
    const typing = new RateLimiter('typing', [{ points: 1, durationSeconds: 0.5 }]);
    await typing.consume('alice');
    expect((await refusalOf(typing, 'alice'))?.retryAfterSeconds).toBe(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(await refusalOf(typing, 'alice')).toBeUndefined();
  });

  describe('when a budget\'s store fails (fails closed)', () => {
    // Rejects like a Redis-backed limiter does when Redis is unreachable: with an Error, not a RateLimiterRes.
    class BrokenStore extends RateLimiterMemory {
      override consume(): Promise<never> {
        return Promise.reject(new Error('store is down'));
      }
      override get(): Promise<never> {
        return Promise.reject(new Error('store is down'));
      }
      override delete(): Promise<never> {
        return Promise.reject(new Error('store is down'));
      }
    }
    const halfBroken = (): RateLimiter =>
      new RateLimiter('send', SEND_RULES, 'RATE_LIMIT_EXCEEDED', (rule, keyPrefix) =>
        rule.durationSeconds === 60
          ? new BrokenStore({ keyPrefix, points: rule.points, duration: rule.durationSeconds })
          : new RateLimiterMemory({ keyPrefix, points: rule.points, duration: rule.durationSeconds }),
      );

    it('refuses the call with RATE_LIMIT_UNAVAILABLE, not as over budget, keeping the cause for the logs', async () => {
      const refusal = await refusalOf(halfBroken(), 'alice');
      expect(refusal).toBeInstanceOf(RateLimitedError);
      expect(refusal?.code).toBe('RATE_LIMIT_UNAVAILABLE');
      expect(refusal?.retryAfterSeconds).toBe(STORE_UNAVAILABLE_RETRY_AFTER_SECONDS);
      expect(refusal?.details).toEqual({ retryAfterSeconds: STORE_UNAVAILABLE_RETRY_AFTER_SECONDS });
      expect(refusal?.cause).toEqual(new Error('store is down'));
    });

    it('refuses even a key whose other budgets are unspent, every time', async () => {
      const limiter = halfBroken();
      for (let i = 0; i < 3; i++) expect((await refusalOf(limiter, 'alice'))?.code).toBe('RATE_LIMIT_UNAVAILABLE');
    });

    it('blockedFor() and reset() fail the same way', async () => {
      const limiter = halfBroken();
      await expect(limiter.blockedFor('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
      await expect(limiter.reset('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
    });
  });
});
