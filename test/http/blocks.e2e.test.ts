import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, sendRest, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Blocks over real HTTP (API.md "Conversations", #17): PUT / DELETE /api/users/me/blocks/{userId} → 204, idempotent;
// a blocked user cannot open a direct room with the blocker (403 BLOCKED, the one place the block is told), their
// friend request never reaches the blocker (and looks pending to them, as an unanswered one does), and their
// mentions of the blocker are neither counted nor listed.

describe('blocks over REST', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  const blockPath = (userId: string): string => `/api/users/me/blocks/${encodeURIComponent(userId)}`;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('blocks and unblocks idempotently, and lists whom the caller blocked', async () => {
    for (let i = 0; i < 2; i++) expect((await http.put(blockPath(carol.userId), { token: alice.accessToken })).status).toBe(204);
    const list = await http.get('/api/users/me/blocks', { token: alice.accessToken });
    expect(list.body.blocks).toEqual([{ userId: carol.userId, blockedAt: expect.stringMatching(/^\d{4}-/) }]);
    for (let i = 0; i < 2; i++) expect((await http.delete(blockPath(carol.userId), { token: alice.accessToken })).status).toBe(204);
    expect((await http.get('/api/users/me/blocks', { token: alice.accessToken })).body.blocks).toEqual([]);

    const self = await http.put(blockPath(alice.userId), { token: alice.accessToken });
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('VALIDATION_FAILED');
    const nobody = await http.put(blockPath('no-such-user'), { token: alice.accessToken });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('NO_USER');
  });

  it('refuses a direct room with the blocker with BLOCKED, and hides the friend request and the mentions of a blocked user', async () => {
    // A room the two share from before, where bob mentions alice before and after she blocks him.
    const roomId = await createRoom(http, alice, 'private', { name: 'Shared', members: [bob] });
    await sendRest(http, bob, roomId, 'hey @alice', 'b-1');
    expect((await http.put(blockPath(bob.userId), { token: alice.accessToken })).status).toBe(204);
    const later = await sendRest(http, bob, roomId, 'still there @alice?', 'b-2');

    const direct = await http.post('/api/chat/rooms', { token: bob.accessToken, body: { name: 'dm', kind: 'direct', memberIds: [alice.userId] } });
    expect(direct.status).toBe(403);
    expect(direct.body.error.code).toBe('BLOCKED');
    // The blocker may still open one; so may anyone she did not block.
    expect((await http.post('/api/chat/rooms', { token: carol.accessToken, body: { name: 'dm', kind: 'direct', memberIds: [alice.userId] } })).status).toBe(201);

    const request = await http.post('/api/friends/requests', { token: bob.accessToken, body: { userId: alice.userId } });
    expect(request.status, JSON.stringify(request.body)).toBeLessThan(300);
    const sent = await http.get('/api/friends/requests/sent', { token: bob.accessToken });
    expect(JSON.stringify(sent.body)).toContain(alice.userId);
    const received = await http.get('/api/friends/requests/pending', { token: alice.accessToken });
    expect(received.status).toBe(200);
    expect(JSON.stringify(received.body)).not.toContain(bob.userId);

    // bob's message still says whom it mentions (he learns nothing), but alice is not notified of any of his.
    const history = await http.get(`/api/chat/rooms/${roomId}/messages`, { token: bob.accessToken });
    expect(history.body.messages.find((m: { messageId: string }) => m.messageId === later.messageId).mentions).toEqual([alice.userId]);
    expect((await http.get('/api/mentions', { token: alice.accessToken })).body.messages).toEqual([]);
    const rooms = await http.get('/api/chat/rooms', { token: alice.accessToken });
    expect(rooms.body.rooms.find((room: { roomId: string }) => room.roomId === roomId)).toMatchObject({ unreadCount: 2, mentionCount: 0 });

    // Unblocked, his mentions count again and the direct room opens.
    expect((await http.delete(blockPath(bob.userId), { token: alice.accessToken })).status).toBe(204);
    expect((await http.get('/api/mentions', { token: alice.accessToken })).body.messages).toHaveLength(2);
    expect((await http.post('/api/chat/rooms', { token: bob.accessToken, body: { name: 'dm', kind: 'direct', memberIds: [alice.userId] } })).status).toBe(201);
  });
});
