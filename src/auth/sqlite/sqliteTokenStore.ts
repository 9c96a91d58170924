import Database from 'better-sqlite3';
import { z } from 'zod';
import { OtherConnectionsWatch } from '../../support/sqliteDataVersion.js';
import {
  REVOKED_FOREVER,
  type AccessTokenIds,
  type AccessTokenRevocations,
  type RefreshTokenRecord,
  type RotationOutcome,
  type TokenStore,
} from '../tokenStore.js';

const revocationsRow = z.object({ blacklisted: z.number(), family_revoked: z.number(), revoked_for_user: z.number() });

const NOT_REVOKED: AccessTokenRevocations = Object.freeze({ blacklisted: false, familyRevoked: false, revokedForUser: false });
/** Access tokens whose clean verdict is remembered; when full, the set starts over. */
const MAX_CLEAN_TOKENS = 10_000;

interface RefreshRow {
  family_id: string;
  user_id: string;
  expires_at: number;
  used_at: number | null;
  revoked_at: number | null;
  /** 0 for a token stored before issue times were kept: it counts as issued before any revocation. */
  issued_at: number;
  /** The user's cutoff (revokeUserTokensIssuedBefore), null when there is none. */
  issued_before: number | null;
}

function isRefreshRow(row: unknown): row is RefreshRow {
  return typeof row === 'object' && row !== null && 'family_id' in row && 'user_id' in row && 'expires_at' in row;
}

/**
 * The embedded token store. DESIGN.md puts tokens in process memory for this mode; we keep them in SQLite instead
 * so that a restart neither logs everybody out nor revives access tokens that were blacklisted by a logout.
 */
export class SqliteTokenStore implements TokenStore {
  private readonly db: Database.Database;
  private readonly statements;
  /**
   * Access tokens found revoked in no way, checked on every request. A verdict can only change by a write: this
   * store's own (each clears the set) or another connection's, such as the CLI's `chat users erase` (seen through
   * data_version, support/sqliteDataVersion.ts). Time only ever clears a blacklist entry, never adds one.
   */
  private readonly cleanTokens = new Set<string>();
  private readonly otherWriters: OtherConnectionsWatch;

  constructor(file: string) {
    this.db = new Database(file);
    this.otherWriters = new OtherConnectionsWatch(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS refresh_tokens (
        token_hash TEXT PRIMARY KEY,
        family_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        expires_at INTEGER NOT NULL,
        used_at INTEGER
      );
      CREATE INDEX IF NOT EXISTS refresh_tokens_family ON refresh_tokens(family_id);
      CREATE TABLE IF NOT EXISTS revoked_families (family_id TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS access_blacklist (jti TEXT PRIMARY KEY, expires_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS user_revocations (user_id TEXT PRIMARY KEY, issued_before INTEGER NOT NULL);
    `);
    // Files made before user-wide revocations have no issue times; their tokens read as issued at 0.
    const columns = this.db.prepare<[], unknown>("SELECT name FROM pragma_table_info('refresh_tokens')").pluck().all();
    if (!columns.includes('issued_at')) this.db.exec('ALTER TABLE refresh_tokens ADD COLUMN issued_at INTEGER');
    this.statements = {
      insert: this.db.prepare(
        'INSERT INTO refresh_tokens (token_hash, family_id, user_id, expires_at, issued_at) VALUES (?, ?, ?, ?, ?)',
      ),
      find: this.db.prepare(`
        SELECT t.family_id, t.user_id, t.expires_at, t.used_at, f.revoked_at, COALESCE(t.issued_at, 0) AS issued_at,
          u.issued_before
        FROM refresh_tokens t LEFT JOIN revoked_families f ON f.family_id = t.family_id
          LEFT JOIN user_revocations u ON u.user_id = t.user_id
        WHERE t.token_hash = ?`),
      markUsed: this.db.prepare('UPDATE refresh_tokens SET used_at = ? WHERE token_hash = ? AND used_at IS NULL'),
      revoke: this.db.prepare('INSERT OR IGNORE INTO revoked_families (family_id, revoked_at) VALUES (?, ?)'),
      isRevoked: this.db.prepare('SELECT 1 FROM revoked_families WHERE family_id = ?'),
      blacklist: this.db.prepare('INSERT OR REPLACE INTO access_blacklist (jti, expires_at) VALUES (?, ?)'),
      isBlacklisted: this.db.prepare('SELECT 1 FROM access_blacklist WHERE jti = ? AND expires_at > ?'),
      revokeUser: this.db.prepare(
        `INSERT INTO user_revocations (user_id, issued_before) VALUES (?, ?)
         ON CONFLICT (user_id) DO UPDATE SET issued_before = MAX(issued_before, excluded.issued_before)`,
      ),
      isRevokedForUser: this.db.prepare('SELECT 1 FROM user_revocations WHERE user_id = ? AND issued_before > ?'),
      revocations: this.db.prepare(`SELECT
          EXISTS (SELECT 1 FROM access_blacklist WHERE jti = @jti AND expires_at > @now) AS blacklisted,
          EXISTS (SELECT 1 FROM revoked_families WHERE family_id = @familyId) AS family_revoked,
          EXISTS (SELECT 1 FROM user_revocations WHERE user_id = @userId AND issued_before > @issuedAt) AS revoked_for_user`),
      isRevokedForever: this.db.prepare('SELECT 1 FROM user_revocations WHERE user_id = ? AND issued_before >= ?'),
      purgeTokens: this.db.prepare('DELETE FROM refresh_tokens WHERE expires_at <= ?'),
      purgeBlacklist: this.db.prepare('DELETE FROM access_blacklist WHERE expires_at <= ?'),
    };
  }

  async saveRefreshToken(record: RefreshTokenRecord): Promise<void> {
    this.cleanTokens.clear();
    this.statements.insert.run(record.tokenHash, record.familyId, record.userId, record.expiresAt, record.issuedAt);
  }

  async rotateRefreshToken(
    tokenHash: string,
    next: Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'issuedAt'>,
    now: number,
  ): Promise<RotationOutcome> {
    this.cleanTokens.clear();
    // One synchronous transaction: SQLite serialises writers, so two concurrent refreshes cannot both rotate.
    return this.db.transaction((): RotationOutcome => {
      const row: unknown = this.statements.find.get(tokenHash);
      if (!isRefreshRow(row) || row.expires_at <= now) return { outcome: 'invalid' };
      // Before the family's revocation: an erasure also revokes families, and its owner is to be told why.
      if (row.issued_before !== null && row.issued_at < row.issued_before) return { outcome: 'revokedForUser', userId: row.user_id };
      if (row.revoked_at !== null) return { outcome: 'invalid' };
      if (row.used_at !== null) {
        this.statements.revoke.run(row.family_id, now);
        return { outcome: 'reused', userId: row.user_id, familyId: row.family_id };
      }
      this.statements.markUsed.run(now, tokenHash);
      this.statements.insert.run(next.tokenHash, row.family_id, row.user_id, next.expiresAt, now);
      return { outcome: 'rotated', userId: row.user_id, familyId: row.family_id };
      // IMMEDIATE takes the write lock before reading, so a second process sharing the file waits instead of
      // failing with SQLITE_BUSY when it tries to upgrade its read.
    }).immediate();
  }

  async revokeFamily(familyId: string, now: number): Promise<void> {
    this.cleanTokens.clear();
    this.statements.revoke.run(familyId, now);
  }

  async isFamilyRevoked(familyId: string): Promise<boolean> {
    return this.statements.isRevoked.get(familyId) !== undefined;
  }

  async blacklistAccessToken(jti: string, expiresAt: number): Promise<void> {
    this.cleanTokens.clear();
    this.statements.blacklist.run(jti, expiresAt);
  }

  async isAccessTokenBlacklisted(jti: string, now: number): Promise<boolean> {
    return this.statements.isBlacklisted.get(jti, now) !== undefined;
  }

  async revokeUserTokensIssuedBefore(userId: string, issuedBefore: number): Promise<void> {
    this.cleanTokens.clear();
    this.statements.revokeUser.run(userId, issuedBefore);
  }

  // A user's cutoff is kept for good (one row per user who ever changed their password): the store does not know
  // how long the tokens it voids could live, so it cannot tell when the row stops mattering.
  async isRevokedForUser(userId: string, issuedAt: number): Promise<boolean> {
    return this.statements.isRevokedForUser.get(userId, issuedAt) !== undefined;
  }

  async revocationsOf(token: AccessTokenIds, now: number): Promise<AccessTokenRevocations> {
    const { jti, familyId, userId, issuedAt } = token;
    if (this.otherWriters.committedSinceLastLook()) this.cleanTokens.clear();
    const cacheKey = `${jti}\u0000${familyId}\u0000${userId}\u0000${issuedAt}`;
    if (this.cleanTokens.has(cacheKey)) return NOT_REVOKED;
    const row = revocationsRow.parse(this.statements.revocations.get({ jti, familyId, userId, issuedAt, now }));
    const revocations = { blacklisted: row.blacklisted === 1, familyRevoked: row.family_revoked === 1, revokedForUser: row.revoked_for_user === 1 };
    if (!revocations.blacklisted && !revocations.familyRevoked && !revocations.revokedForUser) {
      if (this.cleanTokens.size >= MAX_CLEAN_TOKENS) this.cleanTokens.clear();
      this.cleanTokens.add(cacheKey);
    }
    return revocations;
  }

  async isRevokedForever(userId: string): Promise<boolean> {
    return this.statements.isRevokedForever.get(userId, REVOKED_FOREVER) !== undefined;
  }

  async purgeExpired(now: number): Promise<number> {
    this.cleanTokens.clear();
    return this.db.transaction(
      () => this.statements.purgeTokens.run(now).changes + this.statements.purgeBlacklist.run(now).changes,
    )();
  }

  async close(): Promise<void> {
    this.db.close();
  }
}
