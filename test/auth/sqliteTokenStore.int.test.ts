import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteTokenStore } from '../../src/auth/sqlite/sqliteTokenStore.js';
import { DAY, MINUTE, NOW, refreshRecord, tokenStoreContract } from './tokenStoreContract.js';

async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'token-store-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

tokenStoreContract('SqliteTokenStore (temp file)', async () => {
  const { dir, remove } = await tempDir();
  const store = new SqliteTokenStore(join(dir, 'auth.db'));
  return {
    store,
    cleanup: async () => {
      await store.close();
      await remove();
    },
  };
});

describe('SqliteTokenStore specifics', () => {
  let remove: () => Promise<void>;
  let file: string;
  const opened: SqliteTokenStore[] = [];

  const open = (): SqliteTokenStore => {
    const store = new SqliteTokenStore(file);
    opened.push(store);
    return store;
  };

  const count = (table: string): number => {
    const db = new Database(file, { readonly: true });
    try {
      const row: unknown = db.prepare(`SELECT count(*) AS n FROM ${table}`).get();
      if (typeof row !== 'object' || row === null || !('n' in row) || typeof row.n !== 'number') {
        throw new Error(`unexpected count row ${JSON.stringify(row)}`);
      }
      return row.n;
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    let dir: string;
    ({ dir, remove } = await tempDir());
    file = join(dir, 'auth.db');
  });

  afterEach(async () => {
    // close() twice is harmless for better-sqlite3; the tests close some stores themselves.
    await Promise.all(opened.splice(0).map((store) => store.close()));
    await remove();
  });

  it('opens a file from before issue times: its tokens work, and count as issued before a later revocation', async () => {
    const db = new Database(file);
    db.exec(`CREATE TABLE refresh_tokens (token_hash TEXT PRIMARY KEY, family_id TEXT NOT NULL, user_id TEXT NOT NULL,
      expires_at INTEGER NOT NULL, used_at INTEGER);
      INSERT INTO refresh_tokens VALUES ('old-alice', 'f-a', 'u-alice', ${NOW + DAY}, NULL),
        ('old-bob', 'f-b', 'u-bob', ${NOW + DAY}, NULL), ('old-carol', 'f-c', 'u-carol', ${NOW + DAY}, NULL);`);
    db.close();
    const store = open();
    expect(await store.rotateRefreshToken('old-carol', { tokenHash: 'carol-2', expiresAt: NOW + DAY }, NOW)).toMatchObject({ outcome: 'rotated' });
    await store.revokeUserTokensIssuedBefore('u-alice', NOW);
    expect(await store.rotateRefreshToken('old-alice', { tokenHash: 'a2', expiresAt: NOW + DAY }, NOW)).toEqual({
      outcome: 'revokedForUser',
      userId: 'u-alice',
    });
    expect(await store.rotateRefreshToken('old-bob', { tokenHash: 'b2', expiresAt: NOW + DAY }, NOW)).toMatchObject({ outcome: 'rotated' });
  });

  it('does not forget a password change on restart', async () => {
    const first = open();
    await first.revokeUserTokensIssuedBefore('u-alice', NOW);
    await first.close();
    expect(await open().isRevokedForUser('u-alice', NOW - 1)).toBe(true);
  });

  it('does not forget a logout on restart: blacklist, revoked families, used tokens survive a reopen', async () => {
    const first = open();
    await first.blacklistAccessToken('jti-logged-out', NOW + 15 * MINUTE);
    await first.revokeFamily('family-logged-out', NOW);
    await first.saveRefreshToken(refreshRecord({ tokenHash: 'r1', familyId: 'family-rotating' }));
    await first.rotateRefreshToken('r1', { tokenHash: 'r2', expiresAt: NOW + 7 * DAY }, NOW);
    await first.saveRefreshToken(refreshRecord({ tokenHash: 'untouched', familyId: 'family-untouched' }));
    await first.close();

    const second = open();
    expect(await second.isAccessTokenBlacklisted('jti-logged-out', NOW + MINUTE)).toBe(true);
    expect(await second.isFamilyRevoked('family-logged-out')).toBe(true);
    expect(await second.rotateRefreshToken('untouched', { tokenHash: 'u2', expiresAt: NOW + DAY }, NOW)).toMatchObject({
      outcome: 'rotated',
      familyId: 'family-untouched',
    });
    // r1 was rotated before the restart, so presenting it now is still a replay.
    expect(await second.rotateRefreshToken('r1', { tokenHash: 'r3', expiresAt: NOW + DAY }, NOW)).toMatchObject({
      outcome: 'reused',
    });
    expect(await second.rotateRefreshToken('r2', { tokenHash: 'r4', expiresAt: NOW + DAY }, NOW)).toEqual({
      outcome: 'invalid',
    });
  });

  it('a second instance on the same file sees a logout made by the first', async () => {
    const api = open();
    const gateway = open();
    await api.blacklistAccessToken('jti-1', NOW + 15 * MINUTE);
    await api.revokeFamily('family-1', NOW);
    expect(await gateway.isAccessTokenBlacklisted('jti-1', NOW)).toBe(true);
    expect(await gateway.isFamilyRevoked('family-1')).toBe(true);
  });

  it("answers revocationsOf from what it last found only until another instance revokes (the CLI's erase, a second server)", async () => {
    const server = open();
    const cli = open();
    const ids = { jti: 'jti-remembered', familyId: 'family-remembered', userId: 'u-remembered', issuedAt: NOW - MINUTE };
    const none = { blacklisted: false, familyRevoked: false, revokedForUser: false };
    expect(await server.revocationsOf(ids, NOW)).toEqual(none);
    expect(await server.revocationsOf(ids, NOW)).toEqual(none);
    await cli.revokeUserTokensIssuedBefore('u-remembered', NOW);
    expect(await server.revocationsOf(ids, NOW)).toEqual({ ...none, revokedForUser: true });
    const other = { ...ids, jti: 'jti-other', familyId: 'family-other', userId: 'u-other' };
    expect(await server.revocationsOf(other, NOW)).toEqual(none);
    await cli.blacklistAccessToken('jti-other', NOW + MINUTE);
    expect(await server.revocationsOf(other, NOW)).toEqual({ ...none, blacklisted: true });
    const third = { ...ids, jti: 'jti-third', familyId: 'family-third', userId: 'u-third' };
    expect(await server.revocationsOf(third, NOW)).toEqual(none);
    await cli.revokeFamily('family-third', NOW);
    expect(await server.revocationsOf(third, NOW)).toEqual({ ...none, familyRevoked: true });
  });

  it('purgeExpired deletes exactly the expired refresh tokens and blacklist entries and counts them', async () => {
    const store = open();
    await store.saveRefreshToken(refreshRecord({ tokenHash: 'expired-1', expiresAt: NOW - DAY }));
    await store.saveRefreshToken(refreshRecord({ tokenHash: 'expired-2', expiresAt: NOW }));
    await store.saveRefreshToken(refreshRecord({ tokenHash: 'live', expiresAt: NOW + 1 }));
    await store.blacklistAccessToken('jti-expired', NOW);
    await store.blacklistAccessToken('jti-live', NOW + 1);
    expect(count('refresh_tokens')).toBe(3);
    expect(count('access_blacklist')).toBe(2);

    expect(await store.purgeExpired(NOW)).toBe(3);
    expect(count('refresh_tokens')).toBe(1);
    expect(count('access_blacklist')).toBe(1);
    expect(await store.purgeExpired(NOW)).toBe(0);

    expect(await store.isAccessTokenBlacklisted('jti-live', NOW)).toBe(true);
    expect(await store.rotateRefreshToken('live', { tokenHash: 'live-2', expiresAt: NOW + DAY }, NOW)).toMatchObject({
      outcome: 'rotated',
    });
  });
});
