import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { NO_BODY, NO_PARAMS, NO_QUERY, publicRoute, type Endpoint } from '../../src/http/route.js';
import { serveEndpoints, type EndpointServer } from '../support/endpointServer.js';

// The app over HTTP with stand-in routes that answer with their own path: whatever order the endpoint list has,
// express runs the literal route for /api/users/search and /api/users/me, and the parameter route for an id.

const answering = (path: string, params: z.ZodType = NO_PARAMS): Endpoint =>
  publicRoute({
    method: 'get',
    path,
    summary: path,
    tags: [],
    body: NO_BODY,
    query: NO_QUERY,
    params,
    responses: {},
    handler: async () => ({ status: 200, body: { route: path } }),
  });

const me = answering('/api/users/me');
const search = answering('/api/users/search');
const byId = answering('/api/users/:userId', z.strictObject({ userId: z.string() }));

describe('route precedence over HTTP', () => {
  let server: EndpointServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function serve(endpoints: Endpoint[]): Promise<(path: string) => Promise<unknown>> {
    const running = await serveEndpoints(endpoints);
    server = running;
    return async (path) => (await fetch(running.url(path))).json();
  }

  it.each([
    ['literals first', [me, search, byId]],
    ['parameter first', [byId, search, me]],
    ['parameter in the middle', [search, byId, me]],
  ])('runs the same route for each request, endpoints %s', async (_name, endpoints) => {
    const get = await serve(endpoints);
    expect(await get('/api/users/search')).toEqual({ route: '/api/users/search' });
    expect(await get('/api/users/me')).toEqual({ route: '/api/users/me' });
    expect(await get('/api/users/u-1')).toEqual({ route: '/api/users/:userId' });
  });
});
