import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { queryInteger, queryIntegerOr } from '../../src/http/queryInteger.js';
import { NO_BODY, NO_PARAMS, publicRoute } from '../../src/http/route.js';

// Query integers are plain decimal digits and nothing else: what Number() would also have read (hex, exponents,
// blanks, signs) is refused instead of being answered as a number the client never wrote.

const query = z.strictObject({
  seq: queryInteger({ min: 0, max: Number.MAX_SAFE_INTEGER }).optional(),
  limit: queryIntegerOr(50, { min: 1, max: 100 }),
});

describe('query integers (unit)', () => {
  it.each([
    ['0', 0],
    ['7', 7],
    ['100', 100],
    [String(Number.MAX_SAFE_INTEGER), Number.MAX_SAFE_INTEGER],
  ])('reads %s as %d', (text, value) => {
    expect(query.parse({ seq: text }).seq).toBe(value);
  });

  it.each(['', ' ', ' 1', '1 ', '0x10', '1e2', '1.0', '1.5', '+1', '-1', '-0', '007', '٣', 'Infinity', 'NaN', '9007199254740992', '99999999999999999999'])(
    'refuses %j',
    (text) => {
      expect(query.safeParse({ seq: text }).success).toBe(false);
    },
  );

  it('applies bounds after reading and falls back to the default when left out', () => {
    expect(query.parse({}).limit).toBe(50);
    expect(query.parse({ limit: '1' }).limit).toBe(1);
    expect(query.safeParse({ limit: '0' }).success).toBe(false);
    expect(query.safeParse({ limit: '101' }).success).toBe(false);
  });

  it('is declared to OpenAPI as an integer with its bounds (and default), nothing else', () => {
    const route = publicRoute({
      method: 'get',
      path: '/api/probe',
      summary: 'a query of integers',
      tags: [],
      body: NO_BODY,
      query,
      params: NO_PARAMS,
      responses: { 200: { description: 'ok' } },
      handler: async () => ({ status: 200 }),
    });
    const parameters = z
      .object({ paths: z.object({ '/api/probe': z.object({ get: z.object({ parameters: z.array(z.object({ name: z.string(), schema: z.unknown() })) }) }) }) })
      .parse(buildOpenApiDocument([route], { version: 'test' })).paths['/api/probe'].get.parameters;
    expect(Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema]))).toEqual({
      seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
      limit: { type: 'integer', minimum: 1, maximum: 100, default: 50 },
    });
  });
});
