import type { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { LimiterFactory } from './rateLimiter.js';

/**
 * Budgets kept in Redis, so every api and gateway process counts against the same ones. There is deliberately no
 * insuranceLimiter: it would fall back to per-process memory and let a client through N times over while Redis is
 * down; without it a store failure rejects with an Error, which RateLimiter turns into RATE_LIMIT_UNAVAILABLE.
 */
export function redisLimiterFactory(client: Redis, keyPrefix: string): LimiterFactory {
  return (rule, name) => {
    // RateLimiterRedis sets TTLs in whole seconds (a fraction would become 0: a counter that never expires).
    if (!Number.isInteger(rule.durationSeconds) || (rule.blockSeconds !== undefined && !Number.isInteger(rule.blockSeconds))) {
      throw new RangeError(`Redis rate limit ${name}: durations must be whole seconds, got ${JSON.stringify(rule)}`);
    }
    return new RateLimiterRedis({
      storeClient: client,
      keyPrefix: `${keyPrefix}${name}`,
      points: rule.points,
      duration: rule.durationSeconds,
      blockDuration: rule.blockSeconds ?? 0,
      // Refuse at once when the connection is not up, instead of handing the command to ioredis first.
      rejectIfRedisNotReady: true,
    });
  };
}
