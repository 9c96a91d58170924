import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, publicRoute } from '../../src/http/route.js';

// The error responses the shared machinery gives every operation are declared by the document builder, from what
// each route takes, so no route lists them by hand.

const ERROR_REF = { $ref: '#/components/schemas/Error' };

const health = publicRoute({
  method: 'get',
  path: '/api/probe',
  summary: 'no parts at all',
  tags: [],
  body: NO_BODY,
  query: NO_QUERY,
  params: NO_PARAMS,
  responses: { 200: { description: 'ok' } },
  handler: async () => ({ status: 200 }),
});

const edit = authedRoute({
  method: 'patch',
  path: '/api/things/:thingId',
  summary: 'every part',
  tags: [],
  body: z.strictObject({ text: z.string() }),
  query: z.strictObject({ dryRun: z.enum(['true', 'false']).optional() }),
  params: z.strictObject({ thingId: z.string() }),
  responses: {
    200: { description: 'edited' },
    404: { description: 'NO_THING' },
    429: { description: 'THING_LIMIT: too many edits' },
  },
  handler: async () => ({ status: 200 }),
});

const operation = z.object({
  requestBody: z.object({ required: z.boolean() }).optional(),
  responses: z.record(
    z.string(),
    z.object({
      description: z.string(),
      content: z.record(z.string(), z.object({ schema: z.unknown() })).optional(),
      headers: z.record(z.string(), z.unknown()).optional(),
    }),
  ),
});
type Operation = z.infer<typeof operation>;

function operations(): { probe: Operation; edit: Operation; document: { components: Record<string, unknown> } } {
  const document = z
    .object({
      paths: z.object({
        '/api/probe': z.object({ get: operation }),
        '/api/things/{thingId}': z.object({ patch: operation }),
      }),
      components: z.record(z.string(), z.unknown()),
    })
    .loose()
    .parse(buildOpenApiDocument([health, edit], { version: 'test' }));
  return { probe: document.paths['/api/probe'].get, edit: document.paths['/api/things/{thingId}'].patch, document };
}

describe('OpenAPI error responses (unit)', () => {
  it('declares 400, 429 and 500 with the Error schema on every operation', () => {
    const { probe, edit: patch } = operations();
    for (const operation of [probe, patch]) {
      for (const status of ['400', '429', '500']) {
        expect(operation.responses[status]?.content?.['application/json']?.schema, status).toEqual(ERROR_REF);
      }
      expect(operation.responses['400']?.description).toContain('VALIDATION_FAILED');
      expect(operation.responses['429']?.headers).toHaveProperty('Retry-After');
    }
  });

  it('says what a 400 is for the parts an operation takes, also for one that takes none', () => {
    const { probe, edit: patch } = operations();
    expect(patch.responses['400']?.description).toContain('path parameter');
    expect(patch.responses['400']?.description).toContain('INVALID_JSON');
    expect(probe.responses['400']?.description).toContain('any query parameter');
    expect(probe.responses['400']?.description).not.toContain('INVALID_JSON');
  });

  it('declares 401 only where a token is needed, 413 and 415 only where a body is taken', () => {
    const { probe, edit: patch } = operations();
    expect(Object.keys(patch.responses)).toEqual(expect.arrayContaining(['401', '413', '415']));
    expect(Object.keys(probe.responses)).not.toContain('401');
    expect(Object.keys(probe.responses)).not.toContain('413');
    expect(Object.keys(probe.responses)).not.toContain('415');
  });

  it('declares 503 on every operation and 410 (an erased account) where a token is needed', () => {
    const { probe, edit: patch } = operations();
    for (const operation of [probe, patch]) {
      expect(operation.responses['503']?.content?.['application/json']?.schema).toEqual(ERROR_REF);
      expect(operation.responses['503']?.description).toContain('UNAVAILABLE');
    }
    expect(patch.responses['410']?.description).toContain('ACCOUNT_ERASED');
    expect(Object.keys(probe.responses)).not.toContain('410');
  });

  it('marks a JSON body required, so a request without one is not a valid request', () => {
    expect(operations().edit.requestBody).toMatchObject({ required: true });
  });

  it("puts a route's own codes for a standard status in front of the standard ones and keeps its headers", () => {
    const limited = operations().edit.responses['429'];
    expect(limited?.description).toMatch(/^THING_LIMIT: too many edits\. RATE_LIMIT_EXCEEDED/);
    expect(limited?.headers).toHaveProperty('Retry-After');
    expect(limited?.content?.['application/json']?.schema).toEqual(ERROR_REF);
  });

  it("keeps the Error schema on a route's own error response that names no schema", () => {
    const { edit: patch } = operations();
    expect(patch.responses['404']).toEqual({ description: 'NO_THING', content: { 'application/json': { schema: ERROR_REF } } });
    expect(patch.responses['200']).toEqual({ description: 'edited' });
  });

  it('offers the 405 of a path as a reusable response with its Allow header', () => {
    const { document, probe } = operations();
    expect(document.components).toMatchObject({
      responses: { MethodNotAllowed: { headers: { Allow: {} }, content: { 'application/json': { schema: ERROR_REF } } } },
    });
    expect(Object.keys(probe.responses)).not.toContain('405');
  });
});
