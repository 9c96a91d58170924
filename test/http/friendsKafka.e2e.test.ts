import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { HttpClient } from '../support/httpClient.js';
import { kafkaModeEnv, removeKafkaModeData } from '../support/kafkaMode.js';
import { describeWithServices } from '../support/realServices.js';
import { openRedis, testKeyPrefix } from '../support/redis.js';
import { uniqueSubjectPrefix } from '../support/schemaRegistry.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { listIds, pairEvents, runCrossingRequests, runThreeUserFlow, signUpWithEmail, type FriendsWorld } from './friendsFlow.js';

// Friends in the distributed mode: EVENT_LOG=kafka sends every friendship command through the commands topic to the
// command processor (the pair stream's single writer), events are Avro under the real schema registry, and the
// search budget lives in Redis. The same answers and events as embedded (friendsFlow.ts is shared).

describeWithServices('friends through the Kafka command processor', ['KAFKA_BROKERS', 'REDIS_URL', 'SCHEMA_REGISTRY_URL'], (env) => {
  const run = randomUUID();
  const topic = `test.friends.events.${run}`;
  const keyPrefix = testKeyPrefix('friends');
  const subjectPrefix = uniqueSubjectPrefix('friends');
  let server: TestServer;
  let http: HttpClient;
  let redis: Redis;
  let world: FriendsWorld;

  beforeAll(async () => {
    redis = await openRedis(env('REDIS_URL'));
    server = await startTestServer({
      ...kafkaModeEnv(env, { topic, clientId: `friends-test-${run.slice(0, 8)}`, subjectPrefix, keyPrefix }),
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
    http = new HttpClient(server.baseUrl);
    const log = await server.server.service(TOKENS.eventLog);
    world = { http, readStream: (streamId) => log.readStream(streamId) };
  }, 120_000);

  afterAll(async () => {
    await server?.stop({ removeData: true });
    await removeKafkaModeData(env, { run, keyPrefix, subjectPrefix, redis });
  }, 60_000);

  it('runs the three-user flow through the processor with the same answers and events as embedded', async () => {
    const [ann, bea, cid] = await Promise.all([
      signUpWithEmail(http, 'ann', 'ann@example.com'),
      signUpWithEmail(http, 'bea', 'bea@example.com'),
      signUpWithEmail(http, 'cid', 'cid@example.com'),
    ]);
    await runThreeUserFlow(world, ann, bea, cid);
  }, 60_000);

  it('decides crossing requests in order on the pair stream, and refusals come back with their codes', async () => {
    const [dee, eli] = await Promise.all([
      signUpWithEmail(http, 'dee', 'dee@example.com'),
      signUpWithEmail(http, 'eli', 'eli@example.com'),
    ]);
    await runCrossingRequests(world, dee, eli);
    const before = await pairEvents(world, dee, eli);
    const again = await http.post('/api/friends/requests', { token: dee.accessToken, body: { userId: eli.userId } });
    expect([again.status, again.body.error.code]).toEqual([409, 'ALREADY_FRIENDS']);
    const accept = await http.post(`/api/friends/requests/${eli.userId}/accept`, { token: dee.accessToken });
    expect([accept.status, accept.body.error.code]).toEqual([404, 'NO_FRIEND_REQUEST']);
    expect(await pairEvents(world, dee, eli)).toEqual(before);
    expect(await listIds(http, dee, 'friends')).toEqual([eli.userId]);
  }, 60_000);

  it('finds a user by email over the Kafka-fed view', async () => {
    const fox = await signUpWithEmail(http, 'fox', 'Fox@Example.com');
    const seeker = await signUpWithEmail(http, 'seeker', 'seeker@example.com');
    const found = await http.get('/api/users/search?email=fox%40example.COM', { token: seeker.accessToken });
    expect(found.status).toBe(200);
    expect(found.body.users).toEqual([{ userId: fox.userId, username: 'fox', displayName: 'fox', statusText: '', avatarUrl: null }]);
    // The search budget is one of the shared ones: under the same Redis prefix as the login and send budgets.
    const budgets = [0, 1].map((rule) => `${keyPrefix}ratelimit:email-search:${rule}:${seeker.userId}`);
    expect(await redis.exists(...budgets)).toBe(2);
  }, 60_000);
});
