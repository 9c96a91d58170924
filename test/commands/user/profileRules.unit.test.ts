import { describe, expect, it } from 'vitest';
import { isAvatarUrl, profileFieldProblem } from '../../../src/commands/user/profileRules.js';

describe('isAvatarUrl', () => {
  it('accepts absolute http and https URLs with a host, up to 2048 characters', () => {
    for (const url of ['https://cdn.example.com/a.png', 'http://127.0.0.1:8080/x?y=1#z', 'HTTPS://EXAMPLE.COM/A.PNG', `https://e.com/${'a'.repeat(2034)}`]) {
      expect(isAvatarUrl(url), url).toBe(true);
    }
  });

  it('refuses other schemes, relative URLs, spaces, non-ASCII and anything longer than 2048', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:image/png;base64,AAAA',
      'file:///etc/passwd',
      'ftp://example.com/a.png',
      '//example.com/a.png',
      '/a.png',
      'https://',
      ' https://example.com/a.png',
      'https://example.com/a b.png',
      'https://exämple.com/a.png',
      '',
      `https://e.com/${'a'.repeat(2035)}`,
    ]) {
      expect(isAvatarUrl(url), url).toBe(false);
    }
  });
});

describe('profileFieldProblem', () => {
  it('counts code points, so an emoji is one character', () => {
    expect(profileFieldProblem('displayName', '🐇'.repeat(64))).toBeUndefined();
    expect(profileFieldProblem('displayName', '🐇'.repeat(65))).toMatch(/1 to 64/);
    expect(profileFieldProblem('statusText', '🐇'.repeat(140))).toBeUndefined();
    expect(profileFieldProblem('statusText', '🐇'.repeat(141))).toMatch(/at most 140/);
  });

  it('allows an empty status and a null avatar, never a null name or status', () => {
    expect(profileFieldProblem('statusText', '')).toBeUndefined();
    expect(profileFieldProblem('avatarUrl', null)).toBeUndefined();
    expect(profileFieldProblem('displayName', null)).toBeDefined();
    expect(profileFieldProblem('statusText', null)).toBeDefined();
    expect(profileFieldProblem('displayName', '')).toBeDefined();
  });
});
