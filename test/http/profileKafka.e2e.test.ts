import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { STRONG_PASSWORD } from '../support/httpClient.js';
import { kafkaModeEnv, removeKafkaModeData } from '../support/kafkaMode.js';
import { describeWithServices } from '../support/realServices.js';
import { openRedis, testKeyPrefix } from '../support/redis.js';
import { uniqueSubjectPrefix } from '../support/schemaRegistry.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// Profile and password change in the distributed mode: EVENT_LOG=kafka sends every command through the commands
// topic to the command processor (the user stream's single writer), events are Avro in the Confluent wire format
// under the real schema registry, and tokens live in Redis. The same answers as embedded, the same events.

const NEW_PASSWORD = 'Battery-Staple-77-horse';

describeWithServices('profile and password change through the Kafka command processor', ['KAFKA_BROKERS', 'REDIS_URL', 'SCHEMA_REGISTRY_URL'], (env) => {
  const run = randomUUID();
  const topic = `test.profile.events.${run}`;
  const keyPrefix = testKeyPrefix('profile');
  const subjectPrefix = uniqueSubjectPrefix('profile');
  let server: TestServer;
  let http: HttpClient;
  let redis: Redis;
  let alice: User;
  let bob: User;

  const userEvents = async (userId: string) => (await server.server.service(TOKENS.eventLog)).readStream(`user-${userId}`);

  beforeAll(async () => {
    redis = await openRedis(env('REDIS_URL'));
    server = await startTestServer({
      ...kafkaModeEnv(env, { topic, clientId: `profile-test-${run.slice(0, 8)}`, subjectPrefix, keyPrefix }),
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  }, 120_000);

  afterAll(async () => {
    await server?.stop({ removeData: true });
    await removeKafkaModeData(env, { run, keyPrefix, subjectPrefix, redis });
  }, 60_000);

  it('changes a profile through the processor: ProfileUpdated in the log, the new profile in the answer and every read', async () => {
    const roomId = await createRoom(http, alice, 'public', { name: 'over kafka' });
    const patched = await http.patch('/api/users/me', {
      token: alice.accessToken,
      body: { displayName: 'Alice 🐇', statusText: 'on kafka', avatarUrl: 'https://cdn.example.com/a.png' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({ displayName: 'Alice 🐇', statusText: 'on kafka', avatarUrl: 'https://cdn.example.com/a.png' });
    expect((await userEvents(alice.userId)).map((event) => [event.type, event.data])).toEqual([
      ['UserRegistered', expect.objectContaining({ username: 'alice' })],
      [
        'ProfileUpdated',
        {
          userId: alice.userId,
          displayName: 'Alice 🐇',
          statusText: 'on kafka',
          avatarUrl: 'https://cdn.example.com/a.png',
          avatarFileId: null,
        },
      ],
    ]);
    expect((await http.get(`/api/users/${alice.userId}`, { token: bob.accessToken })).body.user).toEqual({
      userId: alice.userId,
      username: 'alice',
      displayName: 'Alice 🐇',
      statusText: 'on kafka',
      avatarUrl: 'https://cdn.example.com/a.png',
    });
    const members = await http.get(`/api/chat/rooms/${roomId}/members`, { token: alice.accessToken });
    expect(members.body.members[0]).toMatchObject({ userId: alice.userId, displayName: 'Alice 🐇' });
    // The same values again: the processor decides there is nothing to record.
    const same = await http.patch('/api/users/me', { token: alice.accessToken, body: { statusText: 'on kafka' } });
    expect(same.status).toBe(200);
    expect(await userEvents(alice.userId)).toHaveLength(2);
  });

  it('changes a password through the processor: old tokens void in Redis, old password refused, new pair works', async () => {
    const phone = (await http.post('/api/auth/login', { body: { username: 'bob', password: STRONG_PASSWORD } })).body;
    const changed = await http.post('/api/auth/password', {
      token: bob.accessToken,
      body: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD },
    });
    expect(changed.status).toBe(200);
    expect((await userEvents(bob.userId)).map((event) => event.type)).toEqual(['UserRegistered', 'PasswordChanged']);
    for (const old of [bob, phone]) {
      expect((await http.get('/api/users/me', { token: old.accessToken })).status).toBe(401);
      expect((await http.post('/api/auth/refresh', { body: { refreshToken: old.refreshToken } })).status).toBe(401);
    }
    const socket = await WsTestClient.connect(server.baseUrl);
    socket.send({ type: 'auth', token: phone.accessToken, id: 'old' });
    expect((await socket.errorFor('old')).code).toBe('TOKEN_REVOKED');
    expect((await http.get('/api/users/me', { token: changed.body.accessToken })).body.user.userId).toBe(bob.userId);
    expect((await http.post('/api/auth/login', { body: { username: 'bob', password: STRONG_PASSWORD } })).status).toBe(401);
    expect((await http.post('/api/auth/login', { body: { username: 'bob', password: NEW_PASSWORD } })).status).toBe(200);
  });
});
