import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRoom, HttpClient, sendRest, signUp, type User } from '../support/chatFixture.js';
import { describeWithServices } from '../support/realServices.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// The whole service with EVENT_LOG=kafka on a real broker: one command's events land in several partitions
// (a registration writes the username claim and the user stream), the history projector follows all twelve, and
// read-your-writes still holds because callers wait for the last event of each partition they wrote to.

describeWithServices('the service on the Kafka event log', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.service.events.${randomUUID()}`;
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  const settings = (): Record<string, string> => ({
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_EVENTS_TOPIC: topic,
    KAFKA_CLIENT_ID: 'kafka-mode-test',
    AUTH_RATE_LIMIT_PER_MINUTE: '100',
  });

  beforeAll(async () => {
    server = await startTestServer(settings());
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  });

  afterAll(async () => {
    await server?.stop({ removeData: true });
    const admin = new Kafka({ clientId: 'kafka-mode-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('is healthy, with the head of each partition it has events in', async () => {
    const response = await http.get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body.checks.eventLog).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^head( \d+:\d+)+$/) });
    expect(response.body.checks.historyProjection).toMatchObject({ status: 'ok' });
  });

  it('reads its own writes across partitions and delivers them live over WebSocket', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await reader.subscribe(roomId);
    const sent = await sendRest(http, alice, roomId, 'over kafka', 'k-1');
    // Answered after the history view applied it, so the next read sees it.
    const page = await http.get(`/api/chat/rooms/${roomId}/messages?limit=10`, { token: bob.accessToken });
    expect(page.body.messages.map((message: { text: string }) => message.text)).toEqual(['over kafka']);
    expect(await reader.waitFor((frame) => frame.type === 'chat.event' && frame.seq === sent.seq)).toMatchObject({
      event: 'MessageSent',
      data: { text: 'over kafka' },
    });
    await reader.close();
    // A retried command finds its first outcome in the index instead of appending again.
    const again = await http.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: 'over kafka', clientMessageId: 'k-1' },
    });
    expect(again.status).toBe(200);
    expect(again.body.message.seq).toBe(sent.seq);
  });

  it('threads replies, resolves mentions and keeps blocks through the command processor (#17)', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const root = await sendRest(http, alice, roomId, 'root over kafka', 'k-root');
    const reply = await http.post('/api/chat/send', {
      token: bob.accessToken,
      body: { roomId, text: 'yes @alice', clientMessageId: 'k-reply', replyTo: root.messageId },
    });
    expect(reply.status).toBe(201);
    expect(reply.body.message).toMatchObject({ replyTo: root.messageId, threadId: root.messageId, mentions: [alice.userId] });
    const thread = await http.get(`/api/chat/messages/${encodeURIComponent(root.messageId)}/thread`, { token: alice.accessToken });
    expect(thread.body).toMatchObject({ root: { replyCount: 1 }, messages: [{ text: 'yes @alice' }] });
    expect((await http.get('/api/mentions', { token: alice.accessToken })).body.messages).toHaveLength(1);
    expect((await http.put(`/api/users/me/blocks/${bob.userId}`, { token: alice.accessToken })).status).toBe(204);
    expect((await http.get('/api/mentions', { token: alice.accessToken })).body.messages).toEqual([]);
    const direct = await http.post('/api/chat/rooms', { token: bob.accessToken, body: { name: 'dm', kind: 'direct', memberIds: [alice.userId] } });
    expect(direct.body.error?.code).toBe('BLOCKED');
    expect((await http.delete(`/api/users/me/blocks/${bob.userId}`, { token: alice.accessToken })).status).toBe(204);
  });

  it('comes back after a restart with its index and views, and goes on writing', async () => {
    const roomId = await createRoom(http, alice, 'public', { name: 'kept' });
    await sendRest(http, alice, roomId, 'before restart', 'r-1');
    const dataDir = server.dataDir;
    await server.stop();
    server = await startTestServer(settings(), dataDir);
    http = new HttpClient(server.baseUrl);
    const after = await sendRest(http, alice, roomId, 'after restart', 'r-2');
    expect(after.seq).toBe(4);
    const page = await http.get(`/api/chat/rooms/${roomId}/messages?limit=10`, { token: alice.accessToken });
    expect(page.body.messages.map((message: { text: string }) => message.text)).toEqual(['before restart', 'after restart']);
  });
});
