import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chainFieldsThrough, storedEventReaderOf } from '../../src/audit/storedEventReaders.js';
import { verifyLog } from '../../src/audit/verifyLog.js';
import { CLI_ADMINISTRATOR, type UserAdministration } from '../../src/commands/user/userAdministration.js';
import { PRIVACY_TOKENS } from '../../src/composition/privacyBindings.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { GENESIS_HASH } from '../../src/events/hashChain.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The audit API over real HTTP: raw events with their chain, every version of a message (the deleted text
// included), each read recorded in the log before the answer; everyone but auditors refused, bad input refused.

describe('audit API over REST', () => {
  let server: TestServer;
  let http: HttpClient;
  let admin: Awaited<ReturnType<typeof signUp>>;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let auditor: { userId: string; accessToken: string };
  let roomId: string;
  let messageId: string;

  /** The AuditLogRead events in an auditor's stream, read from the log itself. */
  const auditReads = async (userId: string) => {
    const log = await server.server.service(TOKENS.eventLog);
    return (await log.readStream(`audit-${userId}`)).flatMap((event) => (event.type === 'AuditLogRead' ? [event.data] : []));
  };

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_USERNAMES: 'boss' });
    http = new HttpClient(server.baseUrl);
    admin = await signUp(http, 'boss');
    alice = await signUp(http, 'alice');
    // An auditor as an admin makes one: a registered user granted the role; the next login carries it.
    const audrey = await signUp(http, 'audrey');
    const admins = await server.server.service<UserAdministration>(PRIVACY_TOKENS.userAdministration);
    await admins.grant(CLI_ADMINISTRATOR, 'audrey', 'auditor');
    const login = await http.post('/api/auth/login', { body: { username: 'audrey', password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    auditor = { userId: audrey.userId, accessToken: login.body.accessToken };

    const room = await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } });
    roomId = room.body.room.roomId;
    const sent = await http.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: 'the original words', clientMessageId: 'c-1' },
    });
    messageId = sent.body.message.messageId;
    expect((await http.patch(`/api/chat/messages/${messageId}`, { token: alice.accessToken, body: { text: 'second thoughts' } })).status).toBe(200);
    expect((await http.delete(`/api/chat/messages/${messageId}`, { token: alice.accessToken })).status).toBe(204);
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it("pages a stream's raw events with positions, previousHash and each event's own hash, and records the read", async () => {
    const first = await http.get(`/api/audit/streams/room-${roomId}/events?limit=2`, { token: auditor.accessToken });
    expect(first.status).toBe(200);
    expect(first.body.events.map((event: { type: string }) => event.type)).toEqual(['RoomCreated', 'MemberJoined']);
    expect(first.body.nextFromVersion).toBe(3);
    const [created, joined] = first.body.events;
    expect(created).toMatchObject({ streamId: `room-${roomId}`, streamVersion: 1, partition: 0, previousHash: GENESIS_HASH });
    expect(created.position).toBeGreaterThan(0);
    expect(created.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(joined.previousHash).toBe(created.hash);

    const rest = await http.get(`/api/audit/streams/room-${roomId}/events?fromVersion=3&limit=100`, { token: auditor.accessToken });
    expect(rest.body.events.map((event: { type: string }) => event.type)).toEqual(['MessageSent', 'MessageEdited', 'MessageDeleted']);
    expect(rest.body.events[0].previousHash).toBe(joined.hash);
    expect(rest.body.events[0].data).toMatchObject({ text: 'the original words', senderId: alice.userId });
    expect(rest.body.nextFromVersion).toBeNull();

    expect(await auditReads(auditor.userId)).toEqual([
      { auditorId: auditor.userId, kind: 'streamEvents', streamId: `room-${roomId}`, messageId: null, fromVersion: 1, limit: 2, returned: 2 },
      { auditorId: auditor.userId, kind: 'streamEvents', streamId: `room-${roomId}`, messageId: null, fromVersion: 3, limit: 100, returned: 3 },
    ]);
  });

  it('redacts password hashes from user streams', async () => {
    const user = await http.get(`/api/audit/streams/user-${alice.userId}/events`, { token: auditor.accessToken });
    expect(user.status).toBe(200);
    expect(user.body.events[0]).toMatchObject({ type: 'UserRegistered', data: { username: 'alice', passwordHash: '[redacted]' } });
  });

  it('shows every version of a deleted message from the log, the texts included', async () => {
    const before = (await auditReads(auditor.userId)).length;
    const versions = await http.get(`/api/audit/messages/${messageId}/versions`, { token: auditor.accessToken });
    expect(versions.status).toBe(200);
    expect(versions.body).toMatchObject({ messageId, roomId });
    expect(
      versions.body.versions.map((v: { kind: string; text: string | null; by: string }) => [v.kind, v.text, v.by]),
    ).toEqual([
      ['sent', 'the original words', alice.userId],
      ['edited', 'second thoughts', alice.userId],
      ['deleted', null, alice.userId],
    ]);
    // The history view, by contrast, no longer shows the text.
    const history = await http.get(`/api/chat/rooms/${roomId}/messages`, { token: alice.accessToken });
    expect(JSON.stringify(history.body)).not.toContain('the original words');

    const reads = await auditReads(auditor.userId);
    expect(reads).toHaveLength(before + 1);
    expect(reads.at(-1)).toEqual({
      auditorId: auditor.userId,
      kind: 'messageVersions',
      streamId: `room-${roomId}`,
      messageId,
      fromVersion: 1,
      limit: 0,
      returned: 3,
    });
  });

  it('refuses everyone but auditors with 403 FORBIDDEN, admins included, and records nothing for them', async () => {
    for (const who of [alice, admin]) {
      for (const path of [`/api/audit/streams/room-${roomId}/events`, `/api/audit/messages/${messageId}/versions`]) {
        const refused = await http.get(path, { token: who.accessToken });
        expect(refused.status, path).toBe(403);
        expect(refused.body.error.code).toBe('FORBIDDEN');
      }
      expect(await auditReads(who.userId)).toEqual([]);
    }
    expect((await http.get(`/api/audit/streams/room-${roomId}/events`)).status).toBe(401);
  });

  it('refuses bad input with 400 VALIDATION_FAILED (and an unknown message with 404 NO_MESSAGE), recording nothing', async () => {
    const before = (await auditReads(auditor.userId)).length;
    for (const path of [
      `/api/audit/streams/room-${roomId}/events?limit=0`,
      `/api/audit/streams/room-${roomId}/events?limit=1001`,
      `/api/audit/streams/room-${roomId}/events?fromVersion=0`,
      `/api/audit/streams/room-${roomId}/events?fromVersion=abc`,
      `/api/audit/streams/room-${roomId}/events?unknown=1`,
      '/api/audit/messages/no-seq/versions',
      `/api/audit/messages/${roomId}.0/versions`,
    ]) {
      const refused = await http.get(path, { token: auditor.accessToken });
      expect(refused.status, path).toBe(400);
      expect(refused.body.error.code, path).toBe('VALIDATION_FAILED');
    }
    const missing = await http.get(`/api/audit/messages/${roomId}.999/versions`, { token: auditor.accessToken });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NO_MESSAGE');
    expect(await auditReads(auditor.userId)).toHaveLength(before);
  });

  it("shows an erased author's texts as erased while every hash chain still verifies", async () => {
    const admins = await server.server.service<UserAdministration>(PRIVACY_TOKENS.userAdministration);
    await admins.erase(CLI_ADMINISTRATOR, 'alice');
    const versions = await http.get(`/api/audit/messages/${messageId}/versions`, { token: auditor.accessToken });
    expect(versions.status).toBe(200);
    expect(versions.body.versions.map((v: { kind: string; text: string | null; erased: boolean }) => [v.kind, v.text, v.erased])).toEqual([
      ['sent', null, true],
      ['edited', null, true],
      ['deleted', null, false],
    ]);
    expect(JSON.stringify(versions.body)).not.toContain('the original words');

    const log = await server.server.service(TOKENS.eventLog);
    const reader = storedEventReaderOf(log);
    if (reader === undefined) throw new Error('the service log has no stored reader');
    const verified = await verifyLog(reader, chainFieldsThrough(await server.server.service(TOKENS.codec)));
    expect(verified.ok).toBe(true);
    expect(verified.counts.events).toBeGreaterThan(10);
  });

  it('documents the audit routes in the OpenAPI document', async () => {
    const docs = await http.get('/api/openapi.json');
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining(['/api/audit/streams/{streamId}/events', '/api/audit/messages/{messageId}/versions']),
    );
  });
});
