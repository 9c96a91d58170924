import { request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { z } from 'zod';
import { AuthenticationError, NotFoundError } from '../../src/domain/errors.js';
import { createHttpApp } from '../../src/http/app.js';
import { directLane } from '../../src/http/directRoutes.js';
import { createHttpServer } from '../../src/http/httpServer.js';
import { authedDirectRoute, authedRoute, NO_BODY, NO_QUERY, type Endpoint, type RouteResult } from '../../src/http/route.js';

// The direct lane (src/http/directRoutes.ts) answers exactly as express does. Each route here has a twin: one
// declared direct, one served by express alone, with the same schemas and handler; every request is sent to both
// and the answers (status, headers, body) must be the same, refusals included. Each handler notes who served it,
// so the comparison is known to have gone through the lane (express gives handlers its own Request, with
// `originalUrl`; the lane gives Node's).

const ALLOWED_ORIGIN = 'https://client.example';
const sendBody = z.strictObject({ roomId: z.string().min(1), text: z.string().max(20) });
const pageQuery = z.strictObject({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().max(50).optional() });
const roomParams = z.strictObject({ roomId: z.string() });

const servedBy: string[] = [];
function note(input: object): void {
  const req = (input as { req?: { originalUrl?: string } }).req;
  servedBy.push(req?.originalUrl === undefined ? 'direct' : 'express');
}

async function send(input: { body: z.output<typeof sendBody>; principal: { userId: string } }): Promise<RouteResult> {
  note(input);
  if (input.body.roomId === 'missing') throw new NotFoundError('NO_ROOM', 'no such room', { roomId: input.body.roomId });
  if (input.body.roomId === 'broken') throw new Error('a bug');
  return { status: 201, body: { message: { roomId: input.body.roomId, text: input.body.text, by: input.principal.userId } } };
}

async function page(input: { params: { roomId: string }; query: z.output<typeof pageQuery> }): Promise<RouteResult> {
  note(input);
  if (input.params.roomId === 'empty') return { status: 204 };
  return { status: 200, body: { roomId: input.params.roomId, before: input.query.before ?? null, limit: input.query.limit ?? 50, messages: [] } };
}

function twins(prefix: string, direct: boolean): Endpoint[] {
  const route = direct ? authedDirectRoute : authedRoute;
  const docs = { summary: 'test', tags: ['test'], responses: { 200: { description: 'ok' } } };
  return [
    route({ ...docs, method: 'post', path: `/${prefix}/send`, body: sendBody, query: NO_QUERY, params: z.strictObject({}), handler: send }),
    route({ ...docs, method: 'get', path: `/${prefix}/rooms/:roomId/messages`, body: NO_BODY, query: pageQuery, params: roomParams, handler: page }),
  ];
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function ask(port: number, method: string, path: string, headers: Record<string, string>, body?: Buffer | string, chunked = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const bytes = body === undefined ? undefined : Buffer.from(body);
    const request = httpRequest(
      { host: '127.0.0.1', port, method, path, headers: { ...headers, ...(bytes && !chunked ? { 'content-length': String(bytes.length) } : {}) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    request.on('error', reject);
    if (bytes && chunked) request.write(bytes);
    request.end(bytes && !chunked ? bytes : undefined);
  });
}

/** The answer without what differs between any two requests (the date, the request id, the connection). */
function comparable(answer: Answer): Answer {
  const { date: _date, 'x-request-id': requestId, connection: _connection, 'keep-alive': _keepAlive, ...headers } = answer.headers;
  expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
  return { ...answer, headers };
}

describe('the direct lane', () => {
  let server: Server;
  let port = 0;

  beforeAll(async () => {
    const app = createHttpApp({
      endpoints: [...twins('direct', true), ...twins('express', false)],
      openApiDocument: () => ({}),
      authenticate: async (token) => {
        if (token !== 'good') throw new AuthenticationError('AUTH_FAILED', 'unknown token');
        return { userId: 'u1', username: 'alice', role: 'user', jti: 'j', familyId: 'f', issuedAt: 0 } as never;
      },
      logger: pino({ level: 'silent' }),
      maxBodyBytes: 1024,
      corsOrigins: [ALLOWED_ORIGIN],
      trustProxy: false,
    });
    server = createHttpServer(app, pino({ level: 'silent' }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    port = typeof address === 'object' && address !== null ? address.port : 0;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const json = { 'content-type': 'application/json', authorization: 'Bearer good' };
  const valid = JSON.stringify({ roomId: 'r1', text: 'hello' });
  const cases: Array<{ name: string; method: string; path: string; headers: Record<string, string>; body?: Buffer | string; lane: 'direct' | 'express' | 'none' }> = [
    { name: 'a send', method: 'POST', path: '/send', headers: json, body: valid, lane: 'direct' },
    { name: 'a send with an upper-case charset', method: 'POST', path: '/send', headers: { ...json, 'content-type': 'application/json; charset=UTF-8' }, body: valid, lane: 'direct' },
    { name: 'a body behind a byte order mark', method: 'POST', path: '/send', headers: json, body: `\uFEFF${valid}`, lane: 'direct' },
    { name: 'a body that is not JSON', method: 'POST', path: '/send', headers: json, body: '{"roomId":', lane: 'none' },
    { name: 'a JSON scalar (strict)', method: 'POST', path: '/send', headers: json, body: '"hello"', lane: 'none' },
    { name: 'bytes that are not UTF-8', method: 'POST', path: '/send', headers: json, body: Buffer.from([0x7b, 0x22, 0xff, 0x22, 0x3a, 0x31, 0x7d]), lane: 'none' },
    { name: 'a body the schema refuses', method: 'POST', path: '/send', headers: json, body: JSON.stringify({ roomId: 'r1', text: 'x'.repeat(21) }), lane: 'none' },
    { name: 'no token', method: 'POST', path: '/send', headers: { 'content-type': 'application/json' }, body: valid, lane: 'none' },
    { name: 'a wrong token', method: 'POST', path: '/send', headers: { ...json, authorization: 'Bearer bad' }, body: valid, lane: 'none' },
    { name: 'a typed refusal from the handler', method: 'POST', path: '/send', headers: json, body: JSON.stringify({ roomId: 'missing', text: 'x' }), lane: 'direct' },
    { name: 'a bug in the handler', method: 'POST', path: '/send', headers: json, body: JSON.stringify({ roomId: 'broken', text: 'x' }), lane: 'direct' },
    { name: 'a query on a route that takes none', method: 'POST', path: '/send?x=1', headers: json, body: valid, lane: 'none' },
    { name: 'an allowed origin', method: 'POST', path: '/send', headers: { ...json, origin: ALLOWED_ORIGIN }, body: valid, lane: 'direct' },
    { name: 'another origin', method: 'POST', path: '/send', headers: { ...json, origin: 'https://elsewhere.example' }, body: valid, lane: 'direct' },
    { name: 'another media type (left to express)', method: 'POST', path: '/send', headers: { ...json, 'content-type': 'text/plain' }, body: valid, lane: 'none' },
    { name: 'a compressed body (left to express)', method: 'POST', path: '/send', headers: { ...json, 'content-encoding': 'gzip' }, body: valid, lane: 'none' },
    { name: 'a body over the limit (left to express)', method: 'POST', path: '/send', headers: json, body: JSON.stringify({ roomId: 'r1', text: 'x'.repeat(2000) }), lane: 'none' },
    { name: 'an empty body (left to express)', method: 'POST', path: '/send', headers: json, body: '', lane: 'none' },
    { name: 'a page', method: 'GET', path: '/rooms/r%201/messages?before=10&limit=5', headers: { authorization: 'Bearer good' }, lane: 'direct' },
    { name: 'a page the query schema refuses', method: 'GET', path: '/rooms/r1/messages?limit=500', headers: { authorization: 'Bearer good' }, lane: 'none' },
    { name: 'an empty answer', method: 'GET', path: '/rooms/empty/messages', headers: { authorization: 'Bearer good' }, lane: 'direct' },
    { name: 'a path that is not percent-encoded UTF-8 (left to express)', method: 'GET', path: '/rooms/%ff/messages', headers: { authorization: 'Bearer good' }, lane: 'none' },
    { name: 'a trailing slash (left to express)', method: 'GET', path: '/rooms/r1/messages/', headers: { authorization: 'Bearer good' }, lane: 'express' },
    { name: 'a GET with a body (left to express)', method: 'GET', path: '/rooms/r1/messages', headers: { authorization: 'Bearer good', 'content-type': 'application/json' }, body: '{}', lane: 'express' },
    { name: 'a HEAD (left to express)', method: 'HEAD', path: '/rooms/r1/messages', headers: { authorization: 'Bearer good' }, lane: 'express' },
  ];

  it.each(cases)('answers $name as express does', async ({ method, path, headers, body, lane }) => {
    servedBy.length = 0;
    const direct = await ask(port, method, `/direct${path}`, headers, body);
    const viaLane = [...servedBy];
    servedBy.length = 0;
    const plain = await ask(port, method, `/express${path}`, headers, body);
    expect(servedBy).toEqual(lane === 'none' ? [] : ['express']);
    expect(viaLane).toEqual(lane === 'none' ? [] : [lane]);
    expect(comparable(direct)).toEqual(comparable(plain));
  });

  it('answers a chunked body through express, as before', async () => {
    servedBy.length = 0;
    const direct = await ask(port, 'POST', '/direct/send', json, valid, true);
    expect(servedBy).toEqual(['express']);
    const plain = await ask(port, 'POST', '/express/send', json, valid, true);
    expect(comparable(direct)).toEqual(comparable(plain));
    expect(direct.status).toBe(201);
  });

  it('answers 304 to a GET that already has this version, as express does', async () => {
    const first = await ask(port, 'GET', '/direct/rooms/r1/messages', { authorization: 'Bearer good' });
    const etag = first.headers.etag;
    expect(etag).toMatch(/^W\/"/);
    servedBy.length = 0;
    const direct = await ask(port, 'GET', '/direct/rooms/r1/messages', { authorization: 'Bearer good', 'if-none-match': String(etag) });
    const plain = await ask(port, 'GET', '/express/rooms/r1/messages', { authorization: 'Bearer good', 'if-none-match': String(etag) });
    expect(servedBy).toEqual(['direct', 'express']);
    expect(direct.status).toBe(304);
    expect(comparable(direct)).toEqual(comparable(plain));
  });

  it('refuses at start a direct route that shares its paths with another route', () => {
    const clash = authedRoute({
      method: 'get',
      path: '/direct/rooms/search/messages',
      summary: 'test',
      tags: ['test'],
      responses: {},
      body: NO_BODY,
      query: NO_QUERY,
      params: z.strictObject({}),
      handler: async () => ({ status: 204 }),
    });
    const options = { authenticate: async () => ({}) as never, logger: pino({ level: 'silent' }), maxBodyBytes: 1024, headers: [] };
    expect(() => directLane({ ...options, endpoints: [...twins('direct', true), clash] })).toThrow(/overlaps \/direct\/rooms\/search\/messages/);
  });
});
