import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Every row is a bad request: it must get its 4xx and code, never a 500, and the log must not grow.

interface Row {
  name: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  path: string | (() => string);
  as?: 'alice' | 'bob' | 'nobody';
  body?: unknown;
  rawBody?: string | Buffer;
  headers?: Record<string, string>;
  status: number;
  code: string;
}

describe('bad input over REST', () => {
  let server: TestServer;
  let client: HttpClient;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  let carol: Awaited<ReturnType<typeof signUp>>;
  let publicRoom: string;
  let privateRoom: string;
  let alicesMessage: string;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000', AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    client = new HttpClient(server.baseUrl);
    alice = await signUp(client, 'alice');
    bob = await signUp(client, 'bob');
    carol = await signUp(client, 'carol');
    publicRoom = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'pub', kind: 'public' } })).body.room.roomId;
    privateRoom = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'priv', kind: 'private' } })).body.room.roomId;
    alicesMessage = (
      await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId: publicRoom, text: 'hi', clientMessageId: 'a1' } })
    ).body.message.messageId;
    await client.post(`/api/chat/rooms/${publicRoom}/join`, { token: bob.accessToken });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  const send = (text: unknown, extra: Record<string, unknown> = {}) => ({
    roomId: '<public>',
    text,
    clientMessageId: `c-${Math.random().toString(36).slice(2)}`,
    ...extra,
  });

  const rows: Row[] = [
    { name: 'malformed JSON', method: 'POST', path: '/api/chat/send', rawBody: '{"roomId":', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON' },
    { name: 'JSON null', method: 'POST', path: '/api/chat/send', rawBody: 'null', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_JSON' },
    { name: 'array body', method: 'POST', path: '/api/chat/send', body: [], status: 400, code: 'VALIDATION_FAILED' },
    { name: 'text/plain body', method: 'POST', path: '/api/chat/send', rawBody: 'hello', headers: { 'content-type': 'text/plain' }, status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'body over 64 KiB', method: 'POST', path: '/api/chat/send', body: send('x'.repeat(70 * 1024)), status: 413, code: 'PAYLOAD_TOO_LARGE' },
    { name: 'text of wrong type', method: 'POST', path: '/api/chat/send', body: send(5), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'missing clientMessageId', method: 'POST', path: '/api/chat/send', body: { roomId: '<public>', text: 'hi' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'unknown field', method: 'POST', path: '/api/chat/send', body: send('hi', { priority: 'high' }), status: 400, code: 'VALIDATION_FAILED' },
    { name: '__proto__ field', method: 'POST', path: '/api/chat/send', rawBody: '{"roomId":"x","text":"hi","clientMessageId":"p1","__proto__":{"admin":true}}', headers: { 'content-type': 'application/json' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'clientMessageId with spaces', method: 'POST', path: '/api/chat/send', body: send('hi', { clientMessageId: 'a b' }), status: 400, code: 'VALIDATION_FAILED' },
    { name: 'empty text', method: 'POST', path: '/api/chat/send', body: send(''), status: 400, code: 'EMPTY_CONTENT' },
    { name: 'blank text', method: 'POST', path: '/api/chat/send', body: send(' \n\t '), status: 400, code: 'EMPTY_CONTENT' },
    { name: 'zero-width only', method: 'POST', path: '/api/chat/send', body: send('\u200b\u2060\ufeff'), status: 400, code: 'EMPTY_CONTENT' },
    { name: 'RTL override', method: 'POST', path: '/api/chat/send', body: send('invoice\u202Efdp.exe'), status: 400, code: 'INVALID_CONTENT' },
    { name: 'lone surrogate', method: 'POST', path: '/api/chat/send', rawBody: '{"roomId":"<public>","text":"a\\ud800b","clientMessageId":"ls1"}', headers: { 'content-type': 'application/json' }, status: 400, code: 'INVALID_CONTENT' },
    { name: 'control character', method: 'POST', path: '/api/chat/send', body: send('bell\u0007'), status: 400, code: 'INVALID_CONTENT' },
    { name: '1001 characters', method: 'POST', path: '/api/chat/send', body: send('a'.repeat(1001)), status: 413, code: 'MESSAGE_TOO_LONG' },
    { name: '1001 emoji', method: 'POST', path: '/api/chat/send', body: send('😀'.repeat(1001)), status: 413, code: 'MESSAGE_TOO_LONG' },
    { name: 'room that does not exist', method: 'POST', path: '/api/chat/send', body: send('hi', { roomId: 'nope' }), status: 404, code: 'NO_ROOM' },
    { name: "someone else's private room", method: 'POST', path: '/api/chat/send', as: 'bob', body: send('hi', { roomId: '<private>' }), status: 403, code: 'NOT_MEMBER' },
    { name: 'no token', method: 'POST', path: '/api/chat/send', as: 'nobody', body: send('hi'), status: 401, code: 'AUTH_REQUIRED' },
    { name: 'garbage token', method: 'GET', path: '/api/auth/me', as: 'nobody', headers: { authorization: 'Bearer not.a.jwt' }, status: 401, code: 'AUTH_FAILED' },
    { name: 'basic auth', method: 'GET', path: '/api/auth/me', as: 'nobody', headers: { authorization: 'Basic YWxpY2U6eA==' }, status: 401, code: 'AUTH_REQUIRED' },
    { name: 'edit unknown message id', method: 'PATCH', path: '/api/chat/messages/nope', body: { text: 'x' }, status: 404, code: 'NO_MESSAGE' },
    { name: 'edit message beyond the room', method: 'PATCH', path: () => `/api/chat/messages/${publicRoom}.9999`, body: { text: 'x' }, status: 404, code: 'NO_MESSAGE' },
    { name: "edit someone else's message", method: 'PATCH', path: () => `/api/chat/messages/${alicesMessage}`, as: 'bob', body: { text: 'x' }, status: 403, code: 'NOT_SENDER' },
    { name: "delete someone else's message", method: 'DELETE', path: () => `/api/chat/messages/${alicesMessage}`, as: 'bob', status: 403, code: 'FORBIDDEN' },
    { name: 'delete with a body', method: 'DELETE', path: () => `/api/chat/messages/${alicesMessage}`, body: { reason: 'x' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with before=abc', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?before=abc`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with before=0x10 (hex)', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?before=0x10`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with before= (blank)', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?before=`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with limit=1e1', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?limit=1e1`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with limit=0', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?limit=0`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with limit=101', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?limit=101`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'page with an unknown parameter', method: 'GET', path: () => `/api/chat/rooms/${publicRoom}/messages?sort=desc`, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'history of a private room', method: 'GET', path: () => `/api/chat/rooms/${privateRoom}/messages`, as: 'bob', status: 403, code: 'NOT_MEMBER' },
    { name: 'members of a private room', method: 'GET', path: () => `/api/chat/rooms/${privateRoom}/members`, as: 'bob', status: 403, code: 'NOT_MEMBER' },
    { name: 'join a private room', method: 'POST', path: () => `/api/chat/rooms/${privateRoom}/join`, as: 'bob', status: 403, code: 'FORBIDDEN' },
    { name: 'join a room that does not exist', method: 'POST', path: '/api/chat/rooms/nope/join', status: 404, code: 'NO_ROOM' },
    { name: 'leave a room one is not in', method: 'POST', path: () => `/api/chat/rooms/${privateRoom}/leave`, as: 'bob', status: 403, code: 'NOT_MEMBER' },
    { name: 'room of unknown kind', method: 'POST', path: '/api/chat/rooms', body: { name: 'x', kind: 'secret' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'room with a 101-character name', method: 'POST', path: '/api/chat/rooms', body: { name: 'n'.repeat(101), kind: 'public' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'room with an unknown member', method: 'POST', path: '/api/chat/rooms', body: { name: 'x', kind: 'private', memberIds: ['ghost'] }, status: 404, code: 'NO_USER' },
    { name: 'direct room with two others', method: 'POST', path: '/api/chat/rooms', body: { kind: 'direct', memberIds: ['<bob>', '<carol>'] }, status: 400, code: 'INVALID_ROOM' },
    { name: 'direct room with oneself', method: 'POST', path: '/api/chat/rooms', body: { kind: 'direct', memberIds: ['<alice>'] }, status: 400, code: 'INVALID_ROOM' },
    { name: 'add a member to a public room', method: 'POST', path: () => `/api/chat/rooms/${publicRoom}/members`, body: { userId: '<bob>' }, status: 403, code: 'FORBIDDEN' },
    { name: 'weak password', method: 'POST', path: '/api/auth/register', as: 'nobody', body: { username: 'erin', password: 'password' }, status: 400, code: 'WEAK_PASSWORD' },
    { name: 'username taken (other case)', method: 'POST', path: '/api/auth/register', as: 'nobody', body: { username: 'ALICE', password: STRONG_PASSWORD }, status: 409, code: 'USERNAME_TAKEN' },
    { name: 'username with spaces', method: 'POST', path: '/api/auth/register', as: 'nobody', body: { username: 'a b c', password: STRONG_PASSWORD }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'username with an RTL override', method: 'POST', path: '/api/auth/register', as: 'nobody', body: { username: 'adm\u202Enim', password: STRONG_PASSWORD }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'invalid email', method: 'POST', path: '/api/auth/register', as: 'nobody', body: { username: 'dave', password: STRONG_PASSWORD, email: 'not-an-email' }, status: 400, code: 'VALIDATION_FAILED' },
    { name: 'wrong password', method: 'POST', path: '/api/auth/login', as: 'nobody', body: { username: 'bob', password: 'Wrong-Passw0rd!!' }, status: 401, code: 'INVALID_CREDENTIALS' },
    { name: 'unknown user', method: 'POST', path: '/api/auth/login', as: 'nobody', body: { username: 'nobody', password: STRONG_PASSWORD }, status: 401, code: 'INVALID_CREDENTIALS' },
    { name: 'unknown refresh token', method: 'POST', path: '/api/auth/refresh', as: 'nobody', body: { refreshToken: 'bogus' }, status: 401, code: 'AUTH_FAILED' },
    { name: 'unknown route', method: 'GET', path: '/api/chat/nothing-here', status: 404, code: 'NOT_FOUND' },
  ];

  const substitute = (value: unknown): unknown => {
    if (typeof value === 'string') {
      return value
        .replace('<public>', publicRoom)
        .replace('<private>', privateRoom)
        .replace('<alice>', alice.userId)
        .replace('<bob>', bob.userId)
        .replace('<carol>', carol.userId);
    }
    if (Array.isArray(value)) return value.map(substitute);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, substitute(item)]));
    }
    return value;
  };

  it.each(rows)('$name → $status $code, nothing appended', async (row) => {
    const log = await server.server.service(TOKENS.eventLog);
    const headBefore = await log.headPosition();
    const who = row.as ?? 'alice';
    const token = who === 'alice' ? alice.accessToken : who === 'bob' ? bob.accessToken : undefined;
    const path = typeof row.path === 'function' ? row.path() : row.path;
    const rawBody = typeof row.rawBody === 'string' ? String(substitute(row.rawBody)) : row.rawBody;
    const response = await client.request(row.method, path, {
      ...(token ? { token } : {}),
      ...(row.body !== undefined ? { body: substitute(row.body) } : {}),
      ...(rawBody !== undefined ? { rawBody } : {}),
      ...(row.headers ? { headers: row.headers } : {}),
    });
    expect({ status: response.status, code: response.body?.error?.code }).toEqual({ status: row.status, code: row.code });
    expect(typeof response.body.error.message).toBe('string');
    expect(await log.headPosition()).toEqual(headBefore);
  });
});
