/** A refresh token as stored: only its SHA-256 hash is kept, so a leaked table cannot be replayed. */
export interface RefreshTokenRecord {
  tokenHash: string;
  familyId: string;
  userId: string;
  expiresAt: number;
  /** When it was issued (epoch ms): a user-wide revocation voids the tokens issued before it. */
  issuedAt: number;
}

export type RotationOutcome =
  | { outcome: 'rotated'; userId: string; familyId: string }
  /** The token had already been rotated: somebody replayed it, so the whole family is now revoked. */
  | { outcome: 'reused'; userId: string; familyId: string }
  /**
   * The token was issued before a revocation of its user's tokens (a password change, an erasure): named apart
   * from 'invalid' so that whoever holds it can be told why, an erased account's owner in particular.
   */
  | { outcome: 'revokedForUser'; userId: string }
  /** Unknown here, expired, or of a revoked family. */
  | { outcome: 'invalid' };

/**
 * Refresh-token families and the access-token blacklist. Rotation is atomic: of two concurrent refreshes with the
 * same token exactly one rotates, the other counts as reuse.
 */
export interface TokenStore {
  saveRefreshToken(record: RefreshTokenRecord): Promise<void>;
  /**
   * Marks `tokenHash` used and stores `next` in its family (issued at `now`), if the token is current, unexpired,
   * unrevoked, and not issued before a revocation of its user's tokens.
   */
  rotateRefreshToken(
    tokenHash: string,
    next: Omit<RefreshTokenRecord, 'familyId' | 'userId' | 'issuedAt'>,
    now: number,
  ): Promise<RotationOutcome>;
  revokeFamily(familyId: string, now: number): Promise<void>;
  isFamilyRevoked(familyId: string): Promise<boolean>;
  /** Blacklists an access token id until it would have expired anyway. */
  blacklistAccessToken(jti: string, expiresAt: number): Promise<void>;
  isAccessTokenBlacklisted(jti: string, now: number): Promise<boolean>;
  /**
   * Every token of the user issued before `issuedBefore` (epoch ms) is void from now on: their refresh tokens no
   * longer rotate and isRevokedForUser says so for their access tokens (a password change). A later call with an
   * earlier time changes nothing: the cutoff only moves forward.
   */
  revokeUserTokensIssuedBefore(userId: string, issuedBefore: number): Promise<void>;
  /** True when a token of `userId` issued at `issuedAt` (epoch ms) was voided by revokeUserTokensIssuedBefore. */
  isRevokedForUser(userId: string, issuedAt: number): Promise<boolean>;
  /**
   * True when the user's tokens were voided with no end (REVOKED_FOREVER): only an erasure does that, before it
   * records PersonalDataErased, so a token check in between already knows the account is closed.
   */
  isRevokedForever(userId: string): Promise<boolean>;
  /**
   * isAccessTokenBlacklisted, isFamilyRevoked and isRevokedForUser of one access token, asked at once (one query, one
   * Redis round trip): what every authenticated request and every socket heartbeat asks.
   */
  revocationsOf(token: AccessTokenIds, now: number): Promise<AccessTokenRevocations>;
  /** Drops rows that can no longer matter (expired tokens and blacklist entries). */
  purgeExpired(now: number): Promise<number>;
  close(): Promise<void>;
}

/** The cutoff of an erasure (revokeUserTokensIssuedBefore): every token of the user, issued now or later, is void. */
export const REVOKED_FOREVER = Number.MAX_SAFE_INTEGER;

/** What names an access token for its revocation checks. */
export interface AccessTokenIds {
  jti: string;
  familyId: string;
  userId: string;
  /** Epoch ms. */
  issuedAt: number;
}

export interface AccessTokenRevocations {
  blacklisted: boolean;
  familyRevoked: boolean;
  revokedForUser: boolean;
}
