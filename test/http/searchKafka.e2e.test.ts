import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRoom, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { describeWithServices } from '../support/realServices.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Search on the Kafka event log: the room's stream and the users' streams land in different partitions of twelve,
// and the search projector (its own checkpoint per partition) still shows exactly what the caller may read now.

describeWithServices('search on the Kafka event log', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.search.events.${randomUUID()}`;
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    server = await startTestServer({
      EVENT_LOG: 'kafka',
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      KAFKA_EVENTS_TOPIC: topic,
      KAFKA_CLIENT_ID: 'search-kafka-test',
      AUTH_RATE_LIMIT_PER_MINUTE: '100',
    });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  });

  afterAll(async () => {
    await server?.stop({ removeData: true });
    const admin = new Kafka({ clientId: 'search-kafka-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  async function found(user: User, q: string, expected: number): Promise<string[]> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const response = await http.get(`/api/chat/search?q=${encodeURIComponent(q)}`, { token: user.accessToken });
      expect(response.status).toBe(200);
      const texts: string[] = response.body.messages.map((message: { text: string }) => message.text);
      if (texts.length === expected || Date.now() > deadline) return texts;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  it('finds messages of a private room for its members only, and forgets an edited-away text', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const sent = await sendRest(http, alice, roomId, 'gnu migration tonight', 'k-1');
    expect(await found(bob, 'migration', 1)).toEqual(['gnu migration tonight']);
    const carol = await signUp(http, 'carol');
    expect(await found(carol, 'migration', 0)).toEqual([]);
    const edit = await http.patch(`/api/chat/messages/${encodeURIComponent(sent.messageId)}`, { token: alice.accessToken, body: { text: 'gnu stays' } });
    expect(edit.status).toBe(200);
    expect(await found(bob, 'migration', 0)).toEqual([]);
    expect(await found(bob, 'stays', 1)).toEqual(['gnu stays']);
    const health = await http.get('/api/health');
    expect(health.body.checks.searchProjection).toMatchObject({ status: 'ok' });
  });
});
