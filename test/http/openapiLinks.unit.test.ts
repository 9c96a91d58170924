import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { buildOpenApiDocument } from '../../src/http/openapi.js';
import { authedRoute, NO_BODY, NO_PARAMS, NO_QUERY, type Endpoint } from '../../src/http/route.js';

// Links are attached to the success responses of their source operation and name their target by JSON pointer, so
// a client (or Schemathesis) follows them without operation ids.

function route(method: 'get' | 'post', path: string, statuses: number[]): Endpoint {
  return authedRoute({
    method,
    path,
    summary: path,
    tags: [],
    body: NO_BODY,
    query: NO_QUERY,
    params: path.includes(':roomId') ? z.strictObject({ roomId: z.string() }) : NO_PARAMS,
    responses: Object.fromEntries(statuses.map((status) => [status, { description: String(status) }])),
    handler: async () => ({ status: statuses[0] ?? 200 }),
  });
}

const responses = z.record(z.string(), z.object({ links: z.record(z.string(), z.record(z.string(), z.unknown())).optional() }));
const document = z.object({ paths: z.record(z.string(), z.record(z.string(), z.object({ responses }))) });

describe('OpenAPI links (unit)', () => {
  it("puts a link on each success status of its source, pointing at the target's path item", () => {
    const paths = document.parse(
      buildOpenApiDocument(
        [route('post', '/api/chat/rooms', [201, 200]), route('get', '/api/chat/rooms/:roomId', [200])],
        { version: 'test' },
      ),
    ).paths;
    const create = paths['/api/chat/rooms']?.post?.responses;
    for (const status of ['201', '200']) {
      expect(create?.[status]?.links?.GetRoom).toEqual({
        operationRef: '#/paths/~1api~1chat~1rooms~1{roomId}/get',
        description: 'the room',
        parameters: { roomId: '$response.body#/room/roomId' },
      });
    }
    // The GET's own links name operations this document does not have: they are left out, not dangling.
    expect(paths['/api/chat/rooms/{roomId}']?.get?.responses['200']?.links).toBeUndefined();
    expect(create?.['400']?.links).toBeUndefined();
  });

  it('refuses a link from a status its source does not declare', () => {
    expect(() =>
      buildOpenApiDocument([route('post', '/api/chat/rooms', [201]), route('get', '/api/chat/rooms/:roomId', [200])], {
        version: 'test',
      }),
    ).toThrow(/names undeclared status 200/);
  });
});
