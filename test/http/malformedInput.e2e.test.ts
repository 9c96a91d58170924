import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { TOKENS } from '../../src/composition/tokens.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { rawRequest, sendRaw } from '../support/rawHttp.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The shapes an attacker sends rather than the mistakes a client makes (those are badInput.e2e.test.ts): bytes
// that are not UTF-8 or not HTTP, lengths over the limits, numbers no integer holds, nesting, repeated and unknown
// parameters, methods a path is not served with. Every one must be a 4xx with the error body and a stable code, and
// change nothing. What fetch cannot send goes over a plain socket.

/** The one error body (API.md): nothing else in it, and a code in UPPER_SNAKE_CASE. */
const errorBody = z.strictObject({
  error: z.strictObject({
    code: z.string().regex(/^[A-Z][A-Z_]*[A-Z]$/),
    message: z.string().min(1),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

interface Answer {
  status: number;
  allow: string | undefined;
  body: unknown;
}

interface Row {
  name: string;
  send(): Promise<Answer>;
  status: number;
  code: string;
  /** The Allow header a 405 must carry. */
  allow?: string;
  /** HEAD: the answer has no body to check. */
  headOnly?: true;
}

describe('malformed input over HTTP', () => {
  let server: TestServer;
  let client: HttpClient;
  let token: string;
  let roomId: string;
  let roomsBefore: unknown;
  let messagesBefore: unknown;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000', AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    client = new HttpClient(server.baseUrl);
    token = (await signUp(client, 'mallory')).accessToken;
    roomId = (await client.post('/api/chat/rooms', { token, body: { name: 'target', kind: 'public' } })).body.room.roomId;
    await client.post('/api/chat/send', { token, body: { roomId, text: 'the only message', clientMessageId: 'first' } });
    roomsBefore = (await client.get('/api/chat/rooms', { token })).body;
    messagesBefore = (await client.get(`/api/chat/rooms/${roomId}/messages`, { token })).body;
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  // --- ways to send -------------------------------------------------------------------------------------------

  const viaFetch =
    (method: string, path: string | (() => string), options: { signedIn?: boolean; headers?: Record<string, string>; body?: () => string | Buffer } = {}) =>
    async (): Promise<Answer> => {
      const response = await client.request(method, typeof path === 'function' ? path() : path, {
        ...(options.signedIn ? { token } : {}),
        ...(options.headers ? { headers: options.headers } : {}),
        ...(options.body ? { rawBody: options.body() } : {}),
      });
      return { status: response.status, allow: response.headers.get('allow') ?? undefined, body: response.body };
    };

  const viaSocket = (bytes: () => Buffer) => async (): Promise<Answer> => {
    const answer = await sendRaw(server.baseUrl, bytes());
    return { status: answer.status, allow: answer.headers.allow, body: answer.body };
  };

  const json = { 'content-type': 'application/json' };
  const bearer = () => `Authorization: Bearer ${token}`;
  /** A send that would be accepted, so refusing it is what keeps the room unchanged. */
  const validSend = () => JSON.stringify({ roomId, text: 'sneaked in', clientMessageId: `m-${Math.random().toString(36).slice(2)}` });
  /** A valid send whose text holds the given bytes. */
  const sendWithTextBytes = (bytes: number[]) => () =>
    Buffer.concat([
      Buffer.from(`{"roomId":"${roomId}","clientMessageId":"u-${Math.random().toString(36).slice(2)}","text":"a`),
      Buffer.from(bytes),
      Buffer.from('b"}'),
    ]);
  const nested = (depth: number, open: string, close: string, middle = '') => open.repeat(depth) + middle + close.repeat(depth);

  const rows: Row[] = [
    // A path parameter that is not percent-encoded UTF-8: the router cannot decode it (this was a 500).
    { name: 'room id %ff, not signed in', send: viaFetch('GET', '/api/chat/rooms/%ff'), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'user id %ff, not signed in', send: viaFetch('GET', '/api/users/%ff'), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'friend id %ff, not signed in', send: viaFetch('GET', '/api/friends/%ff'), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'room id %ff in a longer path', send: viaFetch('GET', '/api/chat/rooms/%ff/members'), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'room id %ff, signed in', send: viaFetch('GET', '/api/chat/rooms/%ff', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'truncated UTF-8 sequence in a path', send: viaFetch('POST', '/api/chat/rooms/%E0%A4%A/join'), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'overlong UTF-8 ("/" as %C0%AF) in a path', send: viaFetch('DELETE', '/api/chat/messages/%C0%AF'), status: 400, code: 'VALIDATION_FAILED' },
    {
      name: 'UTF-8-encoded surrogate in a path, with a body',
      send: viaFetch('PATCH', '/api/chat/messages/%ED%A0%80', { signedIn: true, headers: json, body: () => '{"text":"x"}' }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'raw bytes that are not UTF-8 in the URL',
      send: viaSocket(() => rawRequest(Buffer.concat([Buffer.from('GET /api/chat/rooms/'), Buffer.from([0xff, 0xfe]), Buffer.from(' HTTP/1.1')]))),
      status: 400,
      code: 'VALIDATION_FAILED',
    },

    // Lengths over the limits.
    { name: 'a 300-character room id', send: viaFetch('GET', `/api/chat/rooms/${'r'.repeat(300)}`, { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a 20 KiB header', send: viaSocket(() => rawRequest('GET /api/health HTTP/1.1', [`X-Padding: ${'a'.repeat(20 * 1024)}`])), status: 431, code: 'HEADERS_TOO_LARGE' },
    { name: 'a 20 KiB URL', send: viaSocket(() => rawRequest(`GET /api/health?${'a'.repeat(20 * 1024)} HTTP/1.1`)), status: 431, code: 'HEADERS_TOO_LARGE' },
    {
      name: '600 headers',
      send: viaSocket(() => rawRequest('GET /api/health HTTP/1.1', Array.from({ length: 600 }, (_, i) => `X-Header-${i}: ${'v'.repeat(20)}`))),
      status: 431,
      code: 'HEADERS_TOO_LARGE',
    },

    // Bytes that are not an HTTP/1.1 request.
    { name: 'not HTTP at all', send: viaSocket(() => Buffer.from('HELLO\r\n\r\n')), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a method HTTP does not have', send: viaSocket(() => rawRequest('BREW /api/chat/rooms HTTP/1.1')), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a space in the URL', send: viaSocket(() => rawRequest('GET /api/a b HTTP/1.1')), status: 400, code: 'VALIDATION_FAILED' },
    {
      name: 'Content-Length that is not a number',
      send: viaSocket(() => rawRequest('POST /api/chat/send HTTP/1.1', ['Content-Type: application/json', 'Content-Length: abc'], '{}')),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'Content-Length and Transfer-Encoding together (request smuggling)',
      send: viaSocket(() =>
        rawRequest('POST /api/chat/send HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 5', 'Transfer-Encoding: chunked'], '0\r\n\r\n'),
      ),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'HTTP/1.1 without Host',
      send: viaSocket(() => Buffer.from('GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n')),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    {
      name: 'bytes that are not UTF-8 in the Authorization header',
      send: viaSocket(() => rawRequest('GET /api/auth/me HTTP/1.1', [Buffer.concat([Buffer.from('Authorization: Bearer '), Buffer.from([0xff, 0xfe])])])),
      status: 401,
      code: 'AUTH_REQUIRED',
    },

    // A JSON route sent something else (badInput has text/plain).
    { name: 'no Content-Type', send: viaFetch('POST', '/api/chat/send', { signedIn: true, body: () => Buffer.from(validSend()) }), status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    {
      name: 'a form',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: () => `roomId=${roomId}&text=x&clientMessageId=f1` }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'multipart',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: { 'content-type': 'multipart/form-data; boundary=b' }, body: () => '--b\r\n\r\nx\r\n--b--' }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'JSON in UTF-16',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: { 'content-type': 'application/json; charset=utf-16le' }, body: () => Buffer.from(validSend(), 'utf16le') }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'JSON in Latin-1',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: { 'content-type': 'application/json; charset=iso-8859-1' }, body: () => Buffer.from(validSend(), 'latin1') }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'gzip-compressed JSON',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: { ...json, 'content-encoding': 'gzip' }, body: () => gzipSync(validSend()) }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },
    {
      name: 'Content-Encoding gzip over bytes that are not gzip',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: { ...json, 'content-encoding': 'gzip' }, body: () => 'not gzip' }),
      status: 415,
      code: 'UNSUPPORTED_MEDIA_TYPE',
    },

    // Bytes that are not UTF-8 in a JSON body (these were stored as U+FFFD).
    { name: 'byte 0xFF in a string', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: sendWithTextBytes([0xff]) }), status: 400, code: 'INVALID_JSON' },
    { name: 'overlong UTF-8 (C0 AF)', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: sendWithTextBytes([0xc0, 0xaf]) }), status: 400, code: 'INVALID_JSON' },
    { name: 'UTF-8-encoded surrogate (ED A0 80)', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: sendWithTextBytes([0xed, 0xa0, 0x80]) }), status: 400, code: 'INVALID_JSON' },
    { name: 'truncated UTF-8 sequence (E2 82)', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: sendWithTextBytes([0xe2, 0x82]) }), status: 400, code: 'INVALID_JSON' },

    // JSON that is not JSON (badInput has a cut-off object and null).
    { name: 'a valid body with trailing bytes', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: () => `${validSend()}{}` }), status: 400, code: 'INVALID_JSON' },
    { name: 'a bare JSON string', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: () => '"hello"' }), status: 400, code: 'INVALID_JSON' },
    { name: '10,000 unclosed brackets', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: () => '['.repeat(10_000) }), status: 400, code: 'INVALID_JSON' },

    // Numbers no integer holds, in JSON and in query strings.
    { name: 'seq 1e400 (Infinity) in JSON', send: viaFetch('POST', () => `/api/chat/rooms/${roomId}/read`, { signedIn: true, headers: json, body: () => '{"seq":1e400}' }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'seq 2^64 in JSON', send: viaFetch('POST', () => `/api/chat/rooms/${roomId}/read`, { signedIn: true, headers: json, body: () => '{"seq":18446744073709551616}' }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'limit=1e400 in a query', send: viaFetch('GET', () => `/api/chat/rooms/${roomId}/messages?limit=1e400`, { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'before=2^64 in a query', send: viaFetch('GET', () => `/api/chat/rooms/${roomId}/messages?before=18446744073709551616`, { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },

    // 10,000 levels of nesting (JSON.parse copes; nothing may recurse over it).
    { name: '10,000 nested arrays as the body', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: () => nested(10_000, '[', ']') }), status: 400, code: 'VALIDATION_FAILED' },
    {
      name: '10,000 nested arrays as the text',
      send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: () => `{"roomId":"${roomId}","clientMessageId":"deep","text":${nested(10_000, '[', ']')}}` }),
      status: 400,
      code: 'VALIDATION_FAILED',
    },
    { name: '10,000 nested objects', send: viaFetch('POST', '/api/chat/send', { signedIn: true, headers: json, body: () => nested(10_000, '{"a":', '}', '1') }), status: 400, code: 'VALIDATION_FAILED' },

    // Bodies over the limit (badInput has an honest 70 KiB Content-Length).
    {
      name: 'Content-Length of 10 MB and nothing sent: answered at once',
      send: viaSocket(() => rawRequest('POST /api/chat/send HTTP/1.1', ['Content-Type: application/json', 'Content-Length: 10000000', bearer()])),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },
    {
      name: 'a chunked body over the limit',
      send: viaSocket(() =>
        rawRequest(
          'POST /api/chat/send HTTP/1.1',
          ['Content-Type: application/json', 'Transfer-Encoding: chunked', bearer()],
          `${`4000\r\n${'a'.repeat(0x4000)}\r\n`.repeat(5)}0\r\n\r\n`,
        ),
      ),
      status: 413,
      code: 'PAYLOAD_TOO_LARGE',
    },

    // Query parameters repeated where one is expected, or unknown (badInput has ?sort= on history).
    { name: 'limit=1&limit=2', send: viaFetch('GET', () => `/api/chat/rooms/${roomId}/messages?limit=1&limit=2`, { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'scope=public&scope=public', send: viaFetch('GET', '/api/chat/rooms?scope=public&scope=public', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'userIds=a&userIds=b', send: viaFetch('GET', '/api/presence?userIds=a&userIds=b', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'limit[]=1', send: viaFetch('GET', '/api/chat/rooms?limit[]=1', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a parameter on a route that takes none', send: viaFetch('GET', '/api/auth/me?x=1', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a parameter on a valid send', send: viaFetch('POST', '/api/chat/send?dryRun=1', { signedIn: true, headers: json, body: validSend }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a parameter named %ff', send: viaFetch('GET', '/api/chat/rooms?%ff=1', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'a value %ff', send: viaFetch('GET', '/api/chat/rooms?scope=%ff', { signedIn: true }), status: 400, code: 'VALIDATION_FAILED' },

    // Methods a served path is not served with: 405 and Allow, before any sign-in; unknown paths stay 404.
    { name: 'TRACE on the room list', send: viaSocket(() => rawRequest('TRACE /api/chat/rooms HTTP/1.1')), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, POST, OPTIONS' },
    { name: 'PROPFIND on the room list', send: viaSocket(() => rawRequest('PROPFIND /api/chat/rooms HTTP/1.1')), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, POST, OPTIONS' },
    { name: 'PUT on login', send: viaFetch('PUT', '/api/auth/login', { headers: json, body: () => '{"username":"mallory","password":"x"}' }), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'POST, OPTIONS' },
    {
      name: 'PUT of a valid room',
      send: viaFetch('PUT', '/api/chat/rooms', { signedIn: true, headers: json, body: () => '{"name":"sneaky","kind":"public"}' }),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'GET, HEAD, POST, OPTIONS',
    },
    { name: 'DELETE of a room', send: viaFetch('DELETE', () => `/api/chat/rooms/${roomId}`, { signedIn: true }), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, PATCH, OPTIONS' },
    { name: 'HEAD on send', send: viaSocket(() => rawRequest('HEAD /api/chat/send HTTP/1.1')), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'POST, OPTIONS', headOnly: true },
    { name: 'POST to the OpenAPI document', send: viaFetch('POST', '/api/openapi.json'), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, OPTIONS' },
    { name: 'DELETE of the AsyncAPI document', send: viaFetch('DELETE', '/api/asyncapi.json'), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, OPTIONS' },
    {
      // express would route DELETE here to /api/friends/requests/:userId, so DELETE is allowed too.
      name: 'POST where two patterns meet (/api/friends/requests/pending)',
      send: viaFetch('POST', '/api/friends/requests/pending', { signedIn: true }),
      status: 405,
      code: 'METHOD_NOT_ALLOWED',
      allow: 'GET, HEAD, DELETE, OPTIONS',
    },
    { name: 'PUT on /api/users/me', send: viaFetch('PUT', '/api/users/me', { signedIn: true }), status: 405, code: 'METHOD_NOT_ALLOWED', allow: 'GET, HEAD, PATCH, OPTIONS' },
    { name: 'TRACE on an unknown path', send: viaSocket(() => rawRequest('TRACE /api/nothing HTTP/1.1')), status: 404, code: 'NOT_FOUND' },
    { name: 'PUT on an unknown path', send: viaFetch('PUT', '/api/chat/nothing', { signedIn: true }), status: 404, code: 'NOT_FOUND' },
  ];

  it.each(rows)('$name → $status $code, nothing appended', async (row) => {
    const log = await server.server.service(TOKENS.eventLog);
    const headBefore = await log.headPosition();
    const answer = await row.send();
    expect(answer.status).toBe(row.status);
    if (row.allow !== undefined) expect(answer.allow).toBe(row.allow);
    if (!row.headOnly) {
      const body = errorBody.parse(answer.body);
      expect(body.error.code).toBe(row.code);
    }
    expect(await log.headPosition()).toEqual(headBefore);
  });

  it('leaves the room list and the room as they were', async () => {
    expect((await client.get('/api/chat/rooms', { token })).body).toEqual(roomsBefore);
    expect((await client.get(`/api/chat/rooms/${roomId}/messages`, { token })).body).toEqual(messagesBefore);
  });
});
