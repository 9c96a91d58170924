import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createRoom, HttpClient, joinRoom, sendRest, signUp, type User } from '../support/chatFixture.js';
import { spawnChat, type ChatProcess } from '../support/chatProcess.js';
import { kafkaModeEnv, removeKafkaModeData } from '../support/kafkaMode.js';
import { describeWithServices } from '../support/realServices.js';
import { openRedis, testKeyPrefix } from '../support/redis.js';
import { uniqueSubjectPrefix } from '../support/schemaRegistry.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// The distributed mode as an operator runs it: separate `chat serve --roles ...` processes on one Kafka topic, one
// schema registry and one Redis, each with its own DATA_DIR. Two api and two gateway processes send their commands
// to a command-processor process (the single writer of every stream); the analytics projector runs in a process
// of its own (analytics in Redis, so no api process projects it). Each api and gateway process projects the
// history view into its own SQLite store (HISTORY_STORE=sqlite is process-local).

const FRAME_TIMEOUT_MS = 15_000;

describeWithServices('chat serve --roles: api and gateway processes scaled out', ['KAFKA_BROKERS', 'REDIS_URL', 'SCHEMA_REGISTRY_URL'], (env) => {
  const run = randomUUID();
  const topic = `test.roles.events.${run}`;
  const keyPrefix = testKeyPrefix('roles');
  const subjectPrefix = uniqueSubjectPrefix('roles');
  const dataDirs: string[] = [];
  const processes: ChatProcess[] = [];
  let apiA: HttpClient;
  let apiB: HttpClient;
  let gatewayA: ChatProcess;
  let gatewayB: ChatProcess;
  let alice: User;
  let bob: User;
  let roomId: string;
  let redis: Redis;

  const shared = (): Record<string, string> => ({
    ...kafkaModeEnv(env, { topic, clientId: `roles-test-${run.slice(0, 8)}`, subjectPrefix, keyPrefix }),
    // The one switch: it sets presence, typing, analytics and the personal-data keys to Redis (without the keys in
    // Redis the split roles would be refused), and agrees with what kafkaModeEnv sets explicitly.
    RUN_MODE: 'distributed',
    JWT_SECRET: 'roles-test-secret-that-is-long-enough-0123456789',
    ADMIN_USERNAMES: 'alice',
    AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    SEND_LIMIT_PER_SECOND: '100',
    SEND_LIMIT_PER_MINUTE: '1000',
  });

  function start(name: string, roles: string): Promise<ChatProcess> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `chat-roles-${name}-`));
    dataDirs.push(dataDir);
    return spawnChat(name, ['--roles', roles], { ...shared(), DATA_DIR: dataDir }).then((started) => {
      processes.push(started);
      return started;
    });
  }

  beforeAll(async () => {
    redis = await openRedis(env('REDIS_URL'));
    // The first process creates the topic; starting the others meanwhile would race it to the creation.
    const first = await start('api-a', 'api');
    const [second, third, fourth] = await Promise.all([
      start('api-b', 'api'),
      start('gateway-a', 'gateway'),
      start('gateway-b', 'gateway'),
      start('command-processor', 'command-processor'),
      start('projector-analytics', 'projector:analytics'),
    ]);
    apiA = new HttpClient(first.baseUrl);
    apiB = new HttpClient(second.baseUrl);
    gatewayA = third;
    gatewayB = fourth;
    alice = await signUp(apiA, 'alice');
    bob = await signUp(apiB, 'bob');
    roomId = await createRoom(apiA, alice, 'public', { name: 'across processes' });
    await joinRoom(apiB, bob, roomId);
  }, 120_000);

  afterAll(async () => {
    // Edges first, as an operator drains a deployment: their last commands (gathered receipts) still find the
    // processor, which then hands its partitions back and stops with the projector.
    const isEdge = (process: ChatProcess) => process.name.startsWith('api') || process.name.startsWith('gateway');
    const stopAll = (some: ChatProcess[]) => Promise.all(some.map(async (process) => [process.name, await process.stop()] as const));
    const codes = [...(await stopAll(processes.filter(isEdge))), ...(await stopAll(processes.filter((process) => !isEdge(process))))];
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
    await removeKafkaModeData(env, { run, keyPrefix, subjectPrefix, redis });
    // Every role stopped gracefully on SIGTERM.
    expect(Object.fromEntries(codes)).toEqual(Object.fromEntries(processes.map((process) => [process.name, 0])));
  }, 60_000);

  it('names its roles at start and answers health for exactly them', async () => {
    expect(processes.find((process) => process.name === 'gateway-b')?.output()).toMatch(/"roles":\["gateway"\].*"msg":"chat service listening"/);
    const api = await apiA.get('/api/health');
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ status: 'ok', roles: ['api'] });
    expect(Object.keys(api.body.checks)).toEqual(['eventLog', 'historyProjection', 'searchProjection']);
    const gateway = await new HttpClient(gatewayB.baseUrl).get('/api/health');
    expect(gateway.status).toBe(200);
    expect(gateway.body).toMatchObject({ roles: ['gateway'], checks: { gateway: { status: 'ok', detail: expect.stringMatching(/^\d+ connections$/) } } });
    const projector = processes.find((process) => process.name === 'projector-analytics');
    const analytics = await new HttpClient(projector?.baseUrl ?? '').get('/api/health');
    expect(analytics.status).toBe(200);
    expect(Object.keys(analytics.body.checks)).toEqual(['eventLog', 'analyticsProjection']);
    // The only processor: in the group, with a producer for each partition a command has come through.
    const processor = processes.find((process) => process.name === 'command-processor');
    const deciding = await new HttpClient(processor?.baseUrl ?? '').get('/api/health');
    expect(deciding.status).toBe(200);
    expect(deciding.body).toMatchObject({
      roles: ['command-processor'],
      checks: { commandProcessor: { status: 'ok', detail: expect.stringMatching(/^owns partitions \d+(,\d+)*$/) } },
    });
    expect(Object.keys(deciding.body.checks)).toEqual(['eventLog', 'commandProcessor']);
  });

  it('serves the REST API only in api processes and /ws only in gateway processes', async () => {
    expect((await new HttpClient(gatewayA.baseUrl).get('/api/auth/me', { token: alice.accessToken })).status).toBe(404);
    await expect(WsTestClient.connect(apiA.baseUrl)).rejects.toThrow(/handshake refused|Unexpected server response|socket hang up/);
  });

  it('lets a user registered and logged in through one api process use the other api process and either gateway', async () => {
    expect((await apiB.get('/api/auth/me', { token: alice.accessToken })).body.user.username).toBe('alice');
    // A refresh token issued by api A is rotated by api B: the token store is shared.
    const refreshed = await apiB.post('/api/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(refreshed.status).toBe(200);
    alice = { ...alice, accessToken: refreshed.body.accessToken, refreshToken: refreshed.body.refreshToken };
    const onB = await WsTestClient.connectAs(gatewayB.baseUrl, alice.accessToken);
    expect(await onB.subscribe(roomId)).toMatchObject({ type: 'room.subscribed', roomId });
    await onB.close();
  });

  it('delivers a message sent through api A (REST) and through gateway A (WebSocket) to a subscriber on gateway B', async () => {
    const reader = await WsTestClient.connectAs(gatewayB.baseUrl, bob.accessToken);
    await reader.subscribe(roomId);
    const overRest = await sendRest(apiA, alice, roomId, 'through api A', `rest-${run}`);
    expect(await reader.waitFor((frame) => frame.type === 'chat.event' && frame.seq === overRest.seq, FRAME_TIMEOUT_MS)).toMatchObject({
      event: 'MessageSent',
      data: { text: 'through api A', senderId: alice.userId },
    });

    const writer = await WsTestClient.connectAs(gatewayA.baseUrl, alice.accessToken);
    writer.send({ type: 'chat.send', roomId, text: 'through gateway A', clientMessageId: `ws-${run}` });
    const ack = await writer.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === `ws-${run}`, FRAME_TIMEOUT_MS);
    expect(ack.seq).toBe(overRest.seq + 1);
    expect(await reader.waitFor((frame) => frame.type === 'chat.event' && frame.seq === ack.seq, FRAME_TIMEOUT_MS)).toMatchObject({
      event: 'MessageSent',
      data: { text: 'through gateway A', messageId: ack.messageId },
    });
    await Promise.all([reader.close(), writer.close()]);
  });

  it('recovers across gateways: what was missed on gateway B arrives on gateway A, in order, once each', async () => {
    const onB = await WsTestClient.connectAs(gatewayB.baseUrl, bob.accessToken);
    await onB.subscribe(roomId);
    const before = await sendRest(apiA, alice, roomId, 'seen on B', `seen-${run}`);
    await onB.waitFor((frame) => frame.type === 'chat.event' && frame.seq === before.seq, FRAME_TIMEOUT_MS);
    const lastSeen = Math.max(...onB.events(roomId).map((frame: Frame) => Number(frame.seq)));
    await onB.close();

    // Missed while away: some through api B (REST), some through gateway A (WebSocket), one after another.
    const missed: number[] = [];
    for (let i = 1; i <= 3; i += 1) missed.push((await sendRest(apiB, alice, roomId, `missed ${i}`, `missed-${run}-${i}`)).seq);
    const sender = await WsTestClient.connectAs(gatewayA.baseUrl, alice.accessToken);
    for (let i = 4; i <= 5; i += 1) {
      sender.send({ type: 'chat.send', roomId, text: `missed ${i}`, clientMessageId: `missed-${run}-${i}` });
      missed.push((await sender.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === `missed-${run}-${i}`, FRAME_TIMEOUT_MS)).seq);
    }

    const onA = await WsTestClient.connectAs(gatewayA.baseUrl, bob.accessToken);
    const subscribed = await onA.subscribe(roomId, lastSeen);
    expect(subscribed).toMatchObject({ type: 'room.subscribed', headSeq: missed[missed.length - 1] });
    // And one more, live, after the subscription: it follows the replay with no gap.
    sender.send({ type: 'chat.send', roomId, text: 'live on A', clientMessageId: `live-${run}` });
    const live = await sender.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === `live-${run}`, FRAME_TIMEOUT_MS);
    await onA.waitFor((frame) => frame.type === 'chat.event' && frame.seq === live.seq, FRAME_TIMEOUT_MS);
    const received = onA.events(roomId).filter((frame: Frame) => frame.event === 'MessageSent');
    expect(received.map((frame: Frame) => frame.seq)).toEqual([...missed, live.seq]);
    expect(received.map((frame: Frame) => frame.data.text)).toEqual(['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5', 'live on A']);
    // Every seq after the one last seen, each once: the room's stream has nothing else in between.
    expect(onA.events(roomId).map((frame: Frame) => frame.seq)).toEqual(
      Array.from({ length: live.seq - lastSeen }, (_, index) => lastSeen + 1 + index),
    );
    await Promise.all([onA.close(), sender.close()]);
  });

  it('counts messages in the analytics projector process, read through an api process', async () => {
    // Nine messages were sent in the tests before; the projector:analytics process counts them into Redis.
    const deadline = Date.now() + FRAME_TIMEOUT_MS;
    let total = 0;
    while (Date.now() < deadline) {
      const response = await apiB.get(`/api/analytics/rooms/${roomId}/messages?granularity=hour`, { token: alice.accessToken });
      expect(response.status).toBe(200);
      total = response.body.total;
      if (total >= 9) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(total).toBe(9);
  });
});
