import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

describe('rate limits and lockout over REST', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeAll(async () => {
    // The defaults of API.md for sends and lockout; a generous per-IP budget so only the test that wants it hits it.
    server = await startTestServer({ AUTH_RATE_LIMIT_PER_MINUTE: '40' });
    client = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('allows 5 sends per second per user, then answers 429 with Retry-After and appends nothing', async () => {
    const alice = await signUp(client, 'alice');
    const bob = await signUp(client, 'bob');
    const roomId = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'r', kind: 'public' } })).body
      .room.roomId;
    await client.post(`/api/chat/rooms/${roomId}/join`, { token: bob.accessToken });

    const responses = await Promise.all(
      Array.from({ length: 7 }, (_, index) =>
        client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: `hi ${index}`, clientMessageId: `r-${index}` } }),
      ),
    );
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses.filter((status) => status === 201)).toHaveLength(5);
    const limited = responses.filter((response) => response.status === 429);
    expect(limited).toHaveLength(2);
    for (const response of limited) {
      expect(response.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const page = await client.get(`/api/chat/rooms/${roomId}/messages?limit=100`, { token: alice.accessToken });
    expect(page.body.messages).toHaveLength(5);

    // The budget is per user: bob is not affected by alice's burst.
    const fromBob = await client.post('/api/chat/send', { token: bob.accessToken, body: { roomId, text: 'me too', clientMessageId: 'b-1' } });
    expect(fromBob.status).toBe(201);

    // A retry of an accepted message is not charged and still returns it.
    const acceptedIndex = responses.findIndex((response) => response.status === 201);
    const retry = await client.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: 'again', clientMessageId: `r-${acceptedIndex}` },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.message.messageId).toBe(responses[acceptedIndex]?.body.message.messageId);
  });

  it('locks an account after 5 failed logins, even for the right password, without touching other accounts', async () => {
    await signUp(client, 'carol');
    await signUp(client, 'dave');
    for (let attempt = 1; attempt <= 5; attempt++) {
      const failed = await client.post('/api/auth/login', { body: { username: 'carol', password: 'Wrong-Passw0rd!!' } });
      expect(failed.status).toBe(401);
    }
    const locked = await client.post('/api/auth/login', { body: { username: 'Carol', password: STRONG_PASSWORD } });
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(14 * 60);
    const other = await client.post('/api/auth/login', { body: { username: 'dave', password: STRONG_PASSWORD } });
    expect(other.status).toBe(200);
  });

  it('limits unauthenticated auth calls per IP', async () => {
    const log = await server.server.service(TOKENS.eventLog);
    const headBefore = await log.headPosition();
    let limited: Awaited<ReturnType<HttpClient['post']>> | undefined;
    for (let attempt = 0; attempt < 60 && !limited; attempt++) {
      const response = await client.post('/api/auth/refresh', { body: { refreshToken: `bogus-${attempt}` } });
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(401);
    }
    expect(limited?.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
    expect(Number(limited?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await log.headPosition()).toEqual(headBefore);
  });
});
