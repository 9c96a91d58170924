import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { AccessTokens } from '../../src/auth/accessTokens.js';
import { AuthenticationError } from '../../src/domain/errors.js';

const SECRET = 'test-secret-of-at-least-thirty-two-characters';
const ISSUER = 'chat-service-test';
const TTL = 15 * 60;
/** A fixed "now" in epoch seconds: verification takes the time as an argument, never from the wall clock. */
const NOW = 1_750_000_000;

const tokens = new AccessTokens({ secret: SECRET, issuer: ISSUER, ttlSeconds: TTL });
const CLAIMS = { userId: 'u-alice', role: 'user', jti: 'jti-1', familyId: 'fam-1' } as const;

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The claims a token signed by AccessTokens carries, in wire form. */
function wireClaims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    sub: 'u-alice',
    role: 'user',
    jti: 'jti-1',
    fam: 'fam-1',
    typ: 'access',
    iat: NOW,
    exp: NOW + TTL,
    iss: ISSUER,
    ...overrides,
  };
}

/** Builds a JWT by hand, so a test controls the header (alg) and signs with HMAC-SHA256 whatever it says. */
function forge(header: Record<string, unknown>, claims: Record<string, unknown>, secret = SECRET): string {
  const signingInput = `${base64url(header)}.${base64url(claims)}`;
  const signature = createHmac('sha256', secret).update(signingInput).digest('base64url');
  return `${signingInput}.${signature}`;
}

function omit(claims: Record<string, unknown>, key: string): Record<string, unknown> {
  return Object.fromEntries(Object.entries(claims).filter(([name]) => name !== key));
}

/** The stable code `verify` fails with; fails the test if it does not fail. */
function verifyFailure(token: string, nowSeconds = NOW, verifier = tokens): string {
  try {
    verifier.verify(token, nowSeconds);
  } catch (error) {
    if (error instanceof AuthenticationError) return error.code;
    throw error;
  }
  throw new Error('expected the token to be refused');
}

describe('AccessTokens', () => {
  describe('sign and verify', () => {
    it('round-trips the claims and expires after the configured lifetime', () => {
      const token = tokens.sign(CLAIMS, NOW);
      expect(tokens.verify(token, NOW)).toEqual({
        userId: 'u-alice',
        role: 'user',
        jti: 'jti-1',
        familyId: 'fam-1',
        expiresAt: NOW + TTL,
        issuedAt: NOW * 1000,
      });
    });

    it('carries the issue time in milliseconds, which whole-second iat cannot tell apart', () => {
      const token = tokens.sign({ ...CLAIMS, issuedAt: NOW * 1000 + 789 }, NOW);
      expect(tokens.verify(token, NOW).issuedAt).toBe(NOW * 1000 + 789);
      expect(jwt.decode(token, { json: true })).toMatchObject({ iat: NOW, iat_ms: NOW * 1000 + 789 });
    });

    it('carries each role', () => {
      for (const role of ['user', 'admin', 'auditor', 'analyst'] as const) {
        expect(tokens.verify(tokens.sign({ ...CLAIMS, role }, NOW), NOW).role).toBe(role);
      }
    });

    it('signs with HS256, the issuer and the typ/fam claims', () => {
      const decoded = jwt.decode(tokens.sign(CLAIMS, NOW), { complete: true });
      expect(decoded?.header.alg).toBe('HS256');
      expect(decoded?.payload).toMatchObject({ iss: ISSUER, typ: 'access', fam: 'fam-1', sub: 'u-alice', iat: NOW });
    });

    it('is interchangeable with tokens signed by jsonwebtoken from the plain secret string (issued before the key object)', () => {
      const earlier = jwt.sign(wireClaims(), SECRET, { algorithm: 'HS256' });
      // Signed before the millisecond claim: issued at the start of its iat second.
      expect(tokens.verify(earlier, NOW)).toEqual({ userId: 'u-alice', role: 'user', jti: 'jti-1', familyId: 'fam-1', expiresAt: NOW + TTL, issuedAt: NOW * 1000 });
      const now = tokens.sign(CLAIMS, NOW);
      expect(jwt.verify(now, SECRET, { algorithms: ['HS256'], issuer: ISSUER, clockTimestamp: NOW })).toMatchObject({ sub: 'u-alice', fam: 'fam-1' });
    });

    it('accepts a hand-built HS256 token with the right claims (the forging helper itself is sound)', () => {
      expect(tokens.verify(forge({ alg: 'HS256', typ: 'JWT' }, wireClaims()), NOW).userId).toBe('u-alice');
    });
  });

  describe('expiry', () => {
    it('is valid up to the last second of its lifetime', () => {
      expect(tokens.verify(tokens.sign(CLAIMS, NOW), NOW + TTL - 1).jti).toBe('jti-1');
    });

    it('is TOKEN_EXPIRED from its expiry on', () => {
      const token = tokens.sign(CLAIMS, NOW);
      expect(verifyFailure(token, NOW + TTL)).toBe('TOKEN_EXPIRED');
      expect(verifyFailure(token, NOW + 7 * 24 * 3600)).toBe('TOKEN_EXPIRED');
    });

    it('does not say TOKEN_EXPIRED for an expired token with a bad signature: the signature is checked first', () => {
      const forged = forge({ alg: 'HS256', typ: 'JWT' }, wireClaims(), 'another-secret-of-thirty-two-characters');
      expect(verifyFailure(forged, NOW + TTL + 1)).toBe('AUTH_FAILED');
    });
  });

  describe('a token verified before', () => {
    it('is answered with the same principal, and still expires at its expiry', () => {
      const verifier = new AccessTokens({ secret: SECRET, issuer: ISSUER, ttlSeconds: TTL });
      const token = verifier.sign(CLAIMS, NOW);
      const first = verifier.verify(token, NOW);
      expect(verifier.verify(token, NOW + 1)).toBe(first);
      expect(Object.isFrozen(first)).toBe(true);
      expect(verifyFailure(token, NOW + TTL, verifier)).toBe('TOKEN_EXPIRED');
      // Expiry is checked on every call, also for a token known to be valid a moment before.
      expect(verifier.verify(token, NOW + TTL - 1)).toBe(first);
    });

    it('does not vouch for any other text: a tampered copy of it is refused', () => {
      const verifier = new AccessTokens({ secret: SECRET, issuer: ISSUER, ttlSeconds: TTL });
      const token = verifier.sign(CLAIMS, NOW);
      verifier.verify(token, NOW);
      const [header, , signature] = token.split('.');
      const raised = `${header}.${base64url(wireClaims({ role: 'admin' }))}.${signature}`;
      expect(verifyFailure(raised, NOW, verifier)).toBe('AUTH_FAILED');
      expect(verifyFailure(`${token}x`, NOW, verifier)).toBe('AUTH_FAILED');
    });
  });

  describe('refuses forged or foreign tokens with AUTH_FAILED', () => {
    it('signed with another secret', () => {
      const other = new AccessTokens({
        secret: 'another-secret-of-thirty-two-characters',
        issuer: ISSUER,
        ttlSeconds: TTL,
      });
      expect(verifyFailure(other.sign(CLAIMS, NOW))).toBe('AUTH_FAILED');
    });

    it('issued by another issuer', () => {
      const other = new AccessTokens({ secret: SECRET, issuer: 'someone-else', ttlSeconds: TTL });
      expect(verifyFailure(other.sign(CLAIMS, NOW))).toBe('AUTH_FAILED');
      expect(verifyFailure(forge({ alg: 'HS256', typ: 'JWT' }, omit(wireClaims(), 'iss')))).toBe('AUTH_FAILED');
    });

    it('with a tampered payload (role raised to admin, signature kept)', () => {
      const [header, , signature] = tokens.sign(CLAIMS, NOW).split('.');
      const tampered = `${header}.${base64url(wireClaims({ role: 'admin' }))}.${signature}`;
      expect(verifyFailure(tampered)).toBe('AUTH_FAILED');
    });

    it('with a tampered signature', () => {
      const token = tokens.sign(CLAIMS, NOW);
      const last = token.at(-2) === 'A' ? 'B' : 'A';
      expect(verifyFailure(`${token.slice(0, -2)}${last}${token.slice(-1)}`)).toBe('AUTH_FAILED');
    });

    it.each([
      ['empty', ''],
      ['not a JWT', 'hello'],
      ['three garbage parts', 'a.b.c'],
    ])('%s', (_name, token) => {
      expect(verifyFailure(token)).toBe('AUTH_FAILED');
    });
  });

  describe('pins the algorithm to HS256', () => {
    it('refuses alg "none" without a signature', () => {
      const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(wireClaims())}.`;
      expect(verifyFailure(unsigned)).toBe('AUTH_FAILED');
    });

    it('refuses alg "none" even with a valid HMAC signature appended', () => {
      expect(verifyFailure(forge({ alg: 'none', typ: 'JWT' }, wireClaims()))).toBe('AUTH_FAILED');
    });

    it.each(['HS512', 'HS384'] as const)('refuses a token genuinely signed %s with the same secret', (algorithm) => {
      const token = jwt.sign(wireClaims(), SECRET, { algorithm });
      // The same secret verifies it when the algorithm is not pinned, so only the pin refuses it.
      expect(jwt.verify(token, SECRET, { algorithms: [algorithm], clockTimestamp: NOW })).toMatchObject({
        sub: 'u-alice',
      });
      expect(verifyFailure(token)).toBe('AUTH_FAILED');
    });

    it('refuses an RS256-looking token signed with the shared secret (key confusion)', () => {
      expect(verifyFailure(forge({ alg: 'RS256', typ: 'JWT' }, wireClaims()))).toBe('AUTH_FAILED');
    });
  });

  describe('refuses tokens whose claims are not an access token', () => {
    it.each(['typ', 'fam', 'sub', 'jti', 'role', 'exp', 'iat'])('missing %s', (claim) => {
      expect(verifyFailure(forge({ alg: 'HS256', typ: 'JWT' }, omit(wireClaims(), claim)))).toBe('AUTH_FAILED');
    });

    it.each([
      ['typ "refresh"', { typ: 'refresh' }],
      ['an empty fam', { fam: '' }],
      ['an empty sub', { sub: '' }],
      ['an unknown role', { role: 'superuser' }],
      ['a non-integer exp', { exp: NOW + 0.5 }],
    ])('with %s', (_name, overrides) => {
      expect(verifyFailure(forge({ alg: 'HS256', typ: 'JWT' }, wireClaims(overrides)))).toBe('AUTH_FAILED');
    });

    it('that is not yet valid (nbf in the future)', () => {
      expect(verifyFailure(forge({ alg: 'HS256', typ: 'JWT' }, wireClaims({ nbf: NOW + 60 })))).toBe('AUTH_FAILED');
    });
  });
});
