import type { ResolutionContext } from 'inversify';
import { memoryLimiter, type LimiterFactory } from '../ratelimit/rateLimiter.js';
import { redisLimiterFactory } from '../ratelimit/redisLimiterFactory.js';
import { resolve, TOKENS } from './tokens.js';

/**
 * Where the budgets every process must share (logins, auth calls, sends, email searches) are kept, as
 * RATE_LIMIT_STORE says: process memory, or Redis under `<REDIS_KEY_PREFIX>ratelimit:`, one budget across every
 * process, failing closed. The one place that builds it, so no budget can land under another prefix.
 */
export async function limiterFactory(context: ResolutionContext): Promise<LimiterFactory> {
  const config = await resolve(context, TOKENS.config);
  const store = config.stores.rateLimit;
  switch (store) {
    case 'memory':
      return memoryLimiter;
    case 'redis':
      return redisLimiterFactory(await resolve(context, TOKENS.redis), `${config.redis.keyPrefix}ratelimit:`);
    default: {
      const unknown: never = store;
      throw new Error(`RATE_LIMIT_STORE: no adapter for ${JSON.stringify(unknown)}`);
    }
  }
}
