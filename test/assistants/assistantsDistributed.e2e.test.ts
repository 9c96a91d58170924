import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { headSeqOf, HttpClient, sendRest, signUp, type User } from '../support/chatFixture.js';
import { FakeOpenAi } from '../support/fakeOpenAi.js';
import { kafkaModeEnv, removeKafkaModeData } from '../support/kafkaMode.js';
import { describeWithServices } from '../support/realServices.js';
import { openRedis, testKeyPrefix } from '../support/redis.js';
import { uniqueSubjectPrefix } from '../support/schemaRegistry.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Assistants with several gateways (issue #19): two service processes on one Kafka log and one Redis. Every gateway
// follows the log, but the question's lease in Redis makes one of them answer; the pieces cross to the other
// gateway's subscribers over the answer bus (Redis pub/sub), and a cancel sent to either reaches the one answering.

describeWithServices('assistants across gateways', ['KAFKA_BROKERS', 'REDIS_URL', 'SCHEMA_REGISTRY_URL'], (env) => {
  const run = randomUUID();
  const keyPrefix = testKeyPrefix('assistants');
  const subjectPrefix = uniqueSubjectPrefix('assistants');
  let fake: FakeOpenAi;
  let redis: Redis;
  let gatewayA: TestServer;
  let gatewayB: TestServer;
  let httpA: HttpClient;
  let httpB: HttpClient;
  let alice: User;
  let bob: User;
  let roomId: string;

  const isDone = (f: Frame) => f.type === 'chat.stream' && f.roomId === roomId && f.done === true;

  beforeAll(async () => {
    fake = await FakeOpenAi.start();
    redis = await openRedis(env('REDIS_URL'));
    const shared = {
      ...kafkaModeEnv(env, { topic: `test.assistants.events.${run}`, clientId: `assistants-${run.slice(0, 8)}`, subjectPrefix, keyPrefix }),
      // Every store shared (personal-data keys, presence, typing and the answer bus, leases and budgets) in Redis.
      RUN_MODE: 'distributed',
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: 'sk-distributed',
      ADMIN_USERNAMES: 'root',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    };
    gatewayA = await startTestServer(shared);
    gatewayB = await startTestServer(shared);
    httpA = new HttpClient(gatewayA.baseUrl);
    httpB = new HttpClient(gatewayB.baseUrl);
    const root = await signUp(httpA, 'root');
    [alice, bob] = await Promise.all([signUp(httpA, 'alice'), signUp(httpA, 'bob')]);
    const helper = await httpA.post('/api/admin/assistants', { token: root.accessToken, body: { username: 'helper', systemPrompt: 'Be brief.' } });
    expect(helper.status).toBe(201);
    const room = await httpA.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'two gateways', kind: 'private', memberIds: [bob.userId, helper.body.userId] } });
    roomId = room.body.room.roomId;
  }, 180_000);

  afterAll(async () => {
    await gatewayA?.stop({ removeData: true });
    await gatewayB?.stop({ removeData: true });
    await fake?.close();
    await removeKafkaModeData(env, { run, keyPrefix, subjectPrefix, redis });
  }, 60_000);

  it('is answered once, and streams to the subscribers of both gateways in order', async () => {
    const onA = await WsTestClient.connectAs(gatewayA.baseUrl, alice.accessToken);
    const onB = await WsTestClient.connectAs(gatewayB.baseUrl, bob.accessToken);
    await onA.subscribe(roomId);
    await onB.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['across', ' two', ' gateways'], delayMs: 50 });
    const question = await sendRest(httpA, alice, roomId, '@helper are you everywhere?', 'dq-1');
    for (const client of [onA, onB]) {
      const done = await client.waitFor(isDone, 20_000);
      const pieces = client.frames.filter((f) => f.type === 'chat.stream' && !f.done).map((f) => f.delta);
      expect(pieces).toEqual(['across', ' two', ' gateways']);
      expect(done).toMatchObject({ replyTo: question.messageId, seq: question.seq + 1 });
    }
    expect(fake.requests).toHaveLength(1);
    await expect.poll(() => headSeqOf(httpB, bob, roomId), { timeout: 10_000 }).toBe(question.seq + 1);
    await Promise.all([onA.close(), onB.close()]);
  }, 60_000);

  it("stops the answer from a cancel sent to the other gateway than the answering one's", async () => {
    fake.requests.length = 0;
    const onA = await WsTestClient.connectAs(gatewayA.baseUrl, alice.accessToken);
    const onB = await WsTestClient.connectAs(gatewayB.baseUrl, alice.accessToken);
    await onA.subscribe(roomId);
    await onB.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['a', 'b', 'c', 'd', 'e', 'f', 'g'], delayMs: 300 });
    const question = await sendRest(httpA, alice, roomId, '@helper tell me a long story', 'dq-2');
    await onA.waitFor((f) => f.type === 'chat.stream' && f.roomId === roomId, 20_000);
    // Whichever process answers, the cancel crosses the bus to it: one of the two sockets is on the other gateway.
    onB.send({ type: 'chat.stream.cancel', roomId, id: 'stop-b' });
    for (const client of [onA, onB]) expect(await client.waitFor(isDone, 20_000)).toMatchObject({ error: 'AI_ERROR' });
    await expect.poll(() => fake.requests[0]?.aborted, { timeout: 10_000 }).toBe(true);
    expect(await headSeqOf(httpA, alice, roomId)).toBe(question.seq);
    await Promise.all([onA.close(), onB.close()]);
  }, 60_000);
});
