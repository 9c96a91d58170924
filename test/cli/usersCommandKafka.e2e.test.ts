import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, quit, testKeyPrefix } from '../support/redis.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { runCli, type CliRun } from '../support/cliProcess.js';

// The distributed mode: the log in Kafka, the keys in Redis. `chat users …` sends its commands through the command
// processor (running in the server) like any api process would; an erasure's effect reaches the server's reads at
// once, because no process caches a key.


describeWithServices('chat users on the Kafka log with keys in Redis', ['KAFKA_BROKERS', 'REDIS_URL'], (env) => {
  const topic = `test.users.events.${randomUUID()}`;
  const keyPrefix = testKeyPrefix('users-cli');
  let server: TestServer;
  let client: HttpClient;
  let redis: Redis;
  const settings = (): Record<string, string> => ({
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_EVENTS_TOPIC: topic,
    KAFKA_CLIENT_ID: 'users-cli-test',
    KAFKA_PARTITIONS: '3',
    REDIS_URL: env('REDIS_URL'),
    REDIS_KEY_PREFIX: keyPrefix,
    PERSONAL_DATA_KEYS: 'redis',
    AUTH_RATE_LIMIT_PER_MINUTE: '100',
  });

  const chat = (args: string[]): Promise<CliRun> =>
    runCli(args, { ...settings(), DATA_DIR: server.dataDir, JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789' });

  beforeAll(async () => {
    server = await startTestServer(settings());
    client = new HttpClient(server.baseUrl);
    redis = await openRedis(env('REDIS_URL'));
  }, 60_000);

  afterAll(async () => {
    await server?.stop({ removeData: true });
    await deleteKeys(redis, keyPrefix);
    await quit(redis);
    const admin = new Kafka({ clientId: 'users-cli-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic, `${topic}.commands`, `${topic}.replies`] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('erases a sender through the command processor: the history view blanks their texts, keys live only in Redis', async () => {
    const alice = await signUp(client, 'alice');
    const bob = await signUp(client, 'bob');
    const roomId: string = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'k', kind: 'public' } })).body
      .room.roomId;
    await client.post(`/api/chat/rooms/${roomId}/join`, { token: bob.accessToken });
    expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'kafka secret', clientMessageId: 'a1' } })).status).toBe(201);
    expect((await client.post('/api/chat/send', { token: bob.accessToken, body: { roomId, text: 'bob here', clientMessageId: 'b1' } })).status).toBe(201);
    expect(await redis.exists(`${keyPrefix}keys:${alice.userId}`)).toBe(1);

    const erase = await chat(['users', 'erase', 'alice', '--json']);
    expect(erase.stderr).toBe('');
    expect(erase.code).toBe(0);
    expect(await redis.get(`${keyPrefix}keys:${alice.userId}`)).toBe('destroyed');

    let page = await client.get(`/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    for (let attempt = 0; attempt < 100 && !page.body.messages.some((m: { erased?: boolean }) => m.erased); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      page = await client.get(`/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    }
    expect(page.body.messages.map((m: { text: string; erased?: boolean }) => [m.text, m.erased ?? false])).toEqual([
      ['', true],
      ['bob here', false],
    ]);
    // The erasure closed her account: the CLI voided her tokens in the token store the server checks.
    const again = await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'back', clientMessageId: 'a2' } });
    expect(again.body.error?.code).toBe('ACCOUNT_ERASED');

    const grant = await chat(['users', 'grant', 'bob', 'analyst']);
    expect(grant.code).toBe(0);
    const login = await client.post('/api/auth/login', { body: { username: 'bob', password: STRONG_PASSWORD } });
    expect(login.body.user.role).toBe('analyst');
  }, 180_000);
});
