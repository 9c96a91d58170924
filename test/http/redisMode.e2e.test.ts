import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, quit, testKeyPrefix } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// The service with every piece of shared state in a real Redis (each selector `redis`), end to end over HTTP and
// WebSocket, and across a restart: what was in Redis is still there, and nothing is counted twice.

describeWithServices('the service on Redis (every store selector = redis)', ['REDIS_URL'], (env) => {
  let server: TestServer;
  let http: HttpClient;
  let admin: User;
  let alice: User;
  let bob: User;
  let keyPrefix: string;
  const settings = (): Record<string, string> => ({
    REDIS_URL: env('REDIS_URL'),
    REDIS_KEY_PREFIX: keyPrefix,
    PRESENCE_STORE: 'redis',
    RATE_LIMIT_STORE: 'redis',
    TOKEN_STORE: 'redis',
    ANALYTICS_STORE: 'redis',
    TYPING_BUS: 'redis',
    ADMIN_USERNAMES: 'boss',
    AUTH_RATE_LIMIT_PER_MINUTE: '100',
  });

  beforeAll(async () => {
    keyPrefix = testKeyPrefix('service');
    server = await startTestServer(settings());
    http = new HttpClient(server.baseUrl);
    [admin, alice, bob] = await Promise.all([signUp(http, 'boss'), signUp(http, 'alice'), signUp(http, 'bob')]);
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
    const client = await openRedis(env('REDIS_URL'));
    await deleteKeys(client, keyPrefix);
    await quit(client);
  });

  it('keeps its state under REDIS_KEY_PREFIX', async () => {
    const client = await openRedis(env('REDIS_URL'));
    const keys = await client.keys(`${keyPrefix}*`);
    await quit(client);
    for (const area of ['tokens:', 'ratelimit:', 'analytics:']) expect(keys.some((key) => key.startsWith(`${keyPrefix}${area}`))).toBe(true);
  });

  it('relays typing through Redis pub/sub and shows presence from Redis', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const typist = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await typist.subscribe(roomId);
    await reader.subscribe(roomId);
    typist.send({ type: 'chat.typing', roomId });
    expect(await reader.waitFor((frame) => frame.type === 'chat.typing')).toMatchObject({ roomId, userId: alice.userId });

    const presence = await http.get(`/api/chat/rooms/${roomId}/presence`, { token: bob.accessToken });
    expect(presence.body.presence.map((view: { online: boolean }) => view.online)).toEqual([true, true]);
    await Promise.all([typist.close(), reader.close()]);
  });

  it('rotates refresh tokens and revokes a replayed family in Redis', async () => {
    const first = await http.post('/api/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(first.status).toBe(200);
    const replay = await http.post('/api/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(replay.status).toBe(401);
    expect((await http.post('/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } })).status).toBe(401);
  });

  it('shares the send budget through Redis: the 6th send in a second is 429 RATE_LIMIT_EXCEEDED', async () => {
    const roomId = await createRoom(http, bob, 'public');
    const responses = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        http.post('/api/chat/send', { token: bob.accessToken, body: { roomId, text: `m ${i}`, clientMessageId: `burst-${i}` } }),
      ),
    );
    expect(responses.filter((response) => response.status === 201)).toHaveLength(5);
    expect(responses.filter((response) => response.status === 429).map((response) => response.body.error.code)).toEqual(['RATE_LIMIT_EXCEEDED']);
  });

  it('survives a restart: logouts still hold, analytics go on from their checkpoint without counting twice', async () => {
    await vi.waitFor(async () => {
      const sizes = await http.get('/api/analytics/message-sizes', { token: admin.accessToken });
      expect(sizes.body.total).toBe(5);
    });
    const loggedOut = await http.post('/api/auth/logout', { token: bob.accessToken });
    expect(loggedOut.status).toBe(204);

    await server.stop();
    server = await startTestServer(settings(), server.dataDir);
    http = new HttpClient(server.baseUrl);

    expect((await http.get('/api/auth/me', { token: bob.accessToken })).status).toBe(401);
    // (Alice's family was revoked by the replay above; the admin's tokens are untouched.)
    const roomId = await createRoom(http, admin, 'public', { name: 'after restart' });
    const sent = await http.post('/api/chat/send', { token: admin.accessToken, body: { roomId, text: 'one more', clientMessageId: 'after-1' } });
    expect(sent.status).toBe(201);
    await vi.waitFor(async () => {
      const sizes = await http.get('/api/analytics/message-sizes', { token: admin.accessToken });
      expect(sizes.body.total).toBe(6);
    });
  });
});
