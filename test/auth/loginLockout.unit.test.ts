import { RateLimiterMemory } from 'rate-limiter-flexible';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LoginLockout } from '../../src/auth/loginLockout.js';
import { RateLimitedError } from '../../src/domain/errors.js';
import { STORE_UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../src/ratelimit/rateLimiter.js';

// API.md: 5 failed logins lock an account for 15 minutes.
const OPTIONS = { maxFailures: 5, lockoutSeconds: 15 * 60 };

/** The lock error, or undefined when `username` may try to log in. */
async function lockOf(lockout: LoginLockout, username: string): Promise<RateLimitedError | undefined> {
  try {
    await lockout.assertNotLocked(username);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw error;
  }
}

async function fail(lockout: LoginLockout, username: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await lockout.recordFailure(username);
}

describe('LoginLockout (default in-memory limiter)', () => {
  let lockout: LoginLockout;

  // The memory limiter reads Date.now() and expires keys with timers: faking both makes time exact and steppable.
  beforeEach(() => {
    vi.useFakeTimers({ now: new Date('2025-06-01T12:00:00Z') });
    lockout = new LoginLockout(OPTIONS);
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('does not lock an account nobody has failed on', async () => {
    expect(await lockOf(lockout, 'alice')).toBeUndefined();
  });

  it('does not lock after 4 failures', async () => {
    await fail(lockout, 'alice', 4);
    expect(await lockOf(lockout, 'alice')).toBeUndefined();
  });

  it('locks on the 5th failure with ACCOUNT_LOCKED and a retry-after of the lockout period', async () => {
    await fail(lockout, 'alice', 5);
    const lock = await lockOf(lockout, 'alice');
    expect(lock).toBeInstanceOf(RateLimitedError);
    expect(lock?.code).toBe('ACCOUNT_LOCKED');
    expect(lock?.retryAfterSeconds).toBe(OPTIONS.lockoutSeconds);
    expect(lock?.details).toEqual({ retryAfterSeconds: OPTIONS.lockoutSeconds });
  });

  it('counts the retry-after down and unlocks when the lockout period is over', async () => {
    await fail(lockout, 'alice', 5);
    await vi.advanceTimersByTimeAsync(10 * 60 * 1000);
    expect((await lockOf(lockout, 'alice'))?.retryAfterSeconds).toBe(5 * 60);
    await vi.advanceTimersByTimeAsync(5 * 60 * 1000 - 1);
    expect((await lockOf(lockout, 'alice'))?.retryAfterSeconds).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await lockOf(lockout, 'alice')).toBeUndefined();
  });

  it('starts the lock at the last failure, not the first', async () => {
    await fail(lockout, 'alice', 4);
    await vi.advanceTimersByTimeAsync((OPTIONS.lockoutSeconds - 1) * 1000);
    await fail(lockout, 'alice', 1);
    // Past the end of the first failure's window: still locked, for the full period from the 5th failure.
    await vi.advanceTimersByTimeAsync(2000);
    expect((await lockOf(lockout, 'alice'))?.retryAfterSeconds).toBe(OPTIONS.lockoutSeconds - 2);
  });

  it('starts counting afresh after a lock has run out', async () => {
    await fail(lockout, 'alice', 5);
    await vi.advanceTimersByTimeAsync(OPTIONS.lockoutSeconds * 1000);
    await fail(lockout, 'alice', 4);
    expect(await lockOf(lockout, 'alice')).toBeUndefined();
    await fail(lockout, 'alice', 1);
    expect(await lockOf(lockout, 'alice')).toBeInstanceOf(RateLimitedError);
  });

  it('keeps a locked account locked when more failures are recorded, without throwing', async () => {
    await fail(lockout, 'alice', 5);
    await expect(fail(lockout, 'alice', 3)).resolves.toBeUndefined();
    expect((await lockOf(lockout, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
  });

  it('a success resets the failure count', async () => {
    await fail(lockout, 'alice', 4);
    await lockout.recordSuccess('alice');
    await fail(lockout, 'alice', 4);
    expect(await lockOf(lockout, 'alice')).toBeUndefined();
    await fail(lockout, 'alice', 1);
    expect((await lockOf(lockout, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
  });

  it('a success for a user who never failed is harmless', async () => {
    await expect(lockout.recordSuccess('nobody')).resolves.toBeUndefined();
    expect(await lockOf(lockout, 'nobody')).toBeUndefined();
  });

  it('counts per username: one locked account does not lock or count against another', async () => {
    await fail(lockout, 'alice', 5);
    await fail(lockout, 'bob', 4);
    expect((await lockOf(lockout, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
    expect(await lockOf(lockout, 'bob')).toBeUndefined();
    await lockout.recordSuccess('bob');
    expect((await lockOf(lockout, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
  });

  it('follows its options', async () => {
    const strict = new LoginLockout({ maxFailures: 3, lockoutSeconds: 60 });
    await fail(strict, 'alice', 2);
    expect(await lockOf(strict, 'alice')).toBeUndefined();
    await fail(strict, 'alice', 1);
    expect(await lockOf(strict, 'alice')).toMatchObject({ code: 'ACCOUNT_LOCKED', retryAfterSeconds: 60 });
  });
});

describe('LoginLockout when its store fails (fails closed)', () => {
  // Rejects the way RateLimiterRedis does when Redis is unreachable: with an Error, not a RateLimiterRes.
  class BrokenStore extends RateLimiterMemory {
    override get(): Promise<never> {
      return Promise.reject(new Error('store is down'));
    }
    override consume(): Promise<never> {
      return Promise.reject(new Error('store is down'));
    }
    override delete(): Promise<never> {
      return Promise.reject(new Error('store is down'));
    }
  }
  const lockout = new LoginLockout(OPTIONS, new BrokenStore({ points: OPTIONS.maxFailures, duration: OPTIONS.lockoutSeconds }));

  it('refuses the attempt with RATE_LIMIT_UNAVAILABLE instead of letting an uncounted login through', async () => {
    const refusal = await lockOf(lockout, 'alice');
    expect(refusal).toBeInstanceOf(RateLimitedError);
    expect(refusal).toMatchObject({
      code: 'RATE_LIMIT_UNAVAILABLE',
      retryAfterSeconds: STORE_UNAVAILABLE_RETRY_AFTER_SECONDS,
    });
  });

  it('reports a failure or a success it cannot record the same way', async () => {
    await expect(lockout.recordFailure('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
    await expect(lockout.recordSuccess('alice')).rejects.toMatchObject({ code: 'RATE_LIMIT_UNAVAILABLE' });
  });
});
