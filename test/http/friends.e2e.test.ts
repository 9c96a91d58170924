import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { friendshipStreamId } from '../../src/domain/ids.js';
import { HttpClient } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { listIds, pairEvents, runCrossingRequests, runThreeUserFlow, signUpWithEmail, type FriendsWorld, type FriendUser } from './friendsFlow.js';

// Friends over real HTTP in embedded mode: the whole flow between three users, the races one pair's single writer
// decides in order (crossing requests, accept against cancel), every refusal with its code and nothing appended,
// and the email search (public profiles only, case-insensitive, rate-limited).

describe('friends over REST (embedded)', () => {
  let server: TestServer;
  let http: HttpClient;
  let world: FriendsWorld;
  let counter = 0;

  const user = (name: string, email = `${name}@example.com`): Promise<FriendUser> => {
    counter += 1;
    return signUpWithEmail(http, `${name}${counter}`, email.replace('@', `${counter}@`));
  };

  beforeAll(async () => {
    server = await startTestServer({ AUTH_RATE_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    const log = await server.server.service(TOKENS.eventLog);
    world = { http, readStream: (streamId) => log.readStream(streamId) };
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('requests, accept, reject, ask again, withdraw and remove between three users, each answer agreeing with the lists', async () => {
    const [ann, bea, cid] = await Promise.all([user('ann'), user('bea'), user('cid')]);
    await runThreeUserFlow(world, ann, bea, cid);
  });

  it('two users asking each other at once become friends through one request and its acceptance', async () => {
    for (let round = 0; round < 5; round++) {
      const [a, b] = await Promise.all([user('cross'), user('cross')]);
      await runCrossingRequests(world, a, b);
    }
  });

  it('an accept racing a cancel: exactly one wins, and the lists show its outcome', async () => {
    for (let round = 0; round < 5; round++) {
      const [asker, asked] = await Promise.all([user('asker'), user('asked')]);
      expect((await http.post('/api/friends/requests', { token: asker.accessToken, body: { userId: asked.userId } })).status).toBe(201);
      const [accept, cancel] = await Promise.all([
        http.post(`/api/friends/requests/${asker.userId}/accept`, { token: asked.accessToken }),
        http.delete(`/api/friends/requests/${asked.userId}`, { token: asker.accessToken }),
      ]);
      const events = await pairEvents(world, asker, asked);
      expect(events).toHaveLength(2);
      if (accept.status === 200) {
        expect(cancel.status).toBe(404);
        expect(cancel.body.error.code).toBe('NO_FRIEND_REQUEST');
        expect(events[1]?.[0]).toBe('FriendRequestAccepted');
        expect(await listIds(http, asker, 'friends')).toEqual([asked.userId]);
      } else {
        expect(accept.status).toBe(404);
        expect(accept.body.error.code).toBe('NO_FRIEND_REQUEST');
        expect(cancel.status).toBe(204);
        expect(events[1]?.[0]).toBe('FriendRequestCancelled');
        expect(await listIds(http, asker, 'friends')).toEqual([]);
      }
      expect(await listIds(http, asked, 'pending')).toEqual([]);
    }
  });

  it('refuses what makes no sense with a stable code and appends nothing', async () => {
    const [dan, eve, fay] = await Promise.all([user('dan'), user('eve'), user('fay')]);
    expect((await http.post('/api/friends/requests', { token: dan.accessToken, body: { userId: eve.userId } })).status).toBe(201);
    expect((await http.post('/api/friends/requests', { token: fay.accessToken, body: { userId: dan.userId } })).status).toBe(201);
    expect((await http.post(`/api/friends/requests/${fay.userId}/accept`, { token: dan.accessToken })).status).toBe(200);
    const before = [await pairEvents(world, dan, eve), await pairEvents(world, dan, fay), await pairEvents(world, eve, fay)];
    const log = await server.server.service(TOKENS.eventLog);
    const selfStream = await log.readStream(friendshipStreamId(dan.userId, dan.userId));

    const refusals: Array<[Promise<{ status: number; body: { error: { code: string } } }>, number, string]> = [
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { userId: dan.userId } }), 400, 'VALIDATION_FAILED'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { username: dan.username } }), 400, 'VALIDATION_FAILED'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { userId: 'no-such-user' } }), 404, 'NO_USER'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { username: 'nobody-here' } }), 404, 'NO_USER'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: {} }), 400, 'VALIDATION_FAILED'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { userId: eve.userId, extra: 1 } }), 400, 'VALIDATION_FAILED'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { userId: eve.userId } }), 409, 'FRIEND_REQUEST_EXISTS'],
      [http.post('/api/friends/requests', { token: dan.accessToken, body: { userId: fay.userId } }), 409, 'ALREADY_FRIENDS'],
      [http.post('/api/friends/requests', { token: fay.accessToken, body: { userId: dan.userId } }), 409, 'ALREADY_FRIENDS'],
      // Only the recipient answers a request: the sender cannot accept or reject their own.
      [http.post(`/api/friends/requests/${eve.userId}/accept`, { token: dan.accessToken }), 404, 'NO_FRIEND_REQUEST'],
      [http.post(`/api/friends/requests/${eve.userId}/reject`, { token: dan.accessToken }), 404, 'NO_FRIEND_REQUEST'],
      [http.post(`/api/friends/requests/${fay.userId}/accept`, { token: eve.accessToken }), 404, 'NO_FRIEND_REQUEST'],
      [http.post(`/api/friends/requests/${dan.userId}/accept`, { token: fay.accessToken }), 404, 'NO_FRIEND_REQUEST'],
      // Only the sender withdraws.
      [http.delete(`/api/friends/requests/${dan.userId}`, { token: eve.accessToken }), 404, 'NO_FRIEND_REQUEST'],
      [http.delete(`/api/friends/${eve.userId}`, { token: dan.accessToken }), 404, 'NOT_FRIENDS'],
      [http.delete(`/api/friends/${dan.userId}`, { token: dan.accessToken }), 400, 'VALIDATION_FAILED'],
      [http.get('/api/friends'), 401, 'AUTH_REQUIRED'],
    ];
    for (const [answer, status, code] of refusals) {
      const { status: got, body } = await answer;
      expect([got, body.error.code]).toEqual([status, code]);
    }
    expect([await pairEvents(world, dan, eve), await pairEvents(world, dan, fay), await pairEvents(world, eve, fay)]).toEqual(before);
    expect(await log.readStream(friendshipStreamId(dan.userId, dan.userId))).toEqual(selfStream);
    expect(await listIds(http, dan, 'sent')).toEqual([eve.userId]);
    expect(await listIds(http, dan, 'friends')).toEqual([fay.userId]);
  });

  it('finds users by the exact email they registered with, case-insensitively, showing public profiles only', async () => {
    const gil = await signUpWithEmail(http, 'gil', 'Gil.Search@Example.com');
    const seeker = await user('seeker');
    const found = await http.get(`/api/users/search?email=${encodeURIComponent('gil.search@EXAMPLE.com')}`, { token: seeker.accessToken });
    expect(found.status).toBe(200);
    expect(found.body).toEqual({ users: [{ userId: gil.userId, username: 'gil', displayName: 'gil', statusText: '', avatarUrl: null }] });
    // Exact: a part of the address finds nobody.
    const partial = await http.get(`/api/users/search?email=${encodeURIComponent('gil.search@example')}`, { token: seeker.accessToken });
    expect([partial.status, partial.body.error?.code]).toEqual([400, 'VALIDATION_FAILED']);
    const none = await http.get(`/api/users/search?email=${encodeURIComponent('nobody@example.com')}`, { token: seeker.accessToken });
    expect([none.status, none.body]).toEqual([200, { users: [] }]);
    expect((await http.get('/api/users/search', { token: seeker.accessToken })).status).toBe(400);
    expect((await http.get('/api/users/search?email=gil.search%40example.com')).status).toBe(401);
    // The found user can then be asked by id.
    expect((await http.post('/api/friends/requests', { token: seeker.accessToken, body: { userId: found.body.users[0].userId } })).status).toBe(201);
  });

  it('rate-limits the email search per user', async () => {
    const [prober, other] = await Promise.all([user('prober'), user('other')]);
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 40; i++) {
      const answer = await http.get(`/api/users/search?email=probe${i}%40example.com`, { token: prober.accessToken });
      statuses.push(answer.status);
      if (answer.status === 429) {
        expect(answer.body.error.code).toBe('RATE_LIMIT_EXCEEDED');
        retryAfter = answer.headers.get('retry-after');
      }
    }
    // 30 a minute at most, whatever the pace of the loop.
    expect(statuses.filter((status) => status === 200).length).toBeLessThanOrEqual(30);
    expect(statuses).toContain(429);
    expect(Number(retryAfter)).toBeGreaterThan(0);
    // Another user's budget is their own.
    expect((await http.get('/api/users/search?email=x%40example.com', { token: other.accessToken })).status).toBe(200);
  });
});
