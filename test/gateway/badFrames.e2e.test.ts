import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { createRoom, HttpClient, joinRoom, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// Every bad frame gets its code (API.md), changes nothing, and leaves the connection and the process serving.

interface BadFrame {
  name: string;
  /** A JSON-able frame, or a raw string / Buffer sent as-is. */
  send: object | string | Buffer;
  binary?: boolean;
  code: string;
  /** The ref the error must carry (the frame's id, or clientMessageId for chat.send). */
  ref?: string | number;
}

describe('bad frames', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let privateRoom: string;
  let publicRoom: string;

  beforeAll(async () => {
    server = await startTestServer({ WS_MAX_FRAME_BYTES: '4096' });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
    privateRoom = await createRoom(http, alice, 'private');
    publicRoom = await createRoom(http, alice, 'public');
    await joinRoom(http, bob, publicRoom);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  const table = (): BadFrame[] => [
    { name: 'invalid JSON', send: '{"type": "room.subscribe", ', code: 'INVALID_JSON' },
    { name: 'a JSON array', send: '[1, 2, 3]', code: 'VALIDATION_FAILED' },
    { name: 'a JSON string', send: '"hello"', code: 'VALIDATION_FAILED' },
    { name: 'no type', send: { roomId: publicRoom, id: 'no-type' }, code: 'VALIDATION_FAILED', ref: 'no-type' },
    { name: 'unknown type', send: { type: 'chat.shout', id: 'shout' }, code: 'UNKNOWN_TYPE', ref: 'shout' },
    { name: 'unknown field', send: { type: 'room.subscribe', roomId: publicRoom, extra: true, id: 'extra' }, code: 'VALIDATION_FAILED', ref: 'extra' },
    { name: 'wrong field type', send: { type: 'room.subscribe', roomId: 42, id: 3 }, code: 'VALIDATION_FAILED', ref: 3 },
    { name: 'negative afterSeq', send: { type: 'room.subscribe', roomId: publicRoom, afterSeq: -1, id: 'neg' }, code: 'VALIDATION_FAILED', ref: 'neg' },
    { name: 'fractional afterSeq', send: { type: 'room.subscribe', roomId: publicRoom, afterSeq: 1.5, id: 'frac' }, code: 'VALIDATION_FAILED', ref: 'frac' },
    { name: 'chat.send without text', send: { type: 'chat.send', roomId: publicRoom, clientMessageId: 'no-text' }, code: 'VALIDATION_FAILED', ref: 'no-text' },
    { name: 'chat.send with a spaced clientMessageId', send: { type: 'chat.send', roomId: publicRoom, text: 'x', clientMessageId: 'a b', id: 'spaced' }, code: 'VALIDATION_FAILED', ref: 'a b' },
    { name: 'empty message', send: { type: 'chat.send', roomId: publicRoom, text: '', clientMessageId: 'empty' }, code: 'EMPTY_CONTENT', ref: 'empty' },
    { name: 'binary frame', send: Buffer.from('{"type":"pong"}'), binary: true, code: 'UNSUPPORTED_MEDIA_TYPE' },
    { name: 'subscribe to an unknown room', send: { type: 'room.subscribe', roomId: 'nope', id: 'unknown' }, code: 'NO_ROOM', ref: 'unknown' },
    { name: 'subscribe to a private room', send: { type: 'room.subscribe', roomId: privateRoom, afterSeq: 0, id: 'private' }, code: 'NOT_MEMBER', ref: 'private' },
    { name: 'typing in a private room', send: { type: 'chat.typing', roomId: privateRoom, id: 'typing-private' }, code: 'NOT_MEMBER', ref: 'typing-private' },
    { name: 'read in a private room', send: { type: 'chat.read', roomId: privateRoom, seq: 1, id: 'read-private' }, code: 'NOT_MEMBER', ref: 'read-private' },
    { name: 'edit of an unknown message', send: { type: 'chat.edit', messageId: 'nope.1', text: 'x', id: 'edit' }, code: 'NO_ROOM', ref: 'edit' },
  ];

  it('answers each bad frame with its code and ref, keeps the connection open, and changes nothing', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const headBefore = (await http.get(`/api/chat/rooms/${publicRoom}`, { token: alice.accessToken })).body.room.headSeq;
    for (const bad of table()) {
      const errorsBefore = client.frames.filter((frame) => frame.type === 'chat.error').length;
      if (Buffer.isBuffer(bad.send)) client.sendRaw(bad.send, { binary: bad.binary });
      else if (typeof bad.send === 'string') client.sendRaw(bad.send);
      else client.send(bad.send);
      const [error] = (await client.waitForCount((frame) => frame.type === 'chat.error', errorsBefore + 1)).slice(errorsBefore);
      expect({ name: bad.name, code: error.code, ref: error.ref }).toEqual({ name: bad.name, code: bad.code, ref: bad.ref });
      expect(error.message).toEqual(expect.any(String));
      expect(client.isOpen).toBe(true);
    }
    // Nothing was written, and the connection still works.
    expect((await http.get(`/api/chat/rooms/${publicRoom}`, { token: alice.accessToken })).body.room.headSeq).toBe(headBefore);
    expect(await client.subscribe(publicRoom)).toMatchObject({ type: 'room.subscribed' });
    await client.close();
  });

  it('answers a flood of typing frames with RATE_LIMIT_EXCEEDED and drops the excess', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const watcher = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await watcher.subscribe(publicRoom);
    for (let index = 0; index < 20; index++) client.send({ type: 'chat.typing', roomId: publicRoom, id: `t-${index}` });
    const limited = await client.waitForCount((frame) => frame.type === 'chat.error', 19);
    expect(new Set(limited.map((frame) => frame.code))).toEqual(new Set(['RATE_LIMIT_EXCEEDED']));
    expect(limited[0].details.retryAfterSeconds).toBeGreaterThan(0);
    await client.barrier();
    await watcher.barrier();
    expect(watcher.frames.filter((frame) => frame.type === 'chat.typing')).toHaveLength(1);
    await Promise.all([client.close(), watcher.close()]);
  });

  it('answers a flood of read frames with RATE_LIMIT_EXCEEDED beyond the per-second budget', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    for (let index = 0; index < 30; index++) client.send({ type: 'chat.read', roomId: publicRoom, seq: 1, id: `r-${index}` });
    await client.waitFor((frame) => frame.type === 'chat.error' && frame.code === 'RATE_LIMIT_EXCEEDED');
    await client.barrier();
    const errors = client.frames.filter((frame) => frame.type === 'chat.error');
    expect(errors.every((frame) => frame.code === 'RATE_LIMIT_EXCEEDED')).toBe(true);
    expect(errors.length).toBeGreaterThanOrEqual(30 - 10);
    await client.close();
  });

  it('refuses a frame over WS_MAX_FRAME_BYTES with PAYLOAD_TOO_LARGE and closes with 1009', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    client.send({ type: 'chat.send', roomId: publicRoom, text: 'x'.repeat(5000), clientMessageId: 'big' });
    expect((await client.waitFor((frame) => frame.type === 'chat.error')).code).toBe('PAYLOAD_TOO_LARGE');
    expect((await client.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it('cuts off a frame far over the limit at the WebSocket layer with 1009, before reading it all', async () => {
    const client = await WsTestClient.connect(server.baseUrl);
    client.sendRaw('x'.repeat(1024 * 1024));
    expect((await client.closed).code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
  });

  it('keeps serving everyone else after all of that', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    client.send({ type: 'chat.send', roomId: publicRoom, text: 'still alive', clientMessageId: 'alive' });
    expect(await client.waitFor((frame) => frame.type === 'chat.ack')).toMatchObject({ clientMessageId: 'alive' });
    expect((await http.get('/api/health')).status).toBe(200);
    await client.close();
  });
});
