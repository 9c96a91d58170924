import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The analytics API over real HTTP: counters follow what was sent (the projector catches up in the background,
// so reads poll), only analysts and admins may read them, and every query is validated.

describe('analytics over REST', () => {
  let server: TestServer;
  let http: HttpClient;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_USERNAMES: 'boss' });
    http = new HttpClient(server.baseUrl);
    admin = await signUp(http, 'boss');
    alice = await signUp(http, 'alice');
    const room = await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } });
    roomId = room.body.room.roomId;
    for (const [index, text] of ['hi', 'a slightly longer message', 'x'.repeat(300)].entries()) {
      const sent = await http.post('/api/chat/send', {
        token: alice.accessToken,
        body: { roomId, text, clientMessageId: `c-${index}` },
      });
      expect(sent.status).toBe(201);
    }
    // Analytics has no read-your-writes: wait until the projector has counted the three messages.
    await vi.waitFor(async () => {
      const sizes = await http.get('/api/analytics/message-sizes', { token: admin.accessToken });
      expect(sizes.body.total).toBe(3);
    });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it("serves a room's messages per minute and per hour", async () => {
    const minutes = await http.get(`/api/analytics/rooms/${roomId}/messages`, { token: admin.accessToken });
    expect(minutes.status).toBe(200);
    expect(minutes.body).toMatchObject({ roomId, granularity: 'minute', total: 3 });
    expect(minutes.body.buckets.reduce((sum: number, bucket: { messages: number }) => sum + bucket.messages, 0)).toBe(3);

    const hours = await http.get(`/api/analytics/rooms/${roomId}/messages?granularity=hour`, { token: admin.accessToken });
    expect(hours.body).toMatchObject({ granularity: 'hour', total: 3 });

    const past = await http.get(
      `/api/analytics/rooms/${roomId}/messages?granularity=hour&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`,
      { token: admin.accessToken },
    );
    expect(past.body).toMatchObject({ from: '2020-01-01T00:00:00.000Z', to: '2020-01-02T00:00:00.000Z', total: 0, buckets: [] });
  });

  it('serves active users per day, top rooms and the size distribution', async () => {
    const active = await http.get('/api/analytics/active-users?days=3', { token: admin.accessToken });
    expect(active.status).toBe(200);
    expect(active.body.days).toHaveLength(3);
    // Summed, not read off today: the test may straddle a UTC midnight.
    expect(active.body.days.reduce((sum: number, day: { activeUsers: number }) => sum + day.activeUsers, 0)).toBe(1);

    const top = await http.get('/api/analytics/top-rooms?window=hour&limit=5', { token: admin.accessToken });
    expect(top.status).toBe(200);
    expect(top.body).toMatchObject({ window: 'hour', rooms: [{ roomId, messages: 3 }] });

    const sizes = await http.get('/api/analytics/message-sizes', { token: admin.accessToken });
    expect(sizes.body.buckets.map((bucket: { bucket: string; messages: number }) => [bucket.bucket, bucket.messages])).toEqual([
      ['1-10', 1],
      ['11-50', 1],
      ['51-200', 0],
      ['201-500', 1],
      ['501-1000', 0],
      ['1001+', 0],
    ]);
  });

  it('refuses a plain user with 403 FORBIDDEN and a caller without a token with 401', async () => {
    const paths = [
      `/api/analytics/rooms/${roomId}/messages`,
      '/api/analytics/active-users',
      '/api/analytics/top-rooms',
      '/api/analytics/message-sizes',
    ];
    for (const path of paths) {
      const forbidden = await http.get(path, { token: alice.accessToken });
      expect(forbidden.status, path).toBe(403);
      expect(forbidden.body.error.code, path).toBe('FORBIDDEN');
      expect((await http.get(path)).status, path).toBe(401);
    }
  });

  it('refuses invalid queries with VALIDATION_FAILED', async () => {
    const bad = [
      `/api/analytics/rooms/${roomId}/messages?granularity=second`,
      `/api/analytics/rooms/${roomId}/messages?from=yesterday`,
      `/api/analytics/rooms/${roomId}/messages?from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z`,
      `/api/analytics/rooms/${roomId}/messages?roomId=x`,
      '/api/analytics/active-users?days=0',
      '/api/analytics/active-users?days=91',
      '/api/analytics/active-users?days=1.5',
      '/api/analytics/top-rooms?window=month',
      '/api/analytics/top-rooms?limit=101',
      '/api/analytics/message-sizes?window=day',
    ];
    for (const path of bad) {
      const response = await http.get(path, { token: admin.accessToken });
      expect(response.status, path).toBe(400);
      expect(response.body.error.code, path).toBe('VALIDATION_FAILED');
    }
  });

  it('documents every analytics and presence route in the OpenAPI document', async () => {
    const paths = Object.keys((await http.get('/api/openapi.json')).body.paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/analytics/rooms/{roomId}/messages',
        '/api/analytics/active-users',
        '/api/analytics/top-rooms',
        '/api/analytics/message-sizes',
        '/api/presence',
        '/api/chat/rooms/{roomId}/presence',
      ]),
    );
  });
});
