// The rate-limit store contract: RateLimiter and LoginLockout over the budgets a LimiterFactory makes behave alike
// whether the factory is memoryLimiter (embedded) or redisLimiterFactory (distributed), so the api answers a
// flood the same way in either mode. What only one store does (exact waits under a fake clock, budgets shared by
// several processes, whole-second windows, outages) stays in that store's own test file.
//
// The Redis store keeps its windows by Redis's clock, which a test cannot move: every window here is far longer
// than the suite runs, except the one test that waits out a one-second window, and waits are asserted as bounds.

import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { LoginLockout } from '../../src/auth/loginLockout.js';
import { RateLimitedError, type ErrorCode } from '../../src/domain/errors.js';
import { RateLimiter, type LimiterFactory, type RateLimitRule } from '../../src/ratelimit/rateLimiter.js';

export interface LimiterFactoryUnderTest {
  /** Budgets of a store of their own: nothing another test or run counted is in them. */
  factory: LimiterFactory;
  /** Closes what the fixture opened and removes whatever the test counted. */
  cleanup: () => Promise<void>;
}

/** The refusal `consume` throws, or undefined when it admits the call. */
export async function refusalOf(limiter: RateLimiter, key: string, points?: number): Promise<RateLimitedError | undefined> {
  try {
    await limiter.consume(key, points);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw error;
  }
}

export async function consumeTimes(limiter: RateLimiter, key: string, times: number): Promise<void> {
  for (let i = 0; i < times; i++) await limiter.consume(key);
}

/** The lock `assertNotLocked` throws, or undefined when the user may try to log in. */
async function lockOf(lockout: LoginLockout, username: string): Promise<RateLimitedError | undefined> {
  try {
    await lockout.assertNotLocked(username);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimitedError) return error;
    throw error;
  }
}

const MINUTE_BUDGET: RateLimitRule[] = [{ points: 5, durationSeconds: 60 }];
// API.md: 5 failed logins lock an account for 15 minutes.
const LOCKOUT = { maxFailures: 5, lockoutSeconds: 15 * 60 };

export function rateLimiterContract(name: string, makeFactory: () => Promise<LimiterFactoryUnderTest>): void {
  describe(`RateLimiter contract: ${name}`, () => {
    let fixture: LimiterFactoryUnderTest;

    beforeEach(async () => {
      fixture = await makeFactory();
    });

    afterEach(async () => {
      await fixture.cleanup();
    });

    const limiter = (limitName: string, rules: RateLimitRule[], code: ErrorCode = 'RATE_LIMIT_EXCEEDED'): RateLimiter =>
      new RateLimiter(limitName, rules, code, fixture.factory);

    describe('consume', () => {
      it('admits the budget, then refuses with RATE_LIMIT_EXCEEDED and a retry-after within the window', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        await consumeTimes(send, 'alice', 5);
        const refusal = await refusalOf(send, 'alice');
        expect(refusal).toBeInstanceOf(RateLimitedError);
        expect(refusal?.code).toBe('RATE_LIMIT_EXCEEDED');
        expect(refusal?.retryAfterSeconds).toBeGreaterThanOrEqual(1);
        expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(60);
        // What the HTTP and WebSocket errors carry to the client.
        expect(refusal?.details).toEqual({ retryAfterSeconds: refusal?.retryAfterSeconds });
      });

      it('admits a client again once it has waited the retry-after it was told', async () => {
        const typing = limiter('typing', [{ points: 2, durationSeconds: 1 }]);
        await consumeTimes(typing, 'alice', 2);
        const refusal = await refusalOf(typing, 'alice');
        // Never "retry after 0": a one-second window asks for the whole second.
        expect(refusal?.retryAfterSeconds).toBe(1);
        await sleep((refusal?.retryAfterSeconds ?? 0) * 1000 + 20);
        expect(await refusalOf(typing, 'alice')).toBeUndefined();
      });

      it('keeps keys apart', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        await consumeTimes(send, 'alice', 5);
        expect(await refusalOf(send, 'alice')).toBeDefined();
        expect(await refusalOf(send, 'bob')).toBeUndefined();
        await consumeTimes(send, 'bob', 4);
        expect(await refusalOf(send, 'bob')).toBeDefined();
      });

      it('keeps limiters with different names apart', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        const auth = limiter('auth', MINUTE_BUDGET);
        await consumeTimes(send, 'alice', 5);
        expect(await refusalOf(send, 'alice')).toBeDefined();
        expect(await refusalOf(auth, 'alice')).toBeUndefined();
      });

      it('counts the points of one call', async () => {
        const search = limiter('search', [{ points: 3, durationSeconds: 60 }]);
        expect(await refusalOf(search, 'alice', 2)).toBeUndefined();
        expect(await refusalOf(search, 'alice', 2)).toBeDefined();
        expect(await refusalOf(search, 'bob', 3)).toBeUndefined();
        expect(await refusalOf(search, 'bob', 1)).toBeDefined();
      });

      it('counts concurrent calls exactly: of 20 at once against a budget of 7, 7 pass', async () => {
        const send = limiter('send', [{ points: 7, durationSeconds: 60 }]);
        const outcomes = await Promise.all(Array.from({ length: 20 }, () => refusalOf(send, 'alice')));
        expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(7);
        expect(outcomes.filter((outcome) => outcome?.code === 'RATE_LIMIT_EXCEEDED')).toHaveLength(13);
      });

      it('reports the longest wait of several spent budgets', async () => {
        const send = limiter('send', [
          { points: 2, durationSeconds: 1 },
          { points: 2, durationSeconds: 3600 },
        ]);
        await consumeTimes(send, 'alice', 2);
        const refusal = await refusalOf(send, 'alice');
        expect(refusal?.retryAfterSeconds).toBeGreaterThan(3500);
        expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(3600);
      });

      it('refuses while one budget is spent even when the others have room', async () => {
        const send = limiter('send', [
          { points: 10, durationSeconds: 60 },
          { points: 3, durationSeconds: 3600 },
        ]);
        await consumeTimes(send, 'alice', 3);
        expect((await refusalOf(send, 'alice'))?.retryAfterSeconds).toBeGreaterThan(3500);
      });

      it('blocks for blockSeconds once a rule with a block is exhausted', async () => {
        const strict = limiter('login', [{ points: 2, durationSeconds: 60, blockSeconds: 600 }]);
        await consumeTimes(strict, 'alice', 2);
        const refusal = await refusalOf(strict, 'alice');
        expect(refusal?.retryAfterSeconds).toBeGreaterThan(590);
        expect(refusal?.retryAfterSeconds).toBeLessThanOrEqual(600);
        expect(await refusalOf(strict, 'alice')).toBeDefined();
        expect(await strict.blockedFor('alice')).toBeGreaterThan(590);
      });

      it('refuses with the error code it was given', async () => {
        const custom = limiter('login', [{ points: 1, durationSeconds: 60 }], 'ACCOUNT_LOCKED');
        await custom.consume('alice');
        expect((await refusalOf(custom, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
      });
    });

    describe('blockedFor', () => {
      it('is 0 for an unknown key and while budget remains', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        expect(await send.blockedFor('alice')).toBe(0);
        await consumeTimes(send, 'alice', 4);
        expect(await send.blockedFor('alice')).toBe(0);
      });

      it('says how long a spent key must wait, and consumes nothing', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        await consumeTimes(send, 'alice', 5);
        const wait = await send.blockedFor('alice');
        expect(wait).toBeGreaterThanOrEqual(1);
        expect(wait).toBeLessThanOrEqual(60);
        expect(await send.blockedFor('alice')).toBeLessThanOrEqual(wait);
      });

      it('does not consume from an unspent key', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        for (let i = 0; i < 10; i++) await send.blockedFor('alice');
        await consumeTimes(send, 'alice', 5);
        expect(await refusalOf(send, 'alice')).toBeDefined();
      });
    });

    describe('reset', () => {
      it('gives a key its full budgets back', async () => {
        const send = limiter('send', [
          { points: 5, durationSeconds: 60 },
          { points: 8, durationSeconds: 3600 },
        ]);
        await consumeTimes(send, 'alice', 5);
        await send.reset('alice');
        expect(await send.blockedFor('alice')).toBe(0);
        // Both budgets are whole again: 5 more pass, the 6th meets the per-minute one.
        await consumeTimes(send, 'alice', 5);
        expect(await refusalOf(send, 'alice')).toBeDefined();
      });

      it('leaves the other keys spent', async () => {
        const send = limiter('send', MINUTE_BUDGET);
        await consumeTimes(send, 'alice', 5);
        await consumeTimes(send, 'bob', 5);
        await send.reset('alice');
        expect(await refusalOf(send, 'bob')).toBeDefined();
        expect(await refusalOf(send, 'alice')).toBeUndefined();
      });
    });

    // The composition root hands LoginLockout one budget from the same factory.
    describe('login lockout on this store', () => {
      const lockout = (): LoginLockout =>
        new LoginLockout(
          LOCKOUT,
          fixture.factory({ points: LOCKOUT.maxFailures, durationSeconds: LOCKOUT.lockoutSeconds }, 'login-failures'),
        );

      it('locks on the 5th failure with ACCOUNT_LOCKED and a retry-after of the lockout period', async () => {
        const logins = lockout();
        for (let i = 0; i < 4; i++) await logins.recordFailure('alice');
        expect(await lockOf(logins, 'alice')).toBeUndefined();
        await logins.recordFailure('alice');
        const lock = await lockOf(logins, 'alice');
        expect(lock).toBeInstanceOf(RateLimitedError);
        expect(lock?.code).toBe('ACCOUNT_LOCKED');
        expect(lock?.retryAfterSeconds).toBeGreaterThan(LOCKOUT.lockoutSeconds - 60);
        expect(lock?.retryAfterSeconds).toBeLessThanOrEqual(LOCKOUT.lockoutSeconds);
        expect(await lockOf(logins, 'bob')).toBeUndefined();
      });

      it('stays locked when more failures come, without throwing', async () => {
        const logins = lockout();
        for (let i = 0; i < 5; i++) await logins.recordFailure('alice');
        for (let i = 0; i < 3; i++) await expect(logins.recordFailure('alice')).resolves.toBeUndefined();
        expect((await lockOf(logins, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
      });

      it('a success resets the failure count, of that user only', async () => {
        const logins = lockout();
        for (let i = 0; i < 4; i++) await logins.recordFailure('alice');
        for (let i = 0; i < 5; i++) await logins.recordFailure('bob');
        await logins.recordSuccess('alice');
        await expect(logins.recordSuccess('nobody')).resolves.toBeUndefined();
        for (let i = 0; i < 4; i++) await logins.recordFailure('alice');
        expect(await lockOf(logins, 'alice')).toBeUndefined();
        expect((await lockOf(logins, 'bob'))?.code).toBe('ACCOUNT_LOCKED');
        await logins.recordFailure('alice');
        expect((await lockOf(logins, 'alice'))?.code).toBe('ACCOUNT_LOCKED');
      });
    });
  });
}
