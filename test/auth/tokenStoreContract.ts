import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { REVOKED_FOREVER, type RefreshTokenRecord, type TokenStore } from '../../src/auth/tokenStore.js';

export interface TokenStoreUnderTest {
  store: TokenStore;
  /** Closes the store and removes whatever it created. */
  cleanup: () => Promise<void>;
}

/** Epoch milliseconds; every call passes its own `now`, so nothing here depends on the wall clock. */
export const NOW = 1_750_000_000_000;
export const MINUTE = 60_000;
export const DAY = 24 * 60 * MINUTE;

export function refreshRecord(overrides: Partial<RefreshTokenRecord> = {}): RefreshTokenRecord {
  return { tokenHash: 'hash-1', familyId: 'family-1', userId: 'u-alice', expiresAt: NOW + 7 * DAY, issuedAt: NOW - MINUTE, ...overrides };
}

/**
 * The behaviour every TokenStore adapter must show (SQLite now, Redis later). Each test gets a fresh, empty store.
 * Adapter-specific properties (durability across restarts, row counts) belong in the adapter's own test file.
 */
export function tokenStoreContract(name: string, makeStore: () => Promise<TokenStoreUnderTest>): void {
  describe(`TokenStore contract: ${name}`, () => {
    let store: TokenStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await makeStore());
    });

    afterEach(async () => {
      await cleanup();
    });

    const next = (tokenHash: string, expiresAt = NOW + 7 * DAY): { tokenHash: string; expiresAt: number } => ({
      tokenHash,
      expiresAt,
    });

    describe('rotation', () => {
      it('rotates a saved token and reports its user and family', async () => {
        await store.saveRefreshToken(refreshRecord());
        expect(await store.rotateRefreshToken('hash-1', next('hash-2'), NOW)).toEqual({
          outcome: 'rotated',
          userId: 'u-alice',
          familyId: 'family-1',
        });
        expect(await store.isFamilyRevoked('family-1')).toBe(false);
      });

      it('stores the next token in the same family, with the expiry it was given', async () => {
        await store.saveRefreshToken(refreshRecord({ expiresAt: NOW + DAY }));
        await store.rotateRefreshToken('hash-1', next('hash-2', NOW + 3 * DAY), NOW);
        // Past the first token's expiry, but not the second's.
        expect(await store.rotateRefreshToken('hash-2', next('hash-3'), NOW + 2 * DAY)).toEqual({
          outcome: 'rotated',
          userId: 'u-alice',
          familyId: 'family-1',
        });
        expect(await store.rotateRefreshToken('hash-3', next('hash-4'), NOW + 2 * DAY + 1)).toMatchObject({
          outcome: 'rotated',
          familyId: 'family-1',
        });
      });

      it('keeps users and families apart', async () => {
        await store.saveRefreshToken(refreshRecord());
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'bob-1', familyId: 'family-bob', userId: 'u-bob' }));
        expect(await store.rotateRefreshToken('bob-1', next('bob-2'), NOW)).toEqual({
          outcome: 'rotated',
          userId: 'u-bob',
          familyId: 'family-bob',
        });
        expect(await store.rotateRefreshToken('hash-1', next('hash-2'), NOW)).toMatchObject({ userId: 'u-alice' });
      });
    });

    describe('reuse of a rotated token', () => {
      it("is 'reused' and revokes the whole family, including the newest token", async () => {
        await store.saveRefreshToken(refreshRecord());
        await store.rotateRefreshToken('hash-1', next('hash-2'), NOW);
        await store.rotateRefreshToken('hash-2', next('hash-3'), NOW + 1);

        expect(await store.rotateRefreshToken('hash-1', next('stolen-next'), NOW + 2)).toEqual({
          outcome: 'reused',
          userId: 'u-alice',
          familyId: 'family-1',
        });
        expect(await store.isFamilyRevoked('family-1')).toBe(true);
        expect(await store.rotateRefreshToken('hash-3', next('hash-4'), NOW + 3)).toEqual({ outcome: 'invalid' });
        // What the replay asked to store is not a usable token either.
        expect(await store.rotateRefreshToken('stolen-next', next('x'), NOW + 3)).toEqual({ outcome: 'invalid' });
      });

      it('leaves other families alone', async () => {
        await store.saveRefreshToken(refreshRecord());
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'other-1', familyId: 'family-2' }));
        await store.rotateRefreshToken('hash-1', next('hash-2'), NOW);
        await store.rotateRefreshToken('hash-1', next('hash-3'), NOW);

        expect(await store.isFamilyRevoked('family-2')).toBe(false);
        expect(await store.rotateRefreshToken('other-1', next('other-2'), NOW)).toMatchObject({ outcome: 'rotated' });
      });
    });

    describe('invalid tokens', () => {
      it("an unknown token is 'invalid' and stores nothing", async () => {
        expect(await store.rotateRefreshToken('no-such-hash', next('hash-2'), NOW)).toEqual({ outcome: 'invalid' });
        expect(await store.rotateRefreshToken('hash-2', next('hash-3'), NOW)).toEqual({ outcome: 'invalid' });
      });

      it("a token is valid until the instant before its expiry, then 'invalid'", async () => {
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'a', expiresAt: NOW + MINUTE }));
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'b', familyId: 'family-2', expiresAt: NOW + MINUTE }));
        expect(await store.rotateRefreshToken('a', next('a-next'), NOW + MINUTE - 1)).toMatchObject({
          outcome: 'rotated',
        });
        expect(await store.rotateRefreshToken('b', next('b-next'), NOW + MINUTE)).toEqual({ outcome: 'invalid' });
        expect(await store.rotateRefreshToken('b-next', next('x'), NOW + MINUTE)).toEqual({ outcome: 'invalid' });
        // An expired token is not evidence of theft: its family is not revoked.
        expect(await store.isFamilyRevoked('family-2')).toBe(false);
      });

      it("a token of a revoked family is 'invalid'", async () => {
        await store.saveRefreshToken(refreshRecord());
        await store.revokeFamily('family-1', NOW);
        expect(await store.isFamilyRevoked('family-1')).toBe(true);
        expect(await store.rotateRefreshToken('hash-1', next('hash-2'), NOW)).toEqual({ outcome: 'invalid' });
      });

      it('revoking is idempotent and knows families without tokens; unknown families are not revoked', async () => {
        await store.revokeFamily('family-x', NOW);
        await store.revokeFamily('family-x', NOW + 1);
        expect(await store.isFamilyRevoked('family-x')).toBe(true);
        expect(await store.isFamilyRevoked('family-never-seen')).toBe(false);
      });
    });

    describe('concurrent rotations of one token', () => {
      it("exactly one of ten is 'rotated'; the rest count as reuse and revoke the family", async () => {
        await store.saveRefreshToken(refreshRecord());
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.rotateRefreshToken('hash-1', next(`next-${i}`), NOW)),
        );
        const rotated = outcomes.filter((outcome) => outcome.outcome === 'rotated');
        expect(rotated).toHaveLength(1);
        expect(outcomes.filter((outcome) => outcome.outcome === 'reused').length).toBeGreaterThanOrEqual(1);
        expect(outcomes.every((outcome) => ['rotated', 'reused', 'invalid'].includes(outcome.outcome))).toBe(true);
        expect(await store.isFamilyRevoked('family-1')).toBe(true);

        const winner = outcomes.findIndex((outcome) => outcome.outcome === 'rotated');
        expect(await store.rotateRefreshToken(`next-${winner}`, next('after'), NOW + 1)).toEqual({
          outcome: 'invalid',
        });
      });

      it('tokens of different families rotate concurrently without interfering', async () => {
        await Promise.all(
          Array.from({ length: 10 }, (_, i) =>
            store.saveRefreshToken(refreshRecord({ tokenHash: `t-${i}`, familyId: `family-${i}` })),
          ),
        );
        const outcomes = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.rotateRefreshToken(`t-${i}`, next(`t-${i}-next`), NOW)),
        );
        expect(outcomes.map((outcome) => outcome.outcome)).toEqual(Array(10).fill('rotated'));
        expect(outcomes.map((outcome) => (outcome.outcome === 'rotated' ? outcome.familyId : null))).toEqual(
          Array.from({ length: 10 }, (_, i) => `family-${i}`),
        );
      });
    });

    describe('access-token blacklist', () => {
      it('holds a token id until its expiry and lets go from then on', async () => {
        await store.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
        expect(await store.isAccessTokenBlacklisted('jti-1', NOW)).toBe(true);
        expect(await store.isAccessTokenBlacklisted('jti-1', NOW + 15 * MINUTE - 1)).toBe(true);
        expect(await store.isAccessTokenBlacklisted('jti-1', NOW + 15 * MINUTE)).toBe(false);
        expect(await store.isAccessTokenBlacklisted('jti-1', NOW + DAY)).toBe(false);
      });

      it('holds only the token ids it was given', async () => {
        await store.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
        expect(await store.isAccessTokenBlacklisted('jti-2', NOW)).toBe(false);
      });

      it('blacklisting the same id twice keeps it blacklisted', async () => {
        await store.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
        await store.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
        expect(await store.isAccessTokenBlacklisted('jti-1', NOW + MINUTE)).toBe(true);
      });
    });

    describe('user-wide revocation (tokens issued before T are void for user U)', () => {
      it("makes the user's refresh tokens issued before T 'revokedForUser', in every family, and leaves others alone", async () => {
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'phone', familyId: 'f-phone', issuedAt: NOW - DAY }));
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'laptop', familyId: 'f-laptop', issuedAt: NOW - 1 }));
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'bob', familyId: 'f-bob', userId: 'u-bob', issuedAt: NOW - DAY }));
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        const revoked = { outcome: 'revokedForUser', userId: 'u-alice' };
        expect(await store.rotateRefreshToken('phone', next('phone-2'), NOW + 1)).toEqual(revoked);
        expect(await store.rotateRefreshToken('laptop', next('laptop-2'), NOW + 1)).toEqual(revoked);
        // Nothing was rotated: the refused tokens did not leave a successor behind.
        expect(await store.rotateRefreshToken('phone-2', next('phone-3'), NOW + 2)).toEqual({ outcome: 'invalid' });
        expect(await store.rotateRefreshToken('bob', next('bob-2'), NOW + 1)).toMatchObject({ outcome: 'rotated', userId: 'u-bob' });
      });

      it("says 'revokedForUser' for a token of a revoked family too (an erasure after a logout), not for an expired one", async () => {
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'out', familyId: 'f-out' }));
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'short', familyId: 'f-short', expiresAt: NOW + MINUTE }));
        await store.revokeFamily('f-out', NOW);
        await store.revokeUserTokensIssuedBefore('u-alice', Number.MAX_SAFE_INTEGER);
        expect(await store.rotateRefreshToken('out', next('out-2'), NOW + 1)).toEqual({ outcome: 'revokedForUser', userId: 'u-alice' });
        expect(await store.rotateRefreshToken('short', next('short-2'), NOW + MINUTE)).toEqual({ outcome: 'invalid' });
      });

      it('keeps tokens issued at or after T, and what they rotate into', async () => {
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'new', familyId: 'f-new', issuedAt: NOW }));
        expect(await store.rotateRefreshToken('new', next('new-2'), NOW + MINUTE)).toMatchObject({ outcome: 'rotated' });
        expect(await store.rotateRefreshToken('new-2', next('new-3'), NOW + 2 * MINUTE)).toMatchObject({ outcome: 'rotated' });
      });

      it('a token rotated before T is void after it too (its successor was issued before T)', async () => {
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'r1', issuedAt: NOW - DAY }));
        await store.rotateRefreshToken('r1', next('r2'), NOW - MINUTE);
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        expect(await store.rotateRefreshToken('r2', next('r3'), NOW + 1)).toEqual({ outcome: 'revokedForUser', userId: 'u-alice' });
      });

      it('answers for access tokens by their issue time, per user', async () => {
        expect(await store.isRevokedForUser('u-alice', NOW - DAY)).toBe(false);
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        expect(await store.isRevokedForUser('u-alice', NOW - DAY)).toBe(true);
        expect(await store.isRevokedForUser('u-alice', NOW - 1)).toBe(true);
        expect(await store.isRevokedForUser('u-alice', NOW)).toBe(false);
        expect(await store.isRevokedForUser('u-alice', NOW + MINUTE)).toBe(false);
        expect(await store.isRevokedForUser('u-bob', NOW - DAY)).toBe(false);
      });

      it('only moves forward: an earlier cutoff after a later one changes nothing', async () => {
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        await store.revokeUserTokensIssuedBefore('u-alice', NOW - DAY);
        expect(await store.isRevokedForUser('u-alice', NOW - 1)).toBe(true);
        await store.revokeUserTokensIssuedBefore('u-alice', NOW + MINUTE);
        expect(await store.isRevokedForUser('u-alice', NOW + 1)).toBe(true);
      });

      it('takes a cutoff with no end (an erasure: Number.MAX_SAFE_INTEGER) that voids every token, later ones included', async () => {
        await store.revokeUserTokensIssuedBefore('u-alice', Number.MAX_SAFE_INTEGER);
        expect(await store.isRevokedForUser('u-alice', NOW + 365 * DAY)).toBe(true);
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'late', issuedAt: NOW + DAY }));
        expect(await store.rotateRefreshToken('late', next('late-2'), NOW + DAY + 1)).toEqual({ outcome: 'revokedForUser', userId: 'u-alice' });
        // A later password change's cutoff cannot shorten it.
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        expect(await store.isRevokedForUser('u-alice', NOW + DAY)).toBe(true);
        expect(await store.isRevokedForUser('u-bob', NOW)).toBe(false);
      });

      it('tells a revocation with no end (an erasure under way) from a password change', async () => {
        expect(await store.isRevokedForever('u-alice')).toBe(false);
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        expect(await store.isRevokedForever('u-alice')).toBe(false);
        await store.revokeUserTokensIssuedBefore('u-alice', REVOKED_FOREVER);
        expect(await store.isRevokedForever('u-alice')).toBe(true);
        expect(await store.isRevokedForever('u-bob')).toBe(false);
      });
    });

    describe('revocationsOf (the three checks of one access token at once)', () => {
      const ids = { jti: 'jti-1', familyId: 'family-1', userId: 'u-alice', issuedAt: NOW - MINUTE };
      const none = { blacklisted: false, familyRevoked: false, revokedForUser: false };

      it('says what each check says, for this token only', async () => {
        expect(await store.revocationsOf(ids, NOW)).toEqual(none);
        await store.blacklistAccessToken('jti-1', NOW + MINUTE);
        expect(await store.revocationsOf(ids, NOW)).toEqual({ ...none, blacklisted: true });
        // The blacklist lets go at the token's expiry, as isAccessTokenBlacklisted does.
        expect(await store.revocationsOf(ids, NOW + MINUTE)).toEqual(none);
        await store.revokeFamily('family-1', NOW);
        expect(await store.revocationsOf(ids, NOW + MINUTE)).toEqual({ ...none, familyRevoked: true });
        await store.revokeUserTokensIssuedBefore('u-alice', NOW);
        expect(await store.revocationsOf(ids, NOW)).toEqual({ blacklisted: true, familyRevoked: true, revokedForUser: true });
        // Another token of another family, issued after the user's cutoff: nothing.
        expect(await store.revocationsOf({ jti: 'jti-2', familyId: 'family-2', userId: 'u-alice', issuedAt: NOW }, NOW)).toEqual(none);
        expect(await store.revocationsOf({ ...ids, userId: 'u-bob' }, NOW)).toEqual({ ...none, blacklisted: true, familyRevoked: true });
      });
    });

    describe('purgeExpired', () => {
      it('keeps everything that can still matter and changes no answer', async () => {
        // Live, plain.
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'live', familyId: 'f-live' }));
        // Expired before NOW.
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'old', familyId: 'f-old', expiresAt: NOW - 1 }));
        // Already rotated but unexpired: needed to recognise a replay.
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'used', familyId: 'f-used' }));
        await store.rotateRefreshToken('used', next('used-next'), NOW - MINUTE);
        // Live token of a revoked family.
        await store.saveRefreshToken(refreshRecord({ tokenHash: 'revoked', familyId: 'f-revoked' }));
        await store.revokeFamily('f-revoked', NOW - MINUTE);
        // Blacklist: one expired entry, one still live.
        await store.blacklistAccessToken('jti-old', NOW - 1);
        await store.blacklistAccessToken('jti-live', NOW + 15 * MINUTE);

        const purged = await store.purgeExpired(NOW);
        expect(Number.isInteger(purged) && purged >= 0).toBe(true);

        expect(await store.isAccessTokenBlacklisted('jti-live', NOW)).toBe(true);
        expect(await store.isAccessTokenBlacklisted('jti-old', NOW)).toBe(false);
        expect(await store.isFamilyRevoked('f-revoked')).toBe(true);
        expect(await store.rotateRefreshToken('revoked', next('r2'), NOW)).toEqual({ outcome: 'invalid' });
        expect(await store.rotateRefreshToken('old', next('o2'), NOW)).toEqual({ outcome: 'invalid' });
        expect(await store.rotateRefreshToken('live', next('live-2'), NOW)).toMatchObject({ outcome: 'rotated' });
        expect(await store.rotateRefreshToken('used', next('u3'), NOW)).toEqual({
          outcome: 'reused',
          userId: 'u-alice',
          familyId: 'f-used',
        });
        expect(await store.isFamilyRevoked('f-used')).toBe(true);
      });

      it('on an empty store purges nothing', async () => {
        expect(await store.purgeExpired(NOW)).toBe(0);
      });
    });
  });
}
