import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// The service configured for Redis while Redis cannot be reached (nothing listens on 127.0.0.1:1): it starts
// anyway; rate limits fail closed with a code of their own, presence degrades, everything else keeps working.
// No real Redis is needed, so this runs everywhere.
const UNREACHABLE = 'redis://127.0.0.1:1';

describe('Redis unreachable: rate limits fail closed over REST', () => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer({ REDIS_URL: UNREACHABLE, RATE_LIMIT_STORE: 'redis' });
    http = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('answers register and login with 429 RATE_LIMIT_UNAVAILABLE and a Retry-After, creating nothing', async () => {
    const register = await http.post('/api/auth/register', { body: { username: 'alice', password: STRONG_PASSWORD } });
    expect(register.status).toBe(429);
    expect(register.body.error.code).toBe('RATE_LIMIT_UNAVAILABLE');
    expect(Number(register.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const login = await http.post('/api/auth/login', { body: { username: 'alice', password: STRONG_PASSWORD } });
    expect(login.status).toBe(429);
    expect(login.body.error.code).toBe('RATE_LIMIT_UNAVAILABLE');
  });

  it('still answers what needs no limit: health and the API document', async () => {
    expect((await http.get('/api/health')).status).toBe(200);
    expect((await http.get('/api/openapi.json')).status).toBe(200);
  });
});

describe('Redis unreachable: presence and typing degrade, chat keeps working', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    server = await startTestServer({ REDIS_URL: UNREACHABLE, PRESENCE_STORE: 'redis', TYPING_BUS: 'redis' });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('authenticates sockets, delivers messages, answers pongs without errors, and shows everybody offline', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const sender = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await reader.subscribe(roomId);

    sender.send({ type: 'pong' });
    sender.send({ type: 'chat.send', roomId, text: 'still here', clientMessageId: 'c-1' });
    await sender.waitFor((frame) => frame.type === 'chat.ack');
    expect(await reader.waitFor((frame) => frame.type === 'chat.event' && frame.event === 'MessageSent')).toMatchObject({
      data: { text: 'still here' },
    });
    // The pong (a presence heartbeat) was handled without an error reaching the client.
    expect(sender.frames.filter((frame) => frame.type === 'chat.error')).toEqual([]);

    const presence = await http.get(`/api/presence?userIds=${alice.userId},${bob.userId}`, { token: alice.accessToken });
    expect(presence.status).toBe(200);
    expect(presence.body.presence).toEqual([
      { userId: alice.userId, online: false, lastSeenAt: null },
      { userId: bob.userId, online: false, lastSeenAt: null },
    ]);
    await Promise.all([sender.close(), reader.close()]);
  });

  it('refuses a typing frame with UNAVAILABLE (it cannot be relayed) and keeps the connection', async () => {
    const roomId = await createRoom(http, alice, 'public');
    const typist = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    typist.send({ type: 'chat.typing', roomId, id: 'typing-1' });
    expect(await typist.errorFor('typing-1')).toMatchObject({ code: 'UNAVAILABLE' });
    await typist.barrier();
    await typist.close();
  });
});
