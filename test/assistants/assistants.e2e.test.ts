import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { createRoom, headSeqOf, HttpClient, sendRest, signUp, type User } from '../support/chatFixture.js';
import { STRONG_PASSWORD } from '../support/httpClient.js';
import { FakeOpenAi } from '../support/fakeOpenAi.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Assistants (issue #19) at the protocol level: the service over REST and WebSocket, the model a local server that
// speaks OpenAI's streaming wire format with scripted pieces, delays and failures (test/support/fakeOpenAi.ts).

const KEY = 'sk-e2e-secret-key';
const PROMPT = 'You are Helper. Answer in one short sentence.';
const TIMEOUT_MS = 1500;

let fake: FakeOpenAi;
let server: TestServer;
let http: HttpClient;
let root: User;
let alice: User;
let bob: User;
let helper: { userId: string; username: string };

async function makeAssistant(username: string, extra: Record<string, unknown> = {}): Promise<{ userId: string; username: string }> {
  const created = await http.post('/api/admin/assistants', { token: root.accessToken, body: { username, systemPrompt: PROMPT, ...extra } });
  if (created.status !== 201) throw new Error(`create assistant: ${created.status} ${JSON.stringify(created.body)}`);
  return created.body;
}

async function addMember(owner: User, roomId: string, userId: string): Promise<void> {
  const added = await http.post(`/api/chat/rooms/${roomId}/members`, { token: owner.accessToken, body: { userId } });
  if (added.status !== 200) throw new Error(`add member: ${added.status} ${JSON.stringify(added.body)}`);
}

/** A private room of alice and bob with the assistant in it. */
async function roomWithHelper(): Promise<string> {
  const roomId = await createRoom(http, alice, 'private', { members: [bob] });
  await addMember(alice, roomId, helper.userId);
  return roomId;
}

const streamOf = (client: WsTestClient, roomId: string): Frame[] => client.frames.filter((f) => f.type === 'chat.stream' && f.roomId === roomId);
const isDone = (roomId: string) => (f: Frame) => f.type === 'chat.stream' && f.roomId === roomId && f.done === true;

beforeAll(async () => {
  fake = await FakeOpenAi.start();
  server = await startTestServer({
    OPENAI_BASE_URL: fake.baseUrl,
    OPENAI_API_KEY: KEY,
    ASSISTANT_MODEL: 'gpt-e2e',
    ASSISTANT_TIMEOUT_MS: String(TIMEOUT_MS),
    ADMIN_USERNAMES: 'root',
    // alice asks many questions in a minute here: the send limit is not what this file tests.
    SEND_LIMIT_PER_SECOND: '100',
    SEND_LIMIT_PER_MINUTE: '1000',
  });
  http = new HttpClient(server.baseUrl);
  [root, alice, bob] = await Promise.all([signUp(http, 'root'), signUp(http, 'alice'), signUp(http, 'bob')]);
  helper = await makeAssistant('helper');
});
afterAll(async () => {
  await server.stop({ removeData: true });
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
  fake.setDefault({ kind: 'stream', pieces: ['Hello', ', ', 'world', '.'] });
});

describe('assistant accounts', () => {
  it('are created and changed by admins only, and a person is not one', async () => {
    const refused = await http.post('/api/admin/assistants', { token: alice.accessToken, body: { username: 'sneaky', systemPrompt: 'x' } });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
    const shown = await http.get(`/api/admin/assistants/${helper.userId}`, { token: root.accessToken });
    expect(shown.body).toEqual({
      userId: helper.userId,
      username: 'helper',
      kind: 'assistant',
      systemPrompt: PROMPT,
      model: '',
      effectiveModel: 'gpt-e2e',
      allowedRoomIds: [],
    });
    const other = await makeAssistant('tutor');
    const changed = await http.patch(`/api/admin/assistants/${other.userId}`, { token: root.accessToken, body: { model: 'llama3.1:8b' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ model: 'llama3.1:8b', effectiveModel: 'llama3.1:8b', systemPrompt: PROMPT });
    const person = await http.get(`/api/admin/assistants/${alice.userId}`, { token: root.accessToken });
    expect(person.status).toBe(404);
    expect(person.body.error.code).toBe('NOT_ASSISTANT');
    // An assistant limited to some rooms joins only those.
    const scoped = await makeAssistant('scoped', { allowedRoomIds: ['r-elsewhere'] });
    const roomId = await createRoom(http, alice, 'private');
    const refusedJoin = await http.post(`/api/chat/rooms/${roomId}/members`, { token: alice.accessToken, body: { userId: scoped.userId } });
    expect(refusedJoin.status).toBe(403);
    expect(refusedJoin.body.error.code).toBe('FORBIDDEN');
    await http.patch(`/api/admin/assistants/${scoped.userId}`, { token: root.accessToken, body: { allowedRoomIds: [roomId] } });
    await addMember(alice, roomId, scoped.userId);
    const taken = await http.post('/api/admin/assistants', { token: root.accessToken, body: { username: 'alice', systemPrompt: 'x' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('USERNAME_TAKEN');
  });
});

describe('an answer', () => {
  it('streams to every subscriber in order, then is stored as one ordinary message; the pieces are not in the log', async () => {
    const roomId = await roomWithHelper();
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await asker.subscribe(roomId);
    await reader.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['Four', ' is', ' the', ' answer.'], usage: { prompt_tokens: 40, completion_tokens: 4 } });
    const question = await sendRest(http, alice, roomId, '@helper what is 2 + 2?', 'q-1');

    for (const client of [asker, reader]) {
      const done = await client.waitFor(isDone(roomId));
      const frames = streamOf(client, roomId);
      expect(frames.filter((f) => !f.done).map((f) => f.delta)).toEqual(['Four', ' is', ' the', ' answer.']);
      expect(new Set(frames.map((f) => f.streamId)).size).toBe(1);
      expect(done).toMatchObject({ replyTo: question.messageId, senderId: helper.userId, delta: '', done: true, seq: question.seq + 1 });
      const stored = await client.waitFor((f) => f.type === 'chat.event' && f.event === 'MessageSent' && f.seq === done.seq);
      // An ordinary message: a reply to the question, in the question's thread (#17).
      expect(stored.data).toMatchObject({
        senderId: helper.userId,
        text: 'Four is the answer.',
        messageId: done.messageId,
        replyTo: question.messageId,
        threadId: question.messageId,
      });
    }
    // The question and the answer: two events, no piece.
    expect(await headSeqOf(http, alice, roomId)).toBe(question.seq + 1);
    // What it cost, as the server reported it, once, in the assistant's usage stream.
    const log = await server.server.service(TOKENS.eventLog);
    await expect
      .poll(async () => (await log.readStream(`assistant-usage-${helper.userId}`)).map((event) => event.data))
      .toContainEqual({
        assistantId: helper.userId,
        roomId,
        messageId: `${roomId}.${question.seq + 1}`,
        askerId: alice.userId,
        model: 'gpt-e2e',
        promptTokens: 40,
        completionTokens: 4,
      });
    const [request] = fake.requests;
    expect(request?.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body.model).toBe('gpt-e2e');
    expect(request?.body.messages?.[0]).toEqual({ role: 'system', content: PROMPT });
    expect(request?.body.messages?.at(-1)).toEqual({ role: 'user', content: 'alice: @helper what is 2 + 2?' });
    await Promise.all([asker.close(), reader.close()]);
  });

  it('gives a subscriber who joins mid-answer the text so far first, then the rest', async () => {
    const roomId = await roomWithHelper();
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['one ', 'two ', 'three ', 'four'], delayMs: 200 });
    await sendRest(http, alice, roomId, '@helper count', 'q-mid');
    await asker.waitForCount((f) => f.type === 'chat.stream' && f.roomId === roomId && !f.done, 2);
    const late = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await late.subscribe(roomId);
    await late.waitFor(isDone(roomId));
    const pieces = streamOf(late, roomId).filter((f) => !f.done).map((f) => f.delta);
    expect(pieces.join('')).toBe('one two three four');
    expect(pieces[0]?.startsWith('one two')).toBe(true);
    await Promise.all([asker.close(), late.close()]);
  });

  it('answers every message of a direct room with it, without a mention', async () => {
    const roomId = await createRoom(http, alice, 'direct', { members: [{ ...bob, userId: helper.userId }] });
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    await sendRest(http, alice, roomId, 'hi there', 'dm-1');
    const done = await asker.waitFor(isDone(roomId));
    expect(done.messageId).toBeDefined();
    await asker.close();
  });

  it('sends the thread as the context of a question asked in a thread, not the rest of the room', async () => {
    const roomId = await roomWithHelper();
    const root = await sendRest(http, bob, roomId, 'Where do we meet on Friday?', 'th-root');
    await sendRest(http, alice, roomId, 'Unrelated chatter in the room', 'th-other');
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    const asked = await http.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: '@helper what did bob ask?', clientMessageId: 'th-q', replyTo: root.messageId },
    });
    expect(asked.status).toBe(201);
    const done = await asker.waitFor(isDone(roomId));
    const stored = await asker.waitFor((f) => f.type === 'chat.event' && f.event === 'MessageSent' && f.seq === done.seq);
    // The answer replies to the question, so it stays in the question's thread, whose root is bob's message.
    expect(stored.data).toMatchObject({ replyTo: asked.body.message.messageId, threadId: root.messageId });
    const contents = fake.requests.at(-1)?.body.messages?.map((message) => message.content);
    expect(contents).toEqual([PROMPT, 'bob: Where do we meet on Friday?', 'alice: @helper what did bob ask?']);
    await asker.close();
  });

  it('is not given to a message that mentions nobody', async () => {
    const roomId = await roomWithHelper();
    await sendRest(http, alice, roomId, 'just chatting, helper is not called', 'plain-1');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(fake.requests).toHaveLength(0);
  });
});

describe('limits and failures', () => {
  it('refuses a second question while the first is answered (ALREADY_PROCESSING), to the asker only', async () => {
    const roomId = await roomWithHelper();
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['slow', ' answer'], delayMs: 400 });
    await sendRest(http, alice, roomId, '@helper first', 'busy-1');
    await asker.waitFor((f) => f.type === 'chat.stream' && f.roomId === roomId);
    await sendRest(http, alice, roomId, '@helper second', 'busy-2');
    const refused = await asker.errorFor('busy-2');
    expect(refused).toMatchObject({ code: 'ALREADY_PROCESSING' });
    await asker.waitFor(isDone(roomId));
    expect(fake.requests).toHaveLength(1);
    await asker.close();
  });

  it('stops the model request on chat.stream.cancel and stores nothing', async () => {
    const roomId = await roomWithHelper();
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['a', 'b', 'c', 'd', 'e', 'f'], delayMs: 200 });
    const question = await sendRest(http, alice, roomId, '@helper long story', 'cancel-1');
    await asker.waitFor((f) => f.type === 'chat.stream' && f.roomId === roomId);
    asker.send({ type: 'chat.stream.cancel', roomId, id: 'stop' });
    const ended = await asker.waitFor(isDone(roomId));
    expect(ended).toMatchObject({ error: 'AI_ERROR' });
    expect(ended.messageId).toBeUndefined();
    expect(await asker.errorFor('cancel-1')).toMatchObject({ code: 'AI_ERROR', details: { reason: 'cancelled' } });
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
    expect(await headSeqOf(http, alice, roomId)).toBe(question.seq);
    await asker.close();
  });

  it('times out an answer that takes too long (AI_TIMEOUT) and stores nothing', async () => {
    const roomId = await roomWithHelper();
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    fake.next({ kind: 'hang' });
    const question = await sendRest(http, alice, roomId, '@helper are you there?', 'slow-1');
    const error = await asker.errorFor('slow-1', TIMEOUT_MS + 5000);
    expect(error).toMatchObject({ code: 'AI_TIMEOUT', details: { timeoutMs: TIMEOUT_MS, messageId: question.messageId } });
    expect(await headSeqOf(http, alice, roomId)).toBe(question.seq);
    await asker.close();
  });

  it("reports a provider error as AI_ERROR with the provider's status, and neither the key nor the prompt", async () => {
    const roomId = await roomWithHelper();
    const asker = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await asker.subscribe(roomId);
    fake.next({ kind: 'error', status: 503, type: 'server_error', code: 'overloaded', message: `overloaded; key ${KEY}` });
    await sendRest(http, alice, roomId, '@helper hello', 'err-1');
    const error = await asker.errorFor('err-1');
    expect(error).toMatchObject({ code: 'AI_ERROR', details: { reason: 'provider-error', status: 503, code: 'overloaded' } });
    expect(JSON.stringify(error)).not.toContain(KEY);
    expect(JSON.stringify(error)).not.toContain(PROMPT);
    await asker.close();
  });

  it('gives an asker who was not subscribed the error when they next subscribe to the room', async () => {
    const roomId = await roomWithHelper();
    fake.next({ kind: 'error', status: 500, type: 'server_error', code: null, message: 'boom' });
    await sendRest(http, alice, roomId, '@helper anyone?', 'away-1');
    await expect.poll(() => fake.requests.length).toBe(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const back = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await back.subscribe(roomId);
    expect(await back.errorFor('away-1')).toMatchObject({ code: 'AI_ERROR', details: { status: 500 } });
    await back.close();
  });

  it('counts the tokens of answers in Prometheus', async () => {
    const metrics = await http.get('/metrics');
    expect(metrics.status).toBe(200);
    const text = String(metrics.body);
    expect(text).toMatch(/chat_assistant_tokens_total\{kind="prompt",model="gpt-e2e"\} \d+/);
    expect(text).toMatch(/chat_assistant_tokens_total\{kind="completion",model="gpt-e2e"\} \d+/);
    expect(text).toMatch(/chat_assistant_answers_total\{outcome="ALREADY_PROCESSING"\} 1/);
  });

  it('sums the tokens of stored answers in the analytics views, per assistant and model', async () => {
    const refused = await http.get('/api/analytics/assistants/tokens', { token: alice.accessToken });
    expect(refused.status).toBe(403);
    await expect
      .poll(async () => (await http.get('/api/analytics/assistants/tokens', { token: root.accessToken })).body.assistants)
      .toContainEqual(expect.objectContaining({ assistantId: helper.userId, model: 'gpt-e2e' }));
    const view = (await http.get('/api/analytics/assistants/tokens', { token: root.accessToken })).body;
    const helperRow = view.assistants.find((row: { assistantId: string }) => row.assistantId === helper.userId);
    // The first answer reported 40 + 4 tokens; every stored answer so far counts once.
    expect(helperRow.answers).toBeGreaterThanOrEqual(4);
    expect(helperRow.promptTokens).toBeGreaterThanOrEqual(40);
    expect(view.totalTokens).toBe(view.assistants.reduce((sum: number, row: { promptTokens: number; completionTokens: number }) => sum + row.promptTokens + row.completionTokens, 0));
  });

  it('reports assistants as configured in /api/health', async () => {
    const health = await http.get('/api/health');
    expect(JSON.stringify(health.body)).toContain('configured: model gpt-e2e');
  });
});

describe('budgets and configuration', () => {
  it('refuses questions over the daily request budget with RATE_LIMIT_EXCEEDED, and says so without a key', async () => {
    const limited = await startTestServer({
      OPENAI_BASE_URL: fake.baseUrl,
      OPENAI_API_KEY: KEY,
      ASSISTANT_USER_REQUESTS_PER_DAY: '1',
      ADMIN_USERNAMES: 'root',
    });
    const unconfigured = await startTestServer({ ADMIN_USERNAMES: 'root' });
    try {
      for (const [target, expected] of [
        [limited, 'RATE_LIMIT_EXCEEDED'],
        [unconfigured, 'AI_ERROR'],
      ] as const) {
        const client = new HttpClient(target.baseUrl);
        const [admin, asker] = await Promise.all([signUp(client, 'root'), signUp(client, 'alice')]);
        const created = await client.post('/api/admin/assistants', { token: admin.accessToken, body: { username: 'helper', systemPrompt: PROMPT } });
        const roomId = await createRoom(client, asker, 'private');
        await client.post(`/api/chat/rooms/${roomId}/members`, { token: asker.accessToken, body: { userId: created.body.userId } });
        const socket = await WsTestClient.connectAs(target.baseUrl, asker.accessToken);
        await socket.subscribe(roomId);
        await sendRest(client, asker, roomId, '@helper one', 'b-1');
        if (expected === 'RATE_LIMIT_EXCEEDED') {
          await socket.waitFor(isDone(roomId));
          await sendRest(client, asker, roomId, '@helper two', 'b-2');
          expect(await socket.errorFor('b-2')).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
        } else {
          expect(await socket.errorFor('b-1')).toMatchObject({ code: 'AI_ERROR', details: { reason: 'not-configured' } });
          const health = await client.get('/api/health');
          expect(JSON.stringify(health.body)).toContain('not configured');
        }
        await socket.close();
      }
    } finally {
      await limited.stop({ removeData: true });
      await unconfigured.stop({ removeData: true });
    }
  });

  it('stores nothing of an answer under way when the server shuts down, and tells the room and the asker', async () => {
    const stopping = await startTestServer({ OPENAI_BASE_URL: fake.baseUrl, OPENAI_API_KEY: KEY, ADMIN_USERNAMES: 'root' });
    const client = new HttpClient(stopping.baseUrl);
    const [admin, asker] = await Promise.all([signUp(client, 'root'), signUp(client, 'alice')]);
    const created = await client.post('/api/admin/assistants', { token: admin.accessToken, body: { username: 'helper', systemPrompt: PROMPT } });
    const roomId = await createRoom(client, asker, 'private');
    await client.post(`/api/chat/rooms/${roomId}/members`, { token: asker.accessToken, body: { userId: created.body.userId } });
    const socket = await WsTestClient.connectAs(stopping.baseUrl, asker.accessToken);
    await socket.subscribe(roomId);
    fake.next({ kind: 'stream', pieces: ['never', ' finished', ' answer'], delayMs: 500 });
    const question = await sendRest(client, asker, roomId, '@helper take your time', 'shut-1');
    await socket.waitFor((f) => f.type === 'chat.stream' && f.roomId === roomId);
    await stopping.stop();
    expect(socket.frames.find(isDone(roomId))).toMatchObject({ done: true, error: 'AI_ERROR' });
    expect(socket.frames.find((f) => f.type === 'chat.error' && f.ref === 'shut-1')).toMatchObject({ details: { reason: 'shutdown' } });
    // Started again on the same data: the question is the room's last message; no half answer was stored.
    const again = await startTestServer({ ADMIN_USERNAMES: 'root' }, stopping.dataDir);
    try {
      const login = await new HttpClient(again.baseUrl).post('/api/auth/login', { body: { username: 'alice', password: STRONG_PASSWORD } });
      expect(await headSeqOf(new HttpClient(again.baseUrl), { ...asker, accessToken: login.body.accessToken }, roomId)).toBe(question.seq);
    } finally {
      await again.stop({ removeData: true });
    }
  });
});

