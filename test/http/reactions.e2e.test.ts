import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REACTIONS_PER_MESSAGE } from '../../src/domain/reactionEmoji.js';
import { runCli } from '../support/cliProcess.js';
import { createRoom, headSeqOf, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Reactions over real HTTP and WebSocket (API.md "Conversations"): PUT / DELETE
// /api/chat/messages/{messageId}/reactions/{emoji}, idempotent, shown in history and pushed live to the room.

const path = (messageId: string, emoji: string): string =>
  `/api/chat/messages/${encodeURIComponent(messageId)}/reactions/${encodeURIComponent(emoji)}`;

const isReaction = (roomId: string, event: string, emoji: string) => (frame: Frame) =>
  frame.type === 'chat.event' && frame.roomId === roomId && frame.event === event && frame.data.emoji === emoji;

describe('reactions over REST, live over the WebSocket', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let roomId: string;
  let bobSocket: WsTestClient;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
    roomId = await createRoom(http, alice, 'private', { members: [bob] });
    bobSocket = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    expect((await bobSocket.subscribe(roomId)).type).toBe('room.subscribed');
  });
  afterAll(async () => {
    await bobSocket.close();
    await server.stop({ removeData: true });
  });

  it('adds and removes a reaction idempotently, shows it in history, and pushes each change live to another member', async () => {
    const message = await sendRest(http, bob, roomId, 'react to me', 'r-1');
    const thumbs = '👍🏽';

    const added = await http.put(path(message.messageId, thumbs), { token: alice.accessToken });
    expect(added.status).toBe(204);
    const live = await bobSocket.waitFor(isReaction(roomId, 'ReactionAdded', thumbs));
    expect(live).toEqual({
      type: 'chat.event',
      roomId,
      seq: expect.any(Number),
      event: 'ReactionAdded',
      data: {
        roomId,
        messageId: message.messageId,
        userId: alice.userId,
        emoji: thumbs,
        occurredAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        actorId: alice.userId,
      },
    });
    const head = await headSeqOf(http, alice, roomId);
    expect(head).toBe(live.seq);

    // Adding it again appends nothing.
    expect((await http.put(path(message.messageId, thumbs), { token: alice.accessToken })).status).toBe(204);
    expect(await headSeqOf(http, alice, roomId)).toBe(head);

    expect((await http.put(path(message.messageId, ':party_parrot:'), { token: bob.accessToken })).status).toBe(204);
    expect((await http.put(path(message.messageId, thumbs), { token: bob.accessToken })).status).toBe(204);
    const page = await http.get(`/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    expect(page.body.messages.find((m: { seq: number }) => m.seq === message.seq).reactions).toEqual([
      { emoji: thumbs, count: 2, userIds: [alice.userId, bob.userId] },
      { emoji: ':party_parrot:', count: 1, userIds: [bob.userId] },
    ]);

    const removed = await http.delete(path(message.messageId, thumbs), { token: alice.accessToken });
    expect(removed.status).toBe(204);
    const liveRemoved = await bobSocket.waitFor(isReaction(roomId, 'ReactionRemoved', thumbs));
    expect(liveRemoved.data).toMatchObject({ messageId: message.messageId, userId: alice.userId, emoji: thumbs });
    // Removing one the caller does not have appends nothing.
    const headAfterRemove = await headSeqOf(http, alice, roomId);
    expect((await http.delete(path(message.messageId, thumbs), { token: alice.accessToken })).status).toBe(204);
    expect(await headSeqOf(http, alice, roomId)).toBe(headAfterRemove);

    const again = await http.get(`/api/chat/rooms/${roomId}/messages?after=${message.seq - 1}&limit=1`, { token: alice.accessToken });
    // Emoji come in the order of their earliest reaction still held: bob's 👍🏽 came after his :party_parrot:.
    expect(again.body.messages[0].reactions).toEqual([
      { emoji: ':party_parrot:', count: 1, userIds: [bob.userId] },
      { emoji: thumbs, count: 1, userIds: [bob.userId] },
    ]);
  });

  it('answers VALIDATION_FAILED, NOT_MEMBER and NO_MESSAGE with the standard error body', async () => {
    const message = await sendRest(http, alice, roomId, 'rules', 'r-2');
    for (const emoji of ['a', '👍👍', ':Nope:', 'x'.repeat(201)]) {
      const response = await http.put(path(message.messageId, emoji), { token: alice.accessToken });
      expect(response.status, emoji).toBe(400);
      expect(response.body.error.code, emoji).toBe('VALIDATION_FAILED');
    }
    const stranger = await http.put(path(message.messageId, '👍'), { token: carol.accessToken });
    expect(stranger.status).toBe(403);
    expect(stranger.body.error.code).toBe('NOT_MEMBER');
    const missing = await http.put(path(`${roomId}.9999`, '👍'), { token: alice.accessToken });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NO_MESSAGE');
    expect((await http.delete(`/api/chat/messages/${encodeURIComponent(message.messageId)}`, { token: alice.accessToken })).status).toBe(204);
    const deleted = await http.put(path(message.messageId, '👍'), { token: alice.accessToken });
    expect(deleted.status).toBe(404);
    expect(deleted.body.error.code).toBe('NO_MESSAGE');
  });

  it(`refuses a ${MAX_REACTIONS_PER_MESSAGE + 1}th different emoji on one message with VALIDATION_FAILED and the cap in details`, async () => {
    const message = await sendRest(http, alice, roomId, 'popular', 'r-3');
    for (let i = 0; i < MAX_REACTIONS_PER_MESSAGE; i++) {
      expect((await http.put(path(message.messageId, `:e${i}:`), { token: alice.accessToken })).status).toBe(204);
    }
    const over = await http.put(path(message.messageId, ':one_more:'), { token: bob.accessToken });
    expect(over.status).toBe(400);
    expect(over.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: { maxReactionsPerMessage: MAX_REACTIONS_PER_MESSAGE } });
    expect((await http.put(path(message.messageId, ':e0:'), { token: bob.accessToken })).status).toBe(204);
  });

  it("removes an erased user's reactions from history", async () => {
    const message = await sendRest(http, alice, roomId, 'before erasure', 'r-4');
    expect((await http.put(path(message.messageId, '🎉'), { token: bob.accessToken })).status).toBe(204);
    expect((await http.put(path(message.messageId, '🎉'), { token: alice.accessToken })).status).toBe(204);
    // MODE: vitest sets MODE=test in the environment the CLI inherits, which this base's config refuses.
    const erase = await runCli(['users', 'erase', 'bob', '--json'], { DATA_DIR: server.dataDir, EVENT_LOG: 'sqlite' });
    expect(erase.stderr).toBe('');
    expect(erase.code).toBe(0);
    await expect
      .poll(async () => {
        const read = await http.get(`/api/chat/rooms/${roomId}/messages?after=${message.seq - 1}&limit=1`, { token: alice.accessToken });
        return read.body.messages[0].reactions;
      })
      .toEqual([{ emoji: '🎉', count: 1, userIds: [alice.userId] }]);
  });
});
