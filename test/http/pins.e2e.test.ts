import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PINS_PER_ROOM } from '../../src/commands/room/roomDecider.js';
import { createRoom, headSeqOf, joinRoom, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Pins over real HTTP and WebSocket (API.md "Conversations"): PUT / DELETE /api/chat/rooms/{roomId}/pins/{messageId}
// by the owner or a moderator, GET /api/chat/rooms/{roomId}/pins for whoever reads the room, pushed live.

const isEvent = (roomId: string, event: string) => (frame: Frame) =>
  frame.type === 'chat.event' && frame.roomId === roomId && frame.event === event;

describe('pins over REST, live over the WebSocket', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let bobSocket: WsTestClient;
  const pinPath = (messageId: string, room = roomId): string => `/api/chat/rooms/${room}/pins/${encodeURIComponent(messageId)}`;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
    roomId = await createRoom(http, alice, 'public', { name: 'Lobby' });
    await joinRoom(http, bob, roomId);
    bobSocket = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    expect((await bobSocket.subscribe(roomId)).type).toBe('room.subscribed');
  });
  afterAll(async () => {
    await bobSocket.close();
    await server.stop({ removeData: true });
  });

  it('pins and unpins idempotently, lists pins for any reader of a public room, and pushes each change live', async () => {
    const first = await sendRest(http, bob, roomId, 'first', 'p-1');
    const second = await sendRest(http, bob, roomId, 'second', 'p-2');

    expect((await http.put(pinPath(first.messageId), { token: alice.accessToken })).status).toBe(204);
    const live = await bobSocket.waitFor(isEvent(roomId, 'MessagePinned'));
    expect(live.data).toEqual({
      roomId,
      messageId: first.messageId,
      pinnedBy: alice.userId,
      occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      actorId: alice.userId,
    });
    const head = await headSeqOf(http, alice, roomId);
    expect((await http.put(pinPath(first.messageId), { token: alice.accessToken })).status).toBe(204);
    expect(await headSeqOf(http, alice, roomId)).toBe(head);
    expect((await http.put(pinPath(second.messageId), { token: alice.accessToken })).status).toBe(204);

    // carol is no member, but the room is public: she reads its pins as she reads its history.
    const list = await http.get(`/api/chat/rooms/${roomId}/pins`, { token: carol.accessToken });
    expect(list.status).toBe(200);
    expect(list.body.messages.map((m: { messageId: string; text: string }) => [m.messageId, m.text])).toEqual([
      [second.messageId, 'second'],
      [first.messageId, 'first'],
    ]);

    expect((await http.delete(pinPath(second.messageId), { token: alice.accessToken })).status).toBe(204);
    const liveUnpin = await bobSocket.waitFor(isEvent(roomId, 'MessageUnpinned'));
    expect(liveUnpin.data).toMatchObject({ messageId: second.messageId, unpinnedBy: alice.userId });
    expect((await http.delete(pinPath(second.messageId), { token: alice.accessToken })).status).toBe(204);

    // Deleting a pinned message unpins it.
    expect((await http.delete(`/api/chat/messages/${encodeURIComponent(first.messageId)}`, { token: bob.accessToken })).status).toBe(204);
    expect((await http.get(`/api/chat/rooms/${roomId}/pins`, { token: bob.accessToken })).body.messages).toEqual([]);
  });

  it('answers FORBIDDEN, NOT_MEMBER, NO_MESSAGE and NO_ROOM with the standard error body', async () => {
    const message = await sendRest(http, alice, roomId, 'pin me', 'p-3');
    const other = await createRoom(http, alice, 'private', { name: 'Other' });
    const refusals: Array<[string, User, number, string]> = [
      [pinPath(message.messageId), bob, 403, 'FORBIDDEN'],
      [pinPath(message.messageId), carol, 403, 'NOT_MEMBER'],
      [pinPath(`${roomId}.9999`), alice, 404, 'NO_MESSAGE'],
      [pinPath(message.messageId, other), alice, 404, 'NO_MESSAGE'],
      [pinPath(`no-such-room.5`, 'no-such-room'), alice, 404, 'NO_ROOM'],
    ];
    for (const [path, user, status, code] of refusals) {
      const response = await http.put(path, { token: user.accessToken });
      expect(response.status, path).toBe(status);
      expect(response.body.error.code, path).toBe(code);
    }
    const hidden = await http.get(`/api/chat/rooms/${other}/pins`, { token: carol.accessToken });
    expect(hidden.status).toBe(403);
    expect(hidden.body.error.code).toBe('NOT_MEMBER');
  });

  it(`refuses a ${MAX_PINS_PER_ROOM + 1}th pin with VALIDATION_FAILED and the cap in details`, async () => {
    const room = await createRoom(http, alice, 'private', { name: 'Many pins' });
    const messages = [];
    for (let i = 0; i <= MAX_PINS_PER_ROOM; i++) messages.push(await sendRest(http, alice, room, `m${i}`, `cap-${i}`));
    for (const message of messages.slice(0, MAX_PINS_PER_ROOM)) {
      expect((await http.put(pinPath(message.messageId, room), { token: alice.accessToken })).status).toBe(204);
    }
    const over = await http.put(pinPath(messages[MAX_PINS_PER_ROOM]!.messageId, room), { token: alice.accessToken });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { maxPinsPerRoom: MAX_PINS_PER_ROOM } });
    expect((await http.get(`/api/chat/rooms/${room}/pins`, { token: alice.accessToken })).body.messages).toHaveLength(MAX_PINS_PER_ROOM);
  });
});
