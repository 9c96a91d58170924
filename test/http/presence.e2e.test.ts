import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// Presence over REST, driven by real WebSocket connections: online while a socket is open (two count once),
// offline with a last-seen time once the last one closes; per-room presence follows the room's read rule.

describe('presence over REST', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;
  let carol: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    server = await startTestServer();
    http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
    bob = await signUp(http, 'bob');
    carol = await signUp(http, 'carol');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  const presenceOf = async (token: string, ...userIds: string[]) => {
    const response = await http.get(`/api/presence?userIds=${userIds.join(',')}`, { token });
    expect(response.status).toBe(200);
    return response.body.presence;
  };

  it('shows a user who never connected as offline, never seen', async () => {
    expect(await presenceOf(alice.accessToken, bob.userId, 'u-unknown')).toEqual([
      { userId: bob.userId, online: false, lastSeenAt: null },
      { userId: 'u-unknown', online: false, lastSeenAt: null },
    ]);
  });

  it('follows connections: online with either of two sockets, offline with a last seen after the last closes', async () => {
    const first = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const second = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const [online] = await presenceOf(alice.accessToken, bob.userId);
    expect(online).toMatchObject({ userId: bob.userId, online: true });
    expect(Date.parse(online.lastSeenAt)).not.toBeNaN();

    await first.close();
    // Whether or not the server has handled that close yet, the other socket keeps bob online.
    expect((await presenceOf(alice.accessToken, bob.userId))[0].online).toBe(true);

    await second.close();
    await vi.waitFor(async () => {
      expect((await presenceOf(alice.accessToken, bob.userId))[0].online).toBe(false);
    });
    const [offline] = await presenceOf(alice.accessToken, bob.userId);
    expect(Date.parse(offline.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(online.lastSeenAt));
  });

  it('answers repeated ids once, in the order first asked', async () => {
    const ids = (await presenceOf(alice.accessToken, carol.userId, alice.userId, carol.userId)).map(
      (entry: { userId: string }) => entry.userId,
    );
    expect(ids).toEqual([carol.userId, alice.userId]);
  });

  it('refuses a missing list, an empty one, more than 100 ids, or repeated parameters', async () => {
    const tooMany = Array.from({ length: 101 }, (_, index) => `u-${index}`).join(',');
    for (const query of ['', '?userIds=', '?userIds=,,', `?userIds=${tooMany}`, '?userIds=a&userIds=b', '?userIds=a&x=1']) {
      const response = await http.get(`/api/presence${query}`, { token: alice.accessToken });
      expect(response.status, query).toBe(400);
      expect(response.body.error.code, query).toBe('VALIDATION_FAILED');
    }
    const hundred = Array.from({ length: 100 }, (_, index) => `u-${index}`).join(',');
    expect((await http.get(`/api/presence?userIds=${hundred}`, { token: alice.accessToken })).body.presence).toHaveLength(100);
  });

  it('requires a token', async () => {
    expect((await http.get(`/api/presence?userIds=${bob.userId}`)).status).toBe(401);
  });

  it("lists a room's members' presence in join order, to those who may read the room", async () => {
    const team = await http.post('/api/chat/rooms', {
      token: alice.accessToken,
      body: { name: 'team', kind: 'private', memberIds: [bob.userId] },
    });
    const roomId: string = team.body.room.roomId;
    const socket = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    try {
      const response = await http.get(`/api/chat/rooms/${roomId}/presence`, { token: bob.accessToken });
      expect(response.status).toBe(200);
      expect(response.body.presence).toEqual([
        { userId: alice.userId, online: true, lastSeenAt: expect.any(String) },
        { userId: bob.userId, online: false, lastSeenAt: expect.any(String) },
      ]);

      const outsider = await http.get(`/api/chat/rooms/${roomId}/presence`, { token: carol.accessToken });
      expect(outsider.status).toBe(403);
      expect(outsider.body.error.code).toBe('NOT_MEMBER');
    } finally {
      await socket.close();
    }

    const general = await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } });
    const open = await http.get(`/api/chat/rooms/${general.body.room.roomId}/presence`, { token: carol.accessToken });
    expect(open.status).toBe(200);
    expect(open.body.presence.map((entry: { userId: string }) => entry.userId)).toEqual([alice.userId]);

    const missing = await http.get('/api/chat/rooms/no-such-room/presence', { token: carol.accessToken });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NO_ROOM');
  });
});
