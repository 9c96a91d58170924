import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { RateLimitedError } from '../domain/errors.js';
import { rateLimitUnavailable } from '../ratelimit/rateLimiter.js';

export interface LoginLockoutOptions {
  maxFailures: number;
  lockoutSeconds: number;
}

/**
 * API.md: 5 failed logins lock an account for 15 minutes. Counted per normalised username (not per IP), so a
 * password-guessing botnet is stopped too; a success clears the count. The lock starts at the last failure.
 * When the counter's store (Redis) fails, every call refuses with RATE_LIMIT_UNAVAILABLE: a login that cannot be
 * counted is not attempted, or an outage would lift the lock for everybody.
 */
export class LoginLockout {
  private readonly limiter: RateLimiterAbstract;

  constructor(
    private readonly options: LoginLockoutOptions,
    limiter?: RateLimiterAbstract,
  ) {
    this.limiter =
      limiter ??
      new RateLimiterMemory({
        keyPrefix: 'login-failures',
        points: options.maxFailures,
        duration: options.lockoutSeconds,
      });
  }

  async assertNotLocked(username: string): Promise<void> {
    const state = await this.limiter.get(username).catch((error: unknown) => {
      throw rateLimitUnavailable(error);
    });
    if (state && state.consumedPoints >= this.options.maxFailures) {
      throw new RateLimitedError(
        'too many failed logins: the account is locked for a while',
        Math.max(1, Math.ceil(state.msBeforeNext / 1000)),
        'ACCOUNT_LOCKED',
      );
    }
  }

  async recordFailure(username: string): Promise<void> {
    try {
      const state = await this.limiter.consume(username);
      if (state.remainingPoints === 0) await this.limiter.block(username, this.options.lockoutSeconds);
    } catch (error) {
      // Already over budget: the account is locked and stays so; anything else is a store failure.
      if (!(error instanceof RateLimiterRes)) throw rateLimitUnavailable(error);
    }
  }

  async recordSuccess(username: string): Promise<void> {
    await this.limiter.delete(username).catch((error: unknown) => {
      throw rateLimitUnavailable(error);
    });
  }
}
