import { describe, expect, it } from 'vitest';
import type { ProviderProfile } from '../../src/auth/oauth/identityProvider.js';
import { baseUsername, usernameCandidate, usernameFrom } from '../../src/auth/oauth/usernameCandidates.js';

const profile = (fields: Partial<Omit<ProviderProfile, 'identity'>>): ProviderProfile => ({
  identity: { provider: 'github', subject: '1' },
  handle: undefined,
  name: undefined,
  verifiedEmail: null,
  ...fields,
});

describe('usernames from a provider profile', () => {
  it('shape a text to the registration rule', () => {
    expect(usernameFrom('octocat')).toBe('octocat');
    expect(usernameFrom('  Jane  Q. Public ')).toBe('Jane_Q._Public');
    expect(usernameFrom('Ｊöｒｇ!!')).toBe('Jörg');
    expect(usernameFrom('__x__')).toBeUndefined();
    expect(usernameFrom('a'.repeat(40))).toBe('a'.repeat(32));
    // Never splits a surrogate pair: 𠀀 (U+20000) is a letter of two code units.
    expect(usernameFrom('𠀀'.repeat(20))).toBe('𠀀'.repeat(16));
  });

  it('take the handle, else the e-mail local part, else the name, else <provider>_user', () => {
    expect(baseUsername(profile({ handle: 'octocat', name: 'The Octocat', verifiedEmail: 'cat@example.org' }))).toBe('octocat');
    expect(baseUsername(profile({ name: 'The Octocat', verifiedEmail: 'cat.o@example.org' }))).toBe('cat.o');
    expect(baseUsername(profile({ name: 'The Octocat' }))).toBe('The_Octocat');
    expect(baseUsername(profile({ handle: '!', name: 'x' }))).toBe('github_user');
  });

  it('number later candidates, keeping them within 32 characters', () => {
    expect(usernameCandidate('octocat', 1)).toBe('octocat');
    expect(usernameCandidate('octocat', 2)).toBe('octocat_2');
    expect(usernameCandidate('a'.repeat(32), 10)).toBe(`${'a'.repeat(29)}_10`);
  });
});
