import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { deliveriesStreamId, receiptsStreamId } from '../../src/domain/ids.js';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { createRoom, HttpClient, sendRest, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// The hooks into presence and receipts: the gateway reports connections and deliveries, and pushes the resulting
// changes to the subscribers of the rooms concerned.

const presenceOf = (userId: string, online: boolean) => (frame: Frame) =>
  frame.type === 'presence' && frame.userId === userId && frame.online === online;

describe('presence pushed to room subscribers', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer({ WS_PING_INTERVAL_MS: '200' });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
    roomId = await createRoom(http, alice, 'private', { members: [bob] });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('tells subscribers of a shared room when a user comes online and when their last connection goes', async () => {
    const watcher = await WsTestClient.connectAs(server.baseUrl, alice.accessToken, { answerPings: true });
    await watcher.subscribe(roomId);

    const bobPhone = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const online = await watcher.waitFor(presenceOf(bob.userId, true));
    expect(online).toEqual({ type: 'presence', userId: bob.userId, online: true, lastSeenAt: expect.stringMatching(/^\d{4}-/) });

    // A second connection is not news, nor is closing one of two.
    const bobLaptop = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await bobPhone.close();
    await watcher.barrier();
    expect(watcher.frames.filter((frame) => frame.type === 'presence')).toHaveLength(1);

    // The last one is; here it is dropped for not answering pings, as a vanished client would be.
    expect((await bobLaptop.closed).code).toBe(CLOSE_CODES.PING_TIMEOUT);
    const offline = await watcher.waitFor(presenceOf(bob.userId, false));
    expect(Date.parse(offline.lastSeenAt)).toBeGreaterThanOrEqual(Date.parse(online.lastSeenAt));
    await watcher.close();
  });
});

describe('receipts', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;

  beforeAll(async () => {
    server = await startTestServer();
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('shows the sender delivered when the message reaches the reader, and read after chat.read', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const sender = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await sender.subscribe(roomId);
    await reader.subscribe(roomId);

    const message = await sendRest(http, alice, roomId, 'did you get this?', 'r-1');
    await reader.waitFor((frame) => frame.type === 'chat.event' && frame.seq === message.seq);
    const delivered = await sender.waitFor((frame) => frame.type === 'chat.receipt' && frame.kind === 'delivered');
    expect(delivered).toEqual({ type: 'chat.receipt', roomId, userId: bob.userId, kind: 'delivered', seq: message.seq });
    // Recorded once for the room, by the gateway, and nothing in bob's own stream: deliveries cost per room.
    const log = await server.server.service(TOKENS.eventLog);
    const reports = await log.readStream(deliveriesStreamId(roomId));
    expect(reports.map((event) => [event.type, event.metadata.actorId, event.data])).toEqual([
      ['DeliveriesRecorded', 'system:gateway', { roomId, markers: [{ userId: bob.userId, seq: message.seq }] }],
    ]);
    expect(await log.streamVersion(receiptsStreamId(bob.userId))).toBe(0);
    // The REST view follows the log on its own projector, which may be a moment behind the hub.
    const markers = async () => (await http.get(`/api/chat/rooms/${roomId}/receipts`, { token: alice.accessToken })).body.receipts;
    await expect.poll(markers).toContainEqual({ userId: bob.userId, deliveredSeq: message.seq, readSeq: 0 });

    const before = await http.get('/api/chat/rooms', { token: bob.accessToken });
    expect(before.body.rooms.find((room: { roomId: string }) => room.roomId === roomId).unreadCount).toBe(1);

    reader.send({ type: 'chat.read', roomId, seq: message.seq, id: 'read-1' });
    const read = await sender.waitFor((frame) => frame.type === 'chat.receipt' && frame.kind === 'read');
    expect(read).toEqual({ type: 'chat.receipt', roomId, userId: bob.userId, kind: 'read', seq: message.seq });
    const after = await http.get('/api/chat/rooms', { token: bob.accessToken });
    expect(after.body.rooms.find((room: { roomId: string }) => room.roomId === roomId).unreadCount).toBe(0);
    expect(reader.frames.filter((frame) => frame.type === 'chat.error')).toEqual([]);
    await Promise.all([sender.close(), reader.close()]);
  });

  it("tells only the message's sender, not every member, of another member's receipts", async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob, carol] });
    const sender = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const bystander = await WsTestClient.connectAs(server.baseUrl, carol.accessToken);
    await Promise.all([sender.subscribe(roomId), reader.subscribe(roomId), bystander.subscribe(roomId)]);

    const message = await sendRest(http, alice, roomId, 'for alice to track', 'r-2');
    reader.send({ type: 'chat.read', roomId, seq: message.seq, id: 'read-2' });
    const read = await sender.waitFor(
      (frame) => frame.type === 'chat.receipt' && frame.kind === 'read' && frame.userId === bob.userId,
    );
    expect(read.seq).toBe(message.seq);
    // Carol's own receipts for alice's message go to alice too; carol hears of nobody's.
    await sender.waitFor((frame) => frame.type === 'chat.receipt' && frame.userId === carol.userId);
    // A marker frame after the receipts: anything carol was sent before it has arrived by now.
    const last = await sendRest(http, bob, roomId, 'ordering marker', 'r-3');
    await bystander.waitFor((frame) => frame.type === 'chat.event' && frame.seq === last.seq);
    expect(bystander.frames.filter((frame) => frame.type === 'chat.receipt' && frame.userId !== carol.userId)).toEqual([]);
    await Promise.all([sender.close(), reader.close(), bystander.close()]);
  });

  it('refuses chat.read beyond the room head with VALIDATION_FAILED', async () => {
    const roomId = await createRoom(http, alice, 'public');
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    client.send({ type: 'chat.read', roomId, seq: 999, id: 'too-far' });
    expect((await client.errorFor('too-far')).code).toBe('VALIDATION_FAILED');
    await client.close();
  });
});
