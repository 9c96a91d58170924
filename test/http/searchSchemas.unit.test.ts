import { describe, expect, it } from 'vitest';
import { decodeSearchCursor, encodeSearchCursor, searchQuery } from '../../src/http/searchSchemas.js';

describe('the search cursor', () => {
  it('round-trips both orders and is opaque URL-safe text', () => {
    for (const at of [{ order: 'date', below: 123456 }, { order: 'relevance', top: 99, offset: 40 }] as const) {
      const cursor = encodeSearchCursor(at);
      expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeSearchCursor(cursor)).toEqual(at);
    }
  });

  it('refuses anything it did not make', () => {
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const cursor of ['', 'not a cursor', '%%%', forged({ o: 'd', b: -1 }), forged({ o: 'd', b: 1.5 }), forged({ o: 'x', b: 1 }),
      forged({ o: 'r', t: 1, n: 0 }), forged({ o: 'd', b: 1, extra: true }), forged([1, 2]), Buffer.from('{').toString('base64url'), 'a'.repeat(201)]) {
      expect(decodeSearchCursor(cursor), cursor).toBeUndefined();
    }
  });
});

describe('the search query', () => {
  it('parses q into terms, defaults limit and order, and decodes before', () => {
    const before = encodeSearchCursor({ order: 'date', below: 7 });
    const parsed = searchQuery.parse({ q: 'hello wor', before });
    expect(parsed).toMatchObject({ limit: 20, order: 'date', before: { order: 'date', below: 7 }, q: { prefixLast: true } });
  });

  it('refuses an empty, wordless or too long q, a bad limit, order or cursor, and unknown parameters', () => {
    for (const query of [{}, { q: '' }, { q: '?!' }, { q: 'x'.repeat(201) }, { q: 'a', limit: '0' }, { q: 'a', limit: '1e1' },
      { q: 'a', limit: '51' }, { q: 'a', order: 'rank' }, { q: 'a', before: 'zzz' }, { q: 'a', roomId: '' }, { q: 'a', page: '2' }]) {
      expect(searchQuery.safeParse(query).success, JSON.stringify(query)).toBe(false);
    }
  });
});
