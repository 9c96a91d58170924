import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisTokenStore } from '../../src/auth/redis/redisTokenStore.js';
import { UnavailableError } from '../../src/domain/errors.js';
import { describeWithServices } from '../support/realServices.js';
import { countKeys, deleteKeys, openRedis, quit, testKeyPrefix, unreachableRedis } from '../support/redis.js';
import { DAY, MINUTE, NOW, refreshRecord, tokenStoreContract } from './tokenStoreContract.js';

// Keys expire by the store's clock; validity is decided by the `now` each call passes. The contract's calls live
// around NOW, so the store's clock stands at NOW too: keys then get the TTLs they would get in production.
const clock = { now: () => NOW };
const store = (client: Redis, keyPrefix: string): RedisTokenStore =>
  new RedisTokenStore({ client, keyPrefix, clock, revokedFamilyRetentionMs: 7 * DAY });

describeWithServices('RedisTokenStore', ['REDIS_URL'], (env) => {
  tokenStoreContract('RedisTokenStore (real Redis)', async () => {
    const client = await openRedis(env('REDIS_URL'));
    const prefix = testKeyPrefix('tokens');
    return {
      store: store(client, prefix),
      cleanup: async () => {
        await deleteKeys(client, prefix);
        await quit(client);
      },
    };
  });

  describe('RedisTokenStore specifics', () => {
    let client: Redis;
    let other: Redis;
    let prefix: string;

    beforeAll(async () => {
      client = await openRedis(env('REDIS_URL'));
      other = await openRedis(env('REDIS_URL'));
      prefix = testKeyPrefix('tokens');
    });

    afterAll(async () => {
      await deleteKeys(client, prefix);
      await Promise.all([quit(client), quit(other)]);
    });

    it('two processes (two connections) share logouts and rotations', async () => {
      const api = store(client, `${prefix}shared:`);
      const gateway = store(other, `${prefix}shared:`);
      await api.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
      await api.revokeFamily('family-logged-out', NOW);
      await api.saveRefreshToken(refreshRecord({ tokenHash: 'r1', familyId: 'family-rotating' }));
      expect(await gateway.isAccessTokenBlacklisted('jti-1', NOW)).toBe(true);
      expect(await gateway.isFamilyRevoked('family-logged-out')).toBe(true);
      expect(await gateway.rotateRefreshToken('r1', { tokenHash: 'r2', expiresAt: NOW + DAY }, NOW)).toMatchObject({
        outcome: 'rotated',
      });
      expect(await api.rotateRefreshToken('r1', { tokenHash: 'r3', expiresAt: NOW + DAY }, NOW)).toMatchObject({
        outcome: 'reused',
      });
    });

    it('concurrent rotations from two connections: exactly one rotates', async () => {
      const [a, b] = [store(client, `${prefix}race:`), store(other, `${prefix}race:`)];
      await a.saveRefreshToken(refreshRecord());
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).rotateRefreshToken('hash-1', { tokenHash: `n-${i}`, expiresAt: NOW + DAY }, NOW)),
      );
      expect(outcomes.filter((outcome) => outcome.outcome === 'rotated')).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome.outcome === 'reused').length).toBeGreaterThanOrEqual(1);
      expect(await b.isFamilyRevoked('family-1')).toBe(true);
    });

    it('keys expire with what they hold: token and family TTLs follow the expiry, the blacklist entry its token', async () => {
      const keyPrefix = `${prefix}ttl:`;
      const tokens = store(client, keyPrefix);
      await tokens.saveRefreshToken(refreshRecord({ expiresAt: NOW + DAY }));
      await tokens.rotateRefreshToken('hash-1', { tokenHash: 'hash-2', expiresAt: NOW + 3 * DAY }, NOW);
      await tokens.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
      await tokens.revokeFamily('family-unknown', NOW);

      const ttl = (key: string) => client.pttl(`${keyPrefix}${key}`);
      // PTTL counts down from what was set; a generous margin keeps this independent of the test's speed.
      const near = (actual: number, expected: number) => expect(expected - actual).toSatisfy((gap: number) => gap >= 0 && gap < MINUTE);
      near(await ttl('refresh:hash-1'), DAY);
      near(await ttl('refresh:hash-2'), 3 * DAY);
      near(await ttl('family:family-1'), 3 * DAY);
      near(await ttl('blacklist:jti-1'), 15 * MINUTE);
      // A family known only from its revocation is remembered for the configured retention.
      near(await ttl('family:family-unknown'), 7 * DAY);
    });

    it('stores nothing for a token or blacklist entry that has already expired', async () => {
      const keyPrefix = `${prefix}expired:`;
      const tokens = store(client, keyPrefix);
      await tokens.saveRefreshToken(refreshRecord({ expiresAt: NOW - 1 }));
      await tokens.blacklistAccessToken('jti-old', NOW);
      expect(await countKeys(client, keyPrefix)).toBe(0);
      expect(await tokens.purgeExpired(NOW)).toBe(0);
    });

    it("a user-wide revocation is shared by every process and kept for the retention (it outlives the user's tokens)", async () => {
      const keyPrefix = `${prefix}user-revoke:`;
      await store(client, keyPrefix).revokeUserTokensIssuedBefore('u-alice', NOW);
      expect(await store(other, keyPrefix).isRevokedForUser('u-alice', NOW - 1)).toBe(true);
      const ttl = await client.pttl(`${keyPrefix}user:u-alice`);
      expect(ttl).toBeGreaterThan(6 * DAY);
      expect(ttl).toBeLessThanOrEqual(7 * DAY);
    });

    it('revoking a family keeps the revocation at least as long as the family lives', async () => {
      const keyPrefix = `${prefix}revoke:`;
      const tokens = store(client, keyPrefix);
      await tokens.saveRefreshToken(refreshRecord({ expiresAt: NOW + 30 * DAY }));
      await tokens.revokeFamily('family-1', NOW);
      expect(await client.pttl(`${keyPrefix}family:family-1`)).toBeGreaterThan(29 * DAY);
    });
  });
});

describe('RedisTokenStore while Redis is unreachable', () => {
  let client: Redis;

  beforeAll(async () => {
    client = await unreachableRedis();
  });

  afterAll(async () => {
    await quit(client);
  });

  it('answers every call with UNAVAILABLE (503), never a decision about the token', async () => {
    const tokens = store(client, 'unreachable:');
    const calls: Array<Promise<unknown>> = [
      tokens.saveRefreshToken(refreshRecord()),
      tokens.rotateRefreshToken('hash-1', { tokenHash: 'hash-2', expiresAt: NOW + DAY }, NOW),
      tokens.revokeFamily('family-1', NOW),
      tokens.isFamilyRevoked('family-1'),
      tokens.blacklistAccessToken('jti-1', NOW + MINUTE),
      tokens.isAccessTokenBlacklisted('jti-1', NOW),
    ];
    for (const call of calls) {
      const error = await call.then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(UnavailableError);
      expect(error).toMatchObject({ code: 'UNAVAILABLE' });
    }
  });
});
