import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, headSeqOf, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Room settings over real HTTP and WebSocket (API.md "Conversations"): PATCH /api/chat/rooms/{roomId} {name?, topic?}
// by the owner or a moderator, answered with the room, recorded as RoomRenamed / RoomTopicChanged and pushed live.

const isEvent = (roomId: string, event: string) => (frame: Frame) =>
  frame.type === 'chat.event' && frame.roomId === roomId && frame.event === event;

describe('room settings over REST, live over the WebSocket', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let bobSocket: WsTestClient;

  beforeAll(async () => {
    server = await startTestServer();
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
    roomId = await createRoom(http, alice, 'private', { name: 'Team', members: [bob] });
    bobSocket = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    expect((await bobSocket.subscribe(roomId)).type).toBe('room.subscribed');
  });
  afterAll(async () => {
    await bobSocket.close();
    await server.stop({ removeData: true });
  });

  it('renames the room and sets its topic, answers the room, and pushes both events live to another member', async () => {
    const response = await http.patch(`/api/chat/rooms/${roomId}`, {
      token: alice.accessToken,
      body: { name: '  Core   team ', topic: 'Ship it 🚀' },
    });
    expect(response.status).toBe(200);
    expect(response.body.room).toMatchObject({ roomId, name: 'Core team', topic: 'Ship it 🚀', myRole: 'owner' });

    const renamed = await bobSocket.waitFor(isEvent(roomId, 'RoomRenamed'));
    expect(renamed.data).toEqual({
      roomId,
      name: 'Core team',
      renamedBy: alice.userId,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      actorId: alice.userId,
    });
    const topic = await bobSocket.waitFor(isEvent(roomId, 'RoomTopicChanged'));
    expect(topic.data).toMatchObject({ roomId, topic: 'Ship it 🚀', changedBy: alice.userId });
    expect(topic.seq).toBe(renamed.seq + 1);

    // Every read of the room shows it.
    const read = await http.get(`/api/chat/rooms/${roomId}`, { token: bob.accessToken });
    expect(read.body.room).toMatchObject({ name: 'Core team', topic: 'Ship it 🚀', myRole: 'member' });
    const mine = await http.get('/api/chat/rooms', { token: bob.accessToken });
    expect(mine.body.rooms.find((room: { roomId: string }) => room.roomId === roomId)).toMatchObject({ topic: 'Ship it 🚀' });
  });

  it('records nothing when nothing changes, and lets a moderator clear the topic', async () => {
    const head = await headSeqOf(http, alice, roomId);
    const same = await http.patch(`/api/chat/rooms/${roomId}`, { token: alice.accessToken, body: { name: 'Core team' } });
    expect(same.status).toBe(200);
    expect(await headSeqOf(http, alice, roomId)).toBe(head);

    expect((await http.patch(`/api/chat/rooms/${roomId}/members/${bob.userId}`, { token: alice.accessToken, body: { role: 'moderator' } })).status).toBe(200);
    const cleared = await http.patch(`/api/chat/rooms/${roomId}`, { token: bob.accessToken, body: { topic: '' } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.room).toMatchObject({ name: 'Core team', topic: '', myRole: 'moderator' });
  });

  it('answers FORBIDDEN, NOT_MEMBER, NO_ROOM and VALIDATION_FAILED with the standard error body', async () => {
    const direct = await createRoom(http, alice, 'direct', { members: [carol] });
    const refusals: Array<[string, User, unknown, number, string]> = [
      [direct, alice, { topic: 'us' }, 403, 'FORBIDDEN'],
      [roomId, carol, { name: 'Mine' }, 403, 'NOT_MEMBER'],
      ['no-such-room', alice, { name: 'Mine' }, 404, 'NO_ROOM'],
      [roomId, alice, { name: '' }, 400, 'VALIDATION_FAILED'],
      [roomId, alice, { topic: 'two\nlines' }, 400, 'VALIDATION_FAILED'],
      [roomId, alice, { topic: 'x'.repeat(251) }, 400, 'VALIDATION_FAILED'],
      [roomId, alice, { owner: 'me' }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [room, user, body, status, code] of refusals) {
      const response = await http.patch(`/api/chat/rooms/${room}`, { token: user.accessToken, body });
      expect(response.status, JSON.stringify(body)).toBe(status);
      expect(response.body.error.code, JSON.stringify(body)).toBe(code);
    }
    // A plain member may not: carol is added, then refused.
    const group = await createRoom(http, alice, 'private', { name: 'Group', members: [carol] });
    const member = await http.patch(`/api/chat/rooms/${group}`, { token: carol.accessToken, body: { name: 'Mine' } });
    expect(member.status).toBe(403);
    expect(member.body.error.code).toBe('FORBIDDEN');
  });
});
