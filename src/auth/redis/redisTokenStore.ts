// Refresh-token families and the access-token blacklist in Redis (distributed mode), shared by every api and
// gateway process. Rotation is one Lua script, so of concurrent rotations of one token exactly one rotates.

import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChatError, UnavailableError } from '../../domain/errors.js';
import { LuaScript } from '../../redis/luaScript.js';
import type { Clock } from '../../support/clock.js';
import {
  REVOKED_FOREVER,
  type AccessTokenIds,
  type AccessTokenRevocations,
  type RefreshTokenRecord,
  type RotationOutcome,
  type TokenStore,
} from '../tokenStore.js';

/** A blacklist entry (its token's expiry, as stored) still holds at `now`: Redis' own expiry may lag behind. */
function stillBlacklisted(expiresAt: string | null, now: number): boolean {
  return expiresAt !== null && Number(expiresAt) > now;
}

/** A token issued at `issuedAt` is void under the user's stored cutoff, if there is one. */
function voidedByCutoff(cutoff: string | null, issuedAt: number): boolean {
  return cutoff !== null && issuedAt < Number(cutoff);
}

/** The replies of revocationsOf's pipeline: GET blacklist, HEXISTS family, GET user cutoff. */
const pipelineReplies = z.tuple([z.string().nullable(), z.number(), z.string().nullable()]);

export interface RedisTokenStoreOptions {
  client: Redis;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
  /**
   * Decides when keys physically expire (TTL = expiresAt - clock.now()). Whether a token is still valid is decided
   * by the `now` each call passes, exactly as in the SQLite store; Redis only forgets what can no longer matter.
   */
  clock: Clock;
  /**
   * How long a revoked family is remembered when none of its tokens is known (a logout with a token whose family
   * has already expired here). Access tokens check their family, so this should cover the refresh-token lifetime.
   */
  revokedFamilyRetentionMs: number;
}

// Keys, per token hash (a hash: family, user, exp, used, iat), per family (a hash: revoked; its TTL follows the
// family's longest-lived token, so a revocation outlives every token it revokes) and per user (a string: the
// user-wide cutoff, tokens issued before it are void; kept for the revocation retention).
//
// Rotation. KEYS: token, next token, family, user. ARGV: now, next expiry, next TTL (ms), retention for a
// revocation, family, user. The family and user keys come from the caller, who read them from the token first: a
// token's family and user never change, and the script checks they still match, so the read outside the script
// cannot make the decision wrong. A token stored before issue times were kept has no iat: it counts as issued at 0.
const ROTATE = new LuaScript(`
local token = redis.call('HMGET', KEYS[1], 'family', 'user', 'exp', 'used', 'iat')
if not token[1] or ARGV[5] ~= token[1] or ARGV[6] ~= token[2] then return {'invalid'} end
if tonumber(token[3]) <= tonumber(ARGV[1]) then return {'invalid'} end
local cutoff = redis.call('GET', KEYS[4])
if cutoff and tonumber(token[5] or '0') < tonumber(cutoff) then return {'revokedForUser', token[2]} end
if redis.call('HEXISTS', KEYS[3], 'revoked') == 1 then return {'invalid'} end
if token[4] then
  redis.call('HSET', KEYS[3], 'revoked', ARGV[1])
  if redis.call('PTTL', KEYS[3]) < tonumber(ARGV[4]) then redis.call('PEXPIRE', KEYS[3], ARGV[4]) end
  return {'reused', token[2], token[1]}
end
redis.call('HSET', KEYS[1], 'used', ARGV[1])
local ttl = tonumber(ARGV[3])
if ttl > 0 then
  redis.call('HSET', KEYS[2], 'family', token[1], 'user', token[2], 'exp', ARGV[2], 'iat', ARGV[1])
  redis.call('PEXPIRE', KEYS[2], ttl)
  local familyTtl = redis.call('PTTL', KEYS[3])
  if familyTtl < ttl then
    redis.call('HSET', KEYS[3], 'exp', ARGV[2])
    redis.call('PEXPIRE', KEYS[3], ttl)
  end
end
return {'rotated', token[2], token[1]}
`);

// Saving a token. KEYS: token, family. ARGV: family, user, expiry, TTL (ms), issued at. The family key lives as
// long as its longest-lived token; a revocation written earlier keeps at least its own TTL.
const SAVE = new LuaScript(`
redis.call('HSET', KEYS[1], 'family', ARGV[1], 'user', ARGV[2], 'exp', ARGV[3], 'iat', ARGV[5])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
local familyTtl = redis.call('PTTL', KEYS[2])
if familyTtl < tonumber(ARGV[4]) then
  redis.call('HSET', KEYS[2], 'exp', ARGV[3])
  redis.call('PEXPIRE', KEYS[2], ARGV[4])
end
return 1
`);

// Revoking. KEYS: family. ARGV: now, retention (ms).
const REVOKE = new LuaScript(`
redis.call('HSET', KEYS[1], 'revoked', ARGV[1])
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

// A user-wide cutoff. KEYS: user. ARGV: issued before, retention (ms). Only moves forward; kept at least as long as
// a family revocation, which covers the refresh-token lifetime (and so every token it voids).
const REVOKE_USER = new LuaScript(`
local current = redis.call('GET', KEYS[1])
if not current or tonumber(current) < tonumber(ARGV[1]) then redis.call('SET', KEYS[1], ARGV[1], 'KEEPTTL') end
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`);

const rotationReply = z.union([
  z.tuple([z.literal('invalid')]),
  z.tuple([z.literal('revokedForUser'), z.string()]),
  z.tuple([z.enum(['rotated', 'reused']), z.string(), z.string()]),
]);

export class RedisTokenStore implements TokenStore {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly clock: Clock;
  private readonly retentionMs: number;

  constructor(options: RedisTokenStoreOptions) {
    if (!(options.revokedFamilyRetentionMs > 0)) {
      throw new RangeError(`revokedFamilyRetentionMs must be positive, got ${options.revokedFamilyRetentionMs}`);
    }
    this.client = options.client;
    this.prefix = options.keyPrefix;
    this.clock = options.clock;
    this.retentionMs = options.revokedFamilyRetentionMs;
  }

  saveRefreshToken(record: RefreshTokenRecord): Promise<void> {
    return this.guard(async () => {
      const ttl = this.ttlUntil(record.expiresAt);
      // Already expired: it could only ever be refused, so there is nothing worth storing.
      if (ttl <= 0) return;
      await SAVE.run(
        this.client,
        [this.tokenKey(record.tokenHash), this.familyKey(record.familyId)],
        [record.familyId, record.userId, record.expiresAt, ttl, record.issuedAt],
      );
    });
  }

  rotateRefreshToken(
    tokenHash: string,
    next: Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'issuedAt'>,
    now: number,
  ): Promise<RotationOutcome> {
    return this.guard(async () => {
      const [familyId, owner] = await this.client.hmget(this.tokenKey(tokenHash), 'family', 'user');
      if (familyId === null || familyId === undefined || owner === null || owner === undefined) {
        return { outcome: 'invalid' };
      }
      const reply = rotationReply.parse(
        await ROTATE.run(
          this.client,
          [this.tokenKey(tokenHash), this.tokenKey(next.tokenHash), this.familyKey(familyId), this.userKey(owner)],
          [now, next.expiresAt, this.ttlUntil(next.expiresAt), this.retentionMs, familyId, owner],
        ),
      );
      if (reply[0] === 'invalid') return { outcome: 'invalid' };
      if (reply[0] === 'revokedForUser') return { outcome: 'revokedForUser', userId: reply[1] };
      const [outcome, userId, family] = reply;
      return { outcome, userId, familyId: family };
    });
  }

  revokeFamily(familyId: string, now: number): Promise<void> {
    return this.guard(async () => {
      await REVOKE.run(this.client, [this.familyKey(familyId)], [now, this.retentionMs]);
    });
  }

  isFamilyRevoked(familyId: string): Promise<boolean> {
    return this.guard(async () => (await this.client.hexists(this.familyKey(familyId), 'revoked')) === 1);
  }

  blacklistAccessToken(jti: string, expiresAt: number): Promise<void> {
    return this.guard(async () => {
      const ttl = this.ttlUntil(expiresAt);
      if (ttl <= 0) return;
      // The expiry is stored as well: a Redis whose clock runs behind must not keep a token blacklisted past it.
      await this.client.set(this.blacklistKey(jti), String(expiresAt), 'PX', ttl);
    });
  }

  isAccessTokenBlacklisted(jti: string, now: number): Promise<boolean> {
    return this.guard(async () => {
      return stillBlacklisted(await this.client.get(this.blacklistKey(jti)), now);
    });
  }

  revokeUserTokensIssuedBefore(userId: string, issuedBefore: number): Promise<void> {
    return this.guard(async () => {
      await REVOKE_USER.run(this.client, [this.userKey(userId)], [issuedBefore, this.retentionMs]);
    });
  }

  isRevokedForUser(userId: string, issuedAt: number): Promise<boolean> {
    return this.guard(async () => {
      return voidedByCutoff(await this.client.get(this.userKey(userId)), issuedAt);
    });
  }

  revocationsOf(token: AccessTokenIds, now: number): Promise<AccessTokenRevocations> {
    return this.guard(async () => {
      // One round trip: the three reads go out together and come back in order (not a transaction: each is a
      // single read, and a revocation landing between them is no different from one landing just after).
      const replies = await this.client
        .pipeline()
        .get(this.blacklistKey(token.jti))
        .hexists(this.familyKey(token.familyId), 'revoked')
        .get(this.userKey(token.userId))
        .exec();
      const [blacklistedUntil, familyRevoked, cutoff] = pipelineReplies.parse((replies ?? []).map(([error, value]) => {
        if (error) throw error;
        return value;
      }));
      return {
        blacklisted: stillBlacklisted(blacklistedUntil, now),
        familyRevoked: familyRevoked === 1,
        revokedForUser: voidedByCutoff(cutoff, token.issuedAt),
      };
    });
  }

  isRevokedForever(userId: string): Promise<boolean> {
    return this.guard(async () => {
      const cutoff = await this.client.get(this.userKey(userId));
      return cutoff !== null && Number(cutoff) >= REVOKED_FOREVER;
    });
  }

  /** Redis expires every key on its own (each key's TTL follows what it holds), so there is nothing to sweep. */
  async purgeExpired(_now: number): Promise<number> {
    return 0;
  }

  /** The client belongs to whoever made it (the composition root shares one between adapters). */
  async close(): Promise<void> {}

  private ttlUntil(expiresAt: number): number {
    return Math.ceil(expiresAt - this.clock.now());
  }

  private tokenKey(tokenHash: string): string {
    return `${this.prefix}refresh:${tokenHash}`;
  }

  private familyKey(familyId: string): string {
    return `${this.prefix}family:${familyId}`;
  }

  private userKey(userId: string): string {
    return `${this.prefix}user:${userId}`;
  }

  private blacklistKey(jti: string): string {
    return `${this.prefix}blacklist:${jti}`;
  }

  /** A Redis failure becomes 503 UNAVAILABLE: the client may retry, nothing about its token is decided. */
  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    try {
      return await operation();
    } catch (error) {
      // A reply of the wrong shape is a bug, not an outage: it stays a 500.
      if (error instanceof ChatError || error instanceof z.ZodError) throw error;
      throw new UnavailableError('the token store is unavailable', undefined, { cause: error });
    }
  }
}
