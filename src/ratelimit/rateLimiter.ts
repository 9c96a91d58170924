import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError, type ErrorCode } from '../domain/errors.js';

/** One budget: `points` per `durationSeconds`, optionally blocking for `blockSeconds` once exhausted. */
export interface RateLimitRule {
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

/** Makes the store-backed limiter of one budget: in memory by default, RateLimiterRedis in the distributed mode. */
export type LimiterFactory = (rule: RateLimitRule, keyPrefix: string) => RateLimiterAbstract;

/** What a client is told to wait when the limits cannot be checked: long enough not to hammer a degraded service. */
export const STORE_UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/**
 * The refusal for a call whose limits could not be checked because the store (Redis) failed. Rate limits fail
 * closed: letting the call through would make an outage of the store an outage of every limit.
 */
export function rateLimitUnavailable(cause: unknown): RateLimitedError {
  return new RateLimitedError(
    'rate limits cannot be checked right now; try again shortly',
    STORE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    'RATE_LIMIT_UNAVAILABLE',
    { cause },
  );
}

/**
 * A named limit over several budgets at once (for sends: 5 per second and 20 per minute). `consume` throws a
 * RateLimitedError carrying the longest wait any exhausted budget asks for, or RATE_LIMIT_UNAVAILABLE when a
 * budget's store cannot answer.
 */
export class RateLimiter {
  private readonly limiters: RateLimiterAbstract[];

  constructor(
    private readonly name: string,
    rules: RateLimitRule[],
    private readonly code: ErrorCode = 'RATE_LIMIT_EXCEEDED',
    makeLimiter: LimiterFactory = memoryLimiter,
  ) {
    this.limiters = rules.map((rule, index) => makeLimiter(rule, `${name}:${index}`));
  }

  async consume(key: string, points = 1): Promise<void> {
    const results = await Promise.allSettled(this.limiters.map((limiter) => limiter.consume(key, points)));
    let waitMs = 0;
    for (const result of results) {
      if (result.status === 'fulfilled') continue;
      // rate-limiter-flexible rejects with a RateLimiterRes when over budget and with an Error when its store fails.
      if (!(result.reason instanceof RateLimiterRes)) throw rateLimitUnavailable(result.reason);
      waitMs = Math.max(waitMs, result.reason.msBeforeNext);
    }
    if (results.some((result) => result.status === 'rejected')) {
      throw new RateLimitedError(`${this.name} limit exceeded`, Math.max(1, Math.ceil(waitMs / 1000)), this.code);
    }
  }

  /** Seconds until `key` may try again, or 0 when it is not blocked; consumes nothing. */
  async blockedFor(key: string): Promise<number> {
    let waitMs = 0;
    for (const limiter of this.limiters) {
      const state = await limiter.get(key).catch((error: unknown) => {
        throw rateLimitUnavailable(error);
      });
      if (state && state.remainingPoints <= 0) waitMs = Math.max(waitMs, state.msBeforeNext);
    }
    return Math.ceil(waitMs / 1000);
  }

  async reset(key: string): Promise<void> {
    try {
      await Promise.all(this.limiters.map((limiter) => limiter.delete(key)));
    } catch (error) {
      throw rateLimitUnavailable(error);
    }
  }
}

export function memoryLimiter(rule: RateLimitRule, keyPrefix: string): RateLimiterAbstract {
  return new RateLimiterMemory({
    keyPrefix,
    points: rule.points,
    duration: rule.durationSeconds,
    blockDuration: rule.blockSeconds ?? 0,
  });
}
