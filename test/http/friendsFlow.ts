import { expect } from 'vitest';
import { friendshipStreamId } from '../../src/domain/ids.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { type HttpClient, STRONG_PASSWORD } from '../support/httpClient.js';

// The friends flow over HTTP, shared by the embedded and the Kafka e2e tests so both modes are held to the same
// answers and the same events.

export interface FriendUser {
  userId: string;
  username: string;
  accessToken: string;
}

export interface FriendsWorld {
  http: HttpClient;
  /** A stream's events, read from the log itself. */
  readStream(streamId: string): Promise<RecordedEvent[]>;
}

export async function signUpWithEmail(http: HttpClient, username: string, email: string): Promise<FriendUser> {
  const registered = await http.post('/api/auth/register', { body: { username, password: STRONG_PASSWORD, email } });
  if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`);
  const login = await http.post('/api/auth/login', { body: { username, password: STRONG_PASSWORD } });
  if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
  return { userId: registered.body.user.userId, username, accessToken: login.body.accessToken };
}

/** The user ids of one of a user's lists, in the order answered. */
export async function listIds(http: HttpClient, user: FriendUser, which: 'friends' | 'pending' | 'sent'): Promise<string[]> {
  const path = which === 'friends' ? '/api/friends' : `/api/friends/requests/${which}`;
  const answer = await http.get(path, { token: user.accessToken });
  expect(answer.status).toBe(200);
  const entries: Array<{ user: { userId: string } }> = which === 'friends' ? answer.body.friends : answer.body.requests;
  return entries.map((entry) => entry.user.userId);
}

/** The event types and data of a pair's stream. */
export async function pairEvents(world: FriendsWorld, a: FriendUser, b: FriendUser): Promise<Array<[string, unknown]>> {
  return (await world.readStream(friendshipStreamId(a.userId, b.userId))).map((event) => [event.type, event.data]);
}

/**
 * Three users: ann asks bea and cid; bea accepts (read-your-writes: the answer and the next lists agree), cid rejects;
 * ann asks cid again and withdraws; bea removes ann. Every step's lists and events are checked.
 */
export async function runThreeUserFlow(world: FriendsWorld, ann: FriendUser, bea: FriendUser, cid: FriendUser): Promise<void> {
  const { http } = world;
  const asked = await http.post('/api/friends/requests', { token: ann.accessToken, body: { userId: bea.userId } });
  expect(asked.status).toBe(201);
  expect(asked.body).toEqual({
    status: 'pending',
    user: { userId: bea.userId, username: bea.username, displayName: bea.username, statusText: '', avatarUrl: null },
  });
  // By username too (case-insensitive), the same as by id.
  const byName = await http.post('/api/friends/requests', { token: ann.accessToken, body: { username: cid.username.toUpperCase() } });
  expect(byName.status).toBe(201);
  expect(byName.body.user.userId).toBe(cid.userId);

  expect(await listIds(http, ann, 'sent')).toEqual([bea.userId, cid.userId]);
  expect(await listIds(http, bea, 'pending')).toEqual([ann.userId]);
  expect(await listIds(http, cid, 'pending')).toEqual([ann.userId]);
  expect(await listIds(http, ann, 'pending')).toEqual([]);
  expect(await listIds(http, ann, 'friends')).toEqual([]);

  const accepted = await http.post(`/api/friends/requests/${ann.userId}/accept`, { token: bea.accessToken });
  expect(accepted.status).toBe(200);
  expect(accepted.body.user.userId).toBe(ann.userId);
  // Public profiles only: nobody's email is ever in a friends answer.
  expect(JSON.stringify(accepted.body)).not.toContain('@');
  expect(await listIds(http, bea, 'friends')).toEqual([ann.userId]);
  expect(await listIds(http, ann, 'friends')).toEqual([bea.userId]);
  expect(await listIds(http, bea, 'pending')).toEqual([]);
  expect(await listIds(http, ann, 'sent')).toEqual([cid.userId]);
  const friends = await http.get('/api/friends', { token: ann.accessToken });
  expect(friends.body.friends).toEqual([
    { user: { userId: bea.userId, username: bea.username, displayName: bea.username, statusText: '', avatarUrl: null }, since: expect.any(String) },
  ]);

  const rejected = await http.post(`/api/friends/requests/${ann.userId}/reject`, { token: cid.accessToken });
  expect(rejected.status).toBe(204);
  expect(await listIds(http, cid, 'pending')).toEqual([]);
  expect(await listIds(http, ann, 'sent')).toEqual([]);

  // After a rejection ann may ask again, and withdraw it.
  expect((await http.post('/api/friends/requests', { token: ann.accessToken, body: { userId: cid.userId } })).status).toBe(201);
  expect(await listIds(http, cid, 'pending')).toEqual([ann.userId]);
  expect((await http.delete(`/api/friends/requests/${cid.userId}`, { token: ann.accessToken })).status).toBe(204);
  expect(await listIds(http, cid, 'pending')).toEqual([]);
  expect(await listIds(http, ann, 'sent')).toEqual([]);

  expect((await http.delete(`/api/friends/${ann.userId}`, { token: bea.accessToken })).status).toBe(204);
  expect(await listIds(http, ann, 'friends')).toEqual([]);
  expect(await listIds(http, bea, 'friends')).toEqual([]);

  expect(await pairEvents(world, ann, bea)).toEqual([
    ['FriendRequested', { from: ann.userId, to: bea.userId }],
    ['FriendRequestAccepted', { from: ann.userId, to: bea.userId }],
    ['FriendRemoved', { removedBy: bea.userId, friendId: ann.userId }],
  ]);
  expect(await pairEvents(world, ann, cid)).toEqual([
    ['FriendRequested', { from: ann.userId, to: cid.userId }],
    ['FriendRequestRejected', { from: ann.userId, to: cid.userId }],
    ['FriendRequested', { from: ann.userId, to: cid.userId }],
    ['FriendRequestCancelled', { from: ann.userId, to: cid.userId }],
  ]);
}

/** Two users ask each other at once: one request, accepted by the other; both answers agree on the outcome. */
export async function runCrossingRequests(world: FriendsWorld, a: FriendUser, b: FriendUser): Promise<void> {
  const { http } = world;
  const answers = await Promise.all([
    http.post('/api/friends/requests', { token: a.accessToken, body: { userId: b.userId } }),
    http.post('/api/friends/requests', { token: b.accessToken, body: { userId: a.userId } }),
  ]);
  expect(answers.map((answer) => answer.status)).toEqual([201, 201]);
  expect(answers.map((answer) => answer.body.status).sort()).toEqual(['accepted', 'pending']);
  const first = answers[0]?.body.status === 'pending' ? a : b;
  const second = first === a ? b : a;
  expect(await pairEvents(world, a, b)).toEqual([
    ['FriendRequested', { from: first.userId, to: second.userId }],
    ['FriendRequestAccepted', { from: first.userId, to: second.userId }],
  ]);
  expect(await listIds(http, a, 'friends')).toEqual([b.userId]);
  expect(await listIds(http, b, 'friends')).toEqual([a.userId]);
  expect(await listIds(http, a, 'pending')).toEqual([]);
  expect(await listIds(http, b, 'sent')).toEqual([]);
}
