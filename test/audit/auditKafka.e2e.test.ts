// The auditor's tools on the Kafka mode (issue #7 asks for both): the service on a real broker writes through the
// command processor, the audit API reads a room's raw chain and records the read, and `chat audit verify` and
// `chat audit export` run as separate processes reading the topic through their own index.

import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_ADMINISTRATOR, type UserAdministration } from '../../src/commands/user/userAdministration.js';
import { PRIVACY_TOKENS } from '../../src/composition/privacyBindings.js';
import { GENESIS_HASH } from '../../src/events/hashChain.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { describeWithServices } from '../support/realServices.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { runCli, type CliRun } from '../support/cliProcess.js';


describeWithServices('the auditor tools on the Kafka event log', ['KAFKA_BROKERS'], (env) => {
  const topic = `test.audit.events.${randomUUID()}`;
  const settings = (): Record<string, string> => ({
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_EVENTS_TOPIC: topic,
    KAFKA_CLIENT_ID: 'audit-kafka-test',
    AUTH_RATE_LIMIT_PER_MINUTE: '100',
  });
  let server: TestServer;
  let http: HttpClient;
  let roomId: string;
  let auditorToken: string;

  const chat = (args: string[]): Promise<CliRun> => runCli(args, { ...settings(), DATA_DIR: server.dataDir, LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    server = await startTestServer(settings());
    http = new HttpClient(server.baseUrl);
    const alice = await signUp(http, 'alice');
    await signUp(http, 'audrey');
    await (await server.server.service<UserAdministration>(PRIVACY_TOKENS.userAdministration)).grant(CLI_ADMINISTRATOR, 'audrey', 'auditor');
    auditorToken = (await http.post('/api/auth/login', { body: { username: 'audrey', password: STRONG_PASSWORD } })).body.accessToken;
    const room = await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } });
    roomId = room.body.room.roomId;
    for (const text of ['one', 'two']) {
      expect((await http.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text, clientMessageId: text } })).status).toBe(201);
    }
  }, 120_000);

  afterAll(async () => {
    await server?.stop({ removeData: true });
    const admin = new Kafka({ clientId: 'audit-kafka-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it("serves a room's raw chain and records the read in the auditor's stream", async () => {
    const page = await http.get(`/api/audit/streams/room-${roomId}/events`, { token: auditorToken });
    expect(page.status).toBe(200);
    const events: { type: string; previousHash: string; hash: string; partition: number }[] = page.body.events;
    expect(events.map((event) => event.type)).toEqual(['RoomCreated', 'MemberJoined', 'MessageSent', 'MessageSent']);
    expect(events[0]?.previousHash).toBe(GENESIS_HASH);
    for (let i = 1; i < events.length; i++) expect(events[i]?.previousHash).toBe(events[i - 1]?.hash);
    expect(new Set(events.map((event) => event.partition)).size).toBe(1);
  });

  it('verifies and exports from the topic as separate processes', { timeout: 180_000 }, async () => {
    const verified = await chat(['audit', 'verify']);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^OK: the event log: \d+ streams, \d+ events verified \(\d+ chained\)\n$/);

    const out = path.join(server.dataDir, 'export');
    const exported = await chat(['audit', 'export', '--room', roomId, '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--output', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(/^exported 4 events of room-/);
    const checked = await chat(['audit', 'verify', '--export', out]);
    expect(checked.code, checked.stderr).toBe(0);
    expect(checked.stdout).toMatch(/^OK: export of room-.*: 4 events, versions 1\.\.4/);
  });
});
