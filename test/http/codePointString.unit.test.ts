import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { NO_BODY, publicRoute } from '../../src/http/route.js';
import { codePointString } from '../../src/http/schemas.js';

// JSON Schema counts a string's length in code points; so does the edge, or 60 emoji would be "longer than 100".

describe('code point strings (unit)', () => {
  const name = codePointString(100, 1);

  it('counts code points, not UTF-16 units', () => {
    expect(name.safeParse('😀'.repeat(100)).success).toBe(true);
    expect(name.safeParse('😀'.repeat(101)).success).toBe(false);
    expect(name.safeParse('x'.repeat(100)).success).toBe(true);
    expect(name.safeParse('x'.repeat(101)).success).toBe(false);
    expect(name.safeParse('').success).toBe(false);
    expect(codePointString(10).safeParse('').success).toBe(true);
  });

  it('is declared with the same bounds', () => {
    const route = publicRoute({
      method: 'get',
      path: '/api/probe/:name',
      summary: 'a named thing',
      tags: [],
      body: NO_BODY,
      query: z.strictObject({ tag: codePointString(10).optional() }),
      params: z.strictObject({ name }),
      responses: { 200: { description: 'ok' } },
      handler: async () => ({ status: 200 }),
    });
    const parameters = z
      .object({ paths: z.object({ '/api/probe/{name}': z.object({ get: z.object({ parameters: z.array(z.object({ name: z.string(), schema: z.unknown() })) }) }) }) })
      .parse(buildOpenApiDocument([route], { version: 'test' })).paths['/api/probe/{name}'].get.parameters;
    expect(Object.fromEntries(parameters.map((parameter) => [parameter.name, parameter.schema]))).toEqual({
      tag: { type: 'string', maxLength: 10 },
      name: { type: 'string', minLength: 1, maxLength: 100 },
    });
  });
});
