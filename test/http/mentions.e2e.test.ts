import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Mentions over real HTTP and WebSocket (API.md "Conversations", #17): `@username` resolved against the room's
// members when sent, `mentions` on the message and its chat.event, `mentionCount` beside `unreadCount` in the room
// list, and GET /api/mentions newest first.

describe('mentions over REST and the WebSocket', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let dave: User;
  let roomId: string;

  const myRoom = async (user: User) => {
    const rooms = await http.get('/api/chat/rooms', { token: user.accessToken });
    return rooms.body.rooms.find((room: { roomId: string }) => room.roomId === roomId);
  };
  const mentionsOf = async (user: User, query = '') => http.get(`/api/mentions${query}`, { token: user.accessToken });

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol, dave] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol'), signUp(http, 'dave')]);
    roomId = await createRoom(http, alice, 'private', { name: 'Team', members: [bob, carol] });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('mentions the members named, counts them per room, lists them newest first, and pushes them live', async () => {
    const socket = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    let sent: { messageId: string; seq: number };
    try {
      expect((await socket.subscribe(roomId)).type).toBe('room.subscribed');
      // dave is no member and nobody is nobody: plain text. A name matches whatever its case.
      sent = await sendRest(http, alice, roomId, 'hi @BOB and @carol, not @dave nor @nobody', 'm-1');
      const live = await socket.waitFor(
        (frame: Frame) => frame.type === 'chat.event' && frame.event === 'MessageSent' && frame.seq === sent.seq,
      );
      expect(live.data.mentions).toEqual([bob.userId, carol.userId]);
    } finally {
      await socket.close();
    }
    const inHistory = await http.get(`/api/chat/rooms/${roomId}/messages`, { token: carol.accessToken });
    expect(inHistory.body.messages.at(-1)).toMatchObject({ messageId: sent.messageId, mentions: [bob.userId, carol.userId] });

    expect(await myRoom(bob)).toMatchObject({ unreadCount: 1, mentionCount: 1 });
    expect(await myRoom(alice)).toMatchObject({ mentionCount: 0 });
    expect((await http.post(`/api/chat/rooms/${roomId}/read`, { token: bob.accessToken, body: { seq: sent.seq } })).status).toBe(204);
    expect(await myRoom(bob)).toMatchObject({ unreadCount: 0, mentionCount: 0 });
    expect(await myRoom(carol)).toMatchObject({ mentionCount: 1 });

    const later = await sendRest(http, carol, roomId, 'and again @bob.', 'm-2');
    const all = await mentionsOf(bob);
    expect(all.status).toBe(200);
    expect(all.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([later.messageId, sent.messageId]);
    const first = await mentionsOf(bob, '?limit=1');
    expect(first.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([later.messageId]);
    const second = await mentionsOf(bob, `?limit=1&before=${encodeURIComponent(first.body.nextCursor)}`);
    expect(second.body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([sent.messageId]);
    expect(second.body.nextCursor).toBeUndefined();
    expect((await mentionsOf(dave)).body.messages).toEqual([]);
    // A cursor that is no mention of the caller starts nowhere.
    expect((await mentionsOf(dave, `?before=${encodeURIComponent(sent.messageId)}`)).body.error.code).toBe('NO_MESSAGE');
  });

  it('hides the mentions of a private room the user left', async () => {
    const room = await createRoom(http, alice, 'private', { name: 'Short-lived', members: [dave] });
    const message = await sendRest(http, alice, room, '@dave hello', 'm-3');
    expect((await mentionsOf(dave)).body.messages.map((m: { messageId: string }) => m.messageId)).toEqual([message.messageId]);
    expect((await http.post(`/api/chat/rooms/${room}/leave`, { token: dave.accessToken })).status).toBe(204);
    expect((await mentionsOf(dave)).body.messages).toEqual([]);
  });
});
