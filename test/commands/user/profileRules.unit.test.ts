import { describe, expect, it } from 'vitest';
import { AVATAR_URL_PATTERN, isAvatarUrl, profileFieldProblem } from '../../../src/commands/user/profileRules.js';

describe('isAvatarUrl', () => {
  it('accepts absolute http and https URLs with a host, up to 2048 characters', () => {
    for (const url of [
      'https://cdn.example.com/a.png',
      'http://127.0.0.1:8080/x?y=1#z',
      'HTTPS://EXAMPLE.COM/A.PNG',
      `https://e.com/${'a'.repeat(2034)}`,
      'http://localhost:65535/a.png',
      'https://a-b.c2.example/%20x\\y?q=[1]#{f}',
      'https://xy-z.example',
    ]) {
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

  it('takes only the grammar its pattern states: a host name or IPv4 address, no user info, no IPv6, no odd hosts', () => {
    for (const url of [
      'https://cdn.example.com@evil.example/a.png',
      'http://user:pass@example.com/',
      'http://[::1]/a.png',
      'HTTP://A*',
      'http://a.1/',
      'http://256.1.1.1/',
      'http://01.2.3.4/',
      'http://xn--a.example/',
      'http://example.com:65536/',
      'http://example.com:/',
      'http://-a.example/',
      'http:///example.com/',
      'http:example.com/',
    ]) {
      expect(isAvatarUrl(url), url).toBe(false);
    }
  });

  it('is the pattern the REST document states (within 2048 characters), and every URL it takes parses', () => {
    const pattern = new RegExp(AVATAR_URL_PATTERN);
    const hosts = ['a', 'example.com', 'a-.b', 'ab-c.d', '1.2.3.4', '255.255.255.255', '0.0.0.0', 'x1.y2.zz'];
    const tails = ['', ':0', ':80', ':65535', '/', '/a?b#c', '?q', '#f', '/%zz/\\~'];
    for (const scheme of ['http', 'HTTPS', 'hTtP']) {
      for (const host of hosts) {
        for (const tail of tails) {
          const url = `${scheme}://${host}${tail}`;
          expect(pattern.test(url), url).toBe(true);
          expect(isAvatarUrl(url), url).toBe(true);
        }
      }
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
