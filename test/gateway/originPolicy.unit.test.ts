import { describe, expect, it } from 'vitest';
import { isOriginAllowed } from '../../src/gateway/originPolicy.js';

describe('isOriginAllowed', () => {
  const listed = ['https://chat.example.test'];

  it.each([
    ['no Origin (not a browser)', undefined, 'api.example.test', [], true],
    ['a listed origin', 'https://chat.example.test', 'api.example.test', listed, true],
    ['a listed origin written with a trailing slash in the list', 'https://chat.example.test', 'api.example.test', ['https://chat.example.test/'], true],
    ['the server’s own origin', 'http://localhost:3000', 'localhost:3000', [], true],
    ['any origin with *', 'https://anything.example', 'api.example.test', ['*'], true],
    ['an unlisted origin', 'https://evil.example', 'api.example.test', listed, false],
    ['the same host on another port', 'http://localhost:4000', 'localhost:3000', [], false],
    ['another scheme of a listed origin', 'http://chat.example.test', 'api.example.test', listed, false],
    ['the opaque origin null', 'null', 'api.example.test', listed, false],
    ['a malformed origin', 'not a url', 'api.example.test', listed, false],
    ['a non-http scheme', 'file:///etc/passwd', 'api.example.test', [], false],
  ])('%s', (_name, origin, host, allowed, expected) => {
    expect(isOriginAllowed(origin, host, allowed)).toBe(expected);
  });
});
