import { createSecretKey, type KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { z } from 'zod';
import { AuthenticationError } from '../domain/errors.js';
import type { UserRole } from '../events/chatEvents.js';

/** Only HS256 is ever accepted: pinning the algorithm closes the "alg: none" and key-confusion attacks. */
const ALGORITHM = 'HS256';
/** Verified tokens remembered (about 300 bytes each): more than the active clients of one process. */
const MAX_VERIFIED_TOKENS = 10_000;

const claimsSchema = z.object({
  sub: z.string().min(1),
  role: z.enum(['user', 'admin', 'auditor', 'analyst']),
  jti: z.string().min(1),
  fam: z.string().min(1),
  typ: z.literal('access'),
  exp: z.number().int(),
  iat: z.number().int(),
  /** Issued at in milliseconds: `iat` has whole seconds, too coarse to tell a token from a password change. */
  iat_ms: z.number().int().optional(),
});

export interface AccessPrincipal {
  userId: string;
  role: UserRole;
  /** The token's id, blacklisted on logout. */
  jti: string;
  /** The refresh family the token was issued with; revoking the family invalidates it. */
  familyId: string;
  /** Expiry in epoch seconds. */
  expiresAt: number;
  /**
   * When it was issued, epoch milliseconds (a user-wide revocation voids the tokens issued before it). A token
   * signed before the millisecond claim existed reads as issued at the start of its `iat` second.
   */
  issuedAt: number;
}

export interface AccessTokenOptions {
  secret: string;
  issuer: string;
  ttlSeconds: number;
}

export class AccessTokens {
  /**
   * The secret as a KeyObject, made once. Handed a string, jsonwebtoken first tries to parse it as a PEM public
   * (verify) or private (sign) key, fails, and only then makes a secret key, on every call: that was ~1.5 ms of CPU
   * per authenticated request, the send path's top hotspot in the bench profile. The HMAC is the same either way.
   */
  private readonly key: KeyObject;
  /** Tokens whose signature, issuer and claims were verified, by their exact text (see verify). */
  private readonly verified = new Map<string, AccessPrincipal>();

  constructor(private readonly options: AccessTokenOptions) {
    this.key = createSecretKey(Buffer.from(options.secret, 'utf8'));
  }

  /** `issuedAt` (epoch ms) defaults to the start of `nowSeconds`; pass the clock's milliseconds where it matters. */
  sign(
    claims: { userId: string; role: UserRole; jti: string; familyId: string; issuedAt?: number },
    nowSeconds: number,
  ): string {
    return jwt.sign(
      {
        sub: claims.userId,
        role: claims.role,
        jti: claims.jti,
        fam: claims.familyId,
        typ: 'access',
        iat: nowSeconds,
        iat_ms: claims.issuedAt ?? nowSeconds * 1000,
      },
      this.key,
      { algorithm: ALGORITHM, expiresIn: this.options.ttlSeconds, issuer: this.options.issuer },
    );
  }

  /**
   * verify()'s expiry rule (jsonwebtoken's: expired from the `exp` second on), for a principal verified earlier,
   * whose token is not kept (a live socket's).
   */
  static assertUnexpired(principal: AccessPrincipal, nowSeconds: number): void {
    if (nowSeconds >= principal.expiresAt) throw new AuthenticationError('TOKEN_EXPIRED', 'access token expired');
  }

  /**
   * Verifies signature, algorithm, issuer and expiry; says which of them failed with a stable code. A token verified
   * before is found by its exact text (signature included, so no other text can match it) and only its expiry is
   * checked again: a client on a keep-alive connection sends the same token with every request, and jsonwebtoken's
   * verify was ~6 % of a send's CPU. Revocation is not the signature's business: callers check it every time.
   */
  verify(token: string, nowSeconds: number): AccessPrincipal {
    const known = this.verified.get(token);
    if (known !== undefined) {
      AccessTokens.assertUnexpired(known, nowSeconds);
      return known;
    }
    const principal = this.verifySignature(token, nowSeconds);
    // Emptied when full rather than trimmed one by one: a Map trimmed from its front walks the holes of every
    // entry deleted before (V8), and re-verifying a burst of tokens once is cheap.
    if (this.verified.size >= MAX_VERIFIED_TOKENS) this.verified.clear();
    this.verified.set(token, principal);
    return principal;
  }

  private verifySignature(token: string, nowSeconds: number): AccessPrincipal {
    let decoded: unknown;
    try {
      decoded = jwt.verify(token, this.key, {
        algorithms: [ALGORITHM],
        issuer: this.options.issuer,
        clockTimestamp: nowSeconds,
      });
    } catch (error) {
      if (error instanceof jwt.TokenExpiredError) throw new AuthenticationError('TOKEN_EXPIRED', 'access token expired');
      throw new AuthenticationError('AUTH_FAILED', 'access token is invalid');
    }
    const claims = claimsSchema.safeParse(decoded);
    if (!claims.success) throw new AuthenticationError('AUTH_FAILED', 'access token is invalid');
    // Frozen: the same principal is handed to every request that presents this token.
    return Object.freeze({
      userId: claims.data.sub,
      role: claims.data.role,
      jti: claims.data.jti,
      familyId: claims.data.fam,
      expiresAt: claims.data.exp,
      issuedAt: claims.data.iat_ms ?? claims.data.iat * 1000,
    });
  }
}
