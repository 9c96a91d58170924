import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, joinRoom, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Replies and threads over real HTTP and WebSocket (API.md "Conversations", #17): POST /api/chat/send and chat.send
// take replyTo, history shows each root's replyCount and lastReplyAt, GET /api/chat/messages/{messageId}/thread pages
// through a thread oldest first, and a deleted root keeps its thread readable.

const isSent = (roomId: string) => (frame: Frame) =>
  frame.type === 'chat.event' && frame.roomId === roomId && frame.event === 'MessageSent';

describe('threads over REST and the WebSocket', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  const threadPath = (messageId: string, query = ''): string => `/api/chat/messages/${encodeURIComponent(messageId)}/thread${query}`;
  const reply = async (user: User, replyTo: string, text: string, clientMessageId: string) =>
    http.post('/api/chat/send', { token: user.accessToken, body: { roomId, text, clientMessageId, replyTo } });

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
    roomId = await createRoom(http, alice, 'private', { name: 'Team', members: [bob] });
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('threads replies under their root, shows counts in history, pages the thread, and keeps it after the root goes', async () => {
    const root = await sendRest(http, alice, roomId, 'shall we?', 't-root');
    const first = await reply(bob, root.messageId, 'yes', 't-1');
    expect(first.status).toBe(201);
    expect(first.body.message).toMatchObject({ replyTo: root.messageId, threadId: root.messageId });
    // A reply to a reply joins the root's thread.
    const second = await reply(alice, first.body.message.messageId, 'good', 't-2');
    expect(second.body.message).toMatchObject({ replyTo: first.body.message.messageId, threadId: root.messageId });

    // Over the socket too, and the chat.event says where the reply goes.
    const socket = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    try {
      expect((await socket.subscribe(roomId)).type).toBe('room.subscribed');
      socket.send({ type: 'chat.send', roomId, text: 'me too', clientMessageId: 't-3', replyTo: root.messageId });
      const live = await socket.waitFor((frame) => isSent(roomId)(frame) && frame.data.clientMessageId === 't-3');
      expect(live.data).toMatchObject({ replyTo: root.messageId, threadId: root.messageId, senderId: bob.userId });
    } finally {
      await socket.close();
    }

    const history = await http.get(`/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    const rootInHistory = history.body.messages.find((m: { messageId: string }) => m.messageId === root.messageId);
    expect(rootInHistory).toMatchObject({ replyCount: 3, lastReplyAt: expect.stringMatching(/^\d{4}-/) });
    expect(rootInHistory.replyTo).toBeUndefined();

    const page = await http.get(threadPath(root.messageId, '?limit=2'), { token: bob.accessToken });
    expect(page.status).toBe(200);
    expect(page.body.root).toMatchObject({ messageId: root.messageId, text: 'shall we?', replyCount: 3 });
    expect(page.body.messages.map((m: { text: string }) => m.text)).toEqual(['yes', 'good']);
    const rest = await http.get(threadPath(root.messageId, `?after=${page.body.nextCursor}`), { token: bob.accessToken });
    expect(rest.body.messages.map((m: { text: string }) => m.text)).toEqual(['me too']);
    expect(rest.body.nextCursor).toBeUndefined();
    // Named by a reply, it is the same thread.
    expect((await http.get(threadPath(second.body.message.messageId), { token: bob.accessToken })).body.root.messageId).toBe(
      root.messageId,
    );

    expect((await http.delete(`/api/chat/messages/${encodeURIComponent(root.messageId)}`, { token: alice.accessToken })).status).toBe(204);
    const afterDelete = await http.get(threadPath(root.messageId), { token: alice.accessToken });
    expect(afterDelete.status).toBe(200);
    expect(afterDelete.body.root).toMatchObject({ deleted: true, text: null });
    expect(afterDelete.body.messages).toHaveLength(3);
    // The deleted root takes no new reply, but its thread grows through its replies.
    expect((await reply(bob, root.messageId, 'late', 't-4')).body.error.code).toBe('NO_MESSAGE');
    expect((await reply(bob, first.body.message.messageId, 'late', 't-5')).body.message.threadId).toBe(root.messageId);
  });

  it('refuses a reply to a message of another room, or to none, with NO_MESSAGE, and hides a private thread', async () => {
    const other = await createRoom(http, bob, 'public', { name: 'Elsewhere' });
    await joinRoom(http, alice, other);
    const elsewhere = await sendRest(http, bob, other, 'over here', 't-other');
    for (const replyTo of [elsewhere.messageId, `${roomId}.9999`, 'not-an-id']) {
      const refused = await reply(alice, replyTo, 'hm', `t-bad-${replyTo}`);
      expect(refused.status, replyTo).toBe(404);
      expect(refused.body.error.code, replyTo).toBe('NO_MESSAGE');
    }
    const root = await sendRest(http, alice, roomId, 'private', 't-private');
    const hidden = await http.get(threadPath(root.messageId), { token: carol.accessToken });
    expect(hidden.status).toBe(403);
    expect(hidden.body.error.code).toBe('NOT_MEMBER');
    const bad = await http.get(threadPath(root.messageId, '?limit=0'), { token: alice.accessToken });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('VALIDATION_FAILED');
  });
});
