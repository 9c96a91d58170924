import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, HttpClient, sendRest, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// One write path: chat.send / chat.edit / chat.delete over the socket run the same use cases as REST, and
// whatever is written, by either edge, reaches every subscribed connection of every user.

const isEvent = (roomId: string, event: string, predicate: (frame: Frame) => boolean = () => true) => (frame: Frame) =>
  frame.type === 'chat.event' && frame.roomId === roomId && frame.event === event && predicate(frame);

describe('messages over the WebSocket', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let sockets: { alice1: WsTestClient; alice2: WsTestClient; bob1: WsTestClient; bob2: WsTestClient; carol: WsTestClient };
  let all: WsTestClient[];

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
    roomId = await createRoom(http, alice, 'private', { members: [bob, carol] });
    sockets = {
      alice1: await WsTestClient.connectAs(server.baseUrl, alice.accessToken),
      alice2: await WsTestClient.connectAs(server.baseUrl, alice.accessToken),
      bob1: await WsTestClient.connectAs(server.baseUrl, bob.accessToken),
      bob2: await WsTestClient.connectAs(server.baseUrl, bob.accessToken),
      carol: await WsTestClient.connectAs(server.baseUrl, carol.accessToken),
    };
    all = Object.values(sockets);
    for (const socket of all) expect((await socket.subscribe(roomId)).type).toBe('room.subscribed');
  });
  afterAll(async () => {
    await Promise.all(all.map((socket) => socket.close()));
    await server.stop({ removeData: true });
  });

  it('acks chat.send with messageId and seq, and delivers the event to every connection of every member', async () => {
    sockets.alice1.send({ type: 'chat.send', roomId, text: 'hello over ws', clientMessageId: 'ws-1' });
    const ack = await sockets.alice1.waitFor((frame) => frame.type === 'chat.ack' && frame.clientMessageId === 'ws-1');
    expect(ack).toEqual({ type: 'chat.ack', clientMessageId: 'ws-1', messageId: `${roomId}.${ack.seq}`, seq: expect.any(Number), ref: 'ws-1' });

    for (const socket of all) {
      const event = await socket.waitFor(isEvent(roomId, 'MessageSent', (frame) => frame.seq === ack.seq));
      expect(event).toEqual({
        type: 'chat.event',
        roomId,
        seq: ack.seq,
        event: 'MessageSent',
        data: {
          roomId,
          messageId: ack.messageId,
          senderId: alice.userId,
          text: 'hello over ws',
          clientMessageId: 'ws-1',
          occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          actorId: alice.userId,
        },
      });
    }
  });

  it('delivers a message sent over REST to the WebSocket subscribers', async () => {
    const message = await sendRest(http, bob, roomId, 'hello over rest', 'rest-1');
    for (const socket of all) {
      const event = await socket.waitFor(isEvent(roomId, 'MessageSent', (frame) => frame.seq === message.seq));
      expect(event.data).toMatchObject({ text: 'hello over rest', senderId: bob.userId });
    }
  });

  it('returns the first ack for a retried clientMessageId and appends nothing', async () => {
    sockets.carol.send({ type: 'chat.send', roomId, text: 'once', clientMessageId: 'retry-1' });
    const first = await sockets.carol.waitFor((frame) => frame.type === 'chat.ack' && frame.clientMessageId === 'retry-1');
    sockets.carol.send({ type: 'chat.send', roomId, text: 'twice?', clientMessageId: 'retry-1' });
    const acks = await sockets.carol.waitForCount((frame) => frame.type === 'chat.ack' && frame.clientMessageId === 'retry-1', 2);
    expect(acks[1]).toEqual(first);
    // A later message proves the hub has passed the point where a duplicate would have been.
    const later = await sendRest(http, bob, roomId, 'later', 'rest-later');
    await sockets.bob1.waitFor(isEvent(roomId, 'MessageSent', (frame) => frame.seq === later.seq));
    expect(sockets.bob1.events(roomId).filter((frame) => frame.data.clientMessageId === 'retry-1')).toHaveLength(1);
  });

  it('edits and deletes over the socket; the delete event carries no text', async () => {
    sockets.alice2.send({ type: 'chat.send', roomId, text: 'to be edited', clientMessageId: 'ws-edit' });
    const sent = await sockets.alice2.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === 'ws-edit');

    sockets.alice2.send({ type: 'chat.edit', messageId: sent.messageId, text: 'edited', id: 'e-1' });
    const editAck = await sockets.alice2.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === 'e-1');
    expect(editAck).toEqual({ type: 'chat.ack', messageId: sent.messageId, seq: sent.seq, ref: 'e-1' });
    const edited = await sockets.bob2.waitFor(isEvent(roomId, 'MessageEdited', (frame) => frame.data.messageId === sent.messageId));
    expect(edited.data).toMatchObject({ text: 'edited', editedBy: alice.userId, actorId: alice.userId });
    expect(edited.seq).toBeGreaterThan(sent.seq);

    sockets.alice2.send({ type: 'chat.delete', messageId: sent.messageId, id: 'd-1' });
    expect(await sockets.alice2.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === 'd-1')).toEqual({
      type: 'chat.ack',
      messageId: sent.messageId,
      seq: sent.seq,
      ref: 'd-1',
    });
    const deleted = await sockets.carol.waitFor(isEvent(roomId, 'MessageDeleted', (frame) => frame.data.messageId === sent.messageId));
    expect(deleted.data).toEqual({
      roomId,
      messageId: sent.messageId,
      deletedBy: alice.userId,
      occurredAt: expect.any(String),
      actorId: alice.userId,
    });
    expect(JSON.stringify(deleted)).not.toContain('edited');
  });

  it('answers refused commands with the domain code and the frame ref, as REST would', async () => {
    const outsider = await signUp(http, 'outsider');
    const outsiderSocket = await WsTestClient.connectAs(server.baseUrl, outsider.accessToken);
    const bobsMessage = await sendRest(http, bob, roomId, 'bob says', 'rest-bob');

    sockets.alice1.send({ type: 'chat.send', roomId, text: '   ', clientMessageId: 'blank' });
    sockets.alice1.send({ type: 'chat.send', roomId, text: 'x'.repeat(1001), clientMessageId: 'long' });
    sockets.alice1.send({ type: 'chat.edit', messageId: bobsMessage.messageId, text: 'not mine', id: 'edit-other' });
    sockets.alice1.send({ type: 'chat.delete', messageId: `${roomId}.99999`, id: 'del-missing' });
    sockets.alice1.send({ type: 'chat.delete', messageId: 'garbage', id: 'del-garbage' });
    outsiderSocket.send({ type: 'chat.send', roomId, text: 'let me in', clientMessageId: 'intruder' });

    expect((await sockets.alice1.errorFor('blank')).code).toBe('EMPTY_CONTENT');
    expect((await sockets.alice1.errorFor('long')).code).toBe('MESSAGE_TOO_LONG');
    expect((await sockets.alice1.errorFor('edit-other')).code).toBe('NOT_SENDER');
    expect((await sockets.alice1.errorFor('del-missing')).code).toBe('NO_MESSAGE');
    expect((await sockets.alice1.errorFor('del-garbage')).code).toBe('NO_MESSAGE');
    expect((await outsiderSocket.errorFor('intruder')).code).toBe('NOT_MEMBER');
    // The connection is still good after every refusal.
    sockets.alice1.send({ type: 'chat.send', roomId, text: 'still here', clientMessageId: 'after-errors' });
    await sockets.alice1.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === 'after-errors');
    await outsiderSocket.close();
  });

  it('does not deliver anything of the room to a user who is not subscribed to it', async () => {
    const dave = await signUp(http, 'dave');
    const daveSocket = await WsTestClient.connectAs(server.baseUrl, dave.accessToken);
    const message = await sendRest(http, alice, roomId, 'not for dave', 'not-dave');
    await sockets.carol.waitFor(isEvent(roomId, 'MessageSent', (frame) => frame.seq === message.seq));
    await daveSocket.barrier();
    expect(daveSocket.frames.filter((frame) => frame.type === 'chat.event')).toEqual([]);
    await daveSocket.close();
  });
});

describe('the send rate limit is shared by REST and the WebSocket', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '100', SEND_LIMIT_PER_MINUTE: '3' });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('refuses the fourth message of the minute with RATE_LIMIT_EXCEEDED, wherever the first three came from', async () => {
    const http = new HttpClient(server.baseUrl);
    const erin = await signUp(http, 'erin');
    const roomId = await createRoom(http, erin, 'public');
    await sendRest(http, erin, roomId, 'one', 'r-1');
    await sendRest(http, erin, roomId, 'two', 'r-2');
    const socket = await WsTestClient.connectAs(server.baseUrl, erin.accessToken);
    socket.send({ type: 'chat.send', roomId, text: 'three', clientMessageId: 'w-3' });
    await socket.waitFor((frame) => frame.type === 'chat.ack' && frame.ref === 'w-3');
    socket.send({ type: 'chat.send', roomId, text: 'four', clientMessageId: 'w-4' });
    const error = await socket.errorFor('w-4');
    expect(error).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED', details: { retryAfterSeconds: expect.any(Number) } });
    const rest = await http.post('/api/chat/send', { token: erin.accessToken, body: { roomId, text: 'five', clientMessageId: 'r-5' } });
    expect(rest.status).toBe(429);
    await socket.close();
  });
});
