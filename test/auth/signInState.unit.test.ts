import { describe, expect, it } from 'vitest';
import { signInCookieOf, SignInStateSealer, type SignInState } from '../../src/auth/oauth/signInState.js';

// The sign-in state cookie (issue #18): sealed with a key derived from the service's secret, so only this service
// reads it, nobody can forge or alter it, and it stops working when it expires.

const state: SignInState = {
  provider: 'github',
  state: 'the-state',
  nonce: 'the-nonce',
  codeVerifier: 'the-verifier',
  redirectUri: 'https://chat.example.org/',
  expiresAt: 2_000,
};
const sealer = new SignInStateSealer('a-secret-that-is-long-enough-for-hs256-0123456789');

describe('the sealed sign-in state', () => {
  it('opens what it sealed, before it expires', () => {
    const sealed = sealer.seal(state);
    expect(sealer.open(sealed, 1_999)).toEqual(state);
    expect(sealer.open(sealed, 2_000)).toBeUndefined();
  });

  it('keeps its secrets unreadable and refuses any change, and another secret', () => {
    const sealed = sealer.seal({ ...state, link: { userId: 'u1', familyId: 'f1' } });
    expect(Buffer.from(sealed, 'base64url').toString('latin1')).not.toContain('the-verifier');
    const bytes = Buffer.from(sealed, 'base64url');
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(sealer.open(bytes.toString('base64url'), 0)).toBeUndefined();
    expect(new SignInStateSealer('another-secret-that-is-long-enough-0123456789').open(sealed, 0)).toBeUndefined();
    expect(sealer.open('', 0)).toBeUndefined();
    expect(sealer.open('not base64 at all!', 0)).toBeUndefined();
  });

  it('is read from a Cookie header only when there is exactly one', () => {
    expect(signInCookieOf('a=1; chat_oauth=abc; b=2')).toBe('abc');
    expect(signInCookieOf('chat_oauth=abc; chat_oauth=def')).toBeUndefined();
    expect(signInCookieOf(undefined)).toBeUndefined();
  });
});
