import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The whole life of a conversation over real HTTP: register, log in, create rooms, talk, page through history
// both ways, edit, delete, log out, and find the old tokens dead.

describe('chat flow over REST', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeAll(async () => {
    // A higher send budget: this test sends 60 messages and is not about rate limits.
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    client = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('runs register → login → rooms → send → paginate → edit → delete → logout', async () => {
    const alice = await signUp(client, 'alice');
    const bob = await signUp(client, 'bob');

    const me = await client.get('/api/auth/me', { token: alice.accessToken });
    expect(me.status).toBe(200);
    expect(me.body.user).toMatchObject({ userId: alice.userId, username: 'alice', role: 'user' });
    expect(me.body.user).not.toHaveProperty('passwordHash');

    // A public room anyone can join, a private room with bob, and a direct room.
    const general = await client.post('/api/chat/rooms', {
      token: alice.accessToken,
      body: { name: 'general', kind: 'public' },
    });
    expect(general.status).toBe(201);
    expect(general.body.room).toMatchObject({ name: 'general', kind: 'public', memberCount: 1, myRole: 'owner' });
    const roomId: string = general.body.room.roomId;

    const team = await client.post('/api/chat/rooms', {
      token: alice.accessToken,
      body: { name: 'team', kind: 'private', memberIds: [bob.userId] },
    });
    expect(team.status).toBe(201);
    expect(team.body.room.memberCount).toBe(2);

    const direct = await client.post('/api/chat/rooms', {
      token: alice.accessToken,
      body: { kind: 'direct', memberIds: [bob.userId] },
    });
    expect(direct.status).toBe(201);
    const again = await client.post('/api/chat/rooms', { token: bob.accessToken, body: { kind: 'direct', memberIds: [alice.userId] } });
    expect(again.status).toBe(200);
    expect(again.body.room.roomId).toBe(direct.body.room.roomId);

    const publicRooms = await client.get('/api/chat/rooms?scope=public', { token: bob.accessToken });
    expect(publicRooms.body.rooms.map((room: { roomId: string }) => room.roomId)).toContain(roomId);

    const joined = await client.post(`/api/chat/rooms/${roomId}/join`, { token: bob.accessToken });
    expect(joined.status).toBe(200);
    expect(joined.body.room.memberCount).toBe(2);
    const bobsRooms = await client.get('/api/chat/rooms', { token: bob.accessToken });
    expect(bobsRooms.body.rooms).toHaveLength(3);

    const members = await client.get(`/api/chat/rooms/${roomId}/members`, { token: bob.accessToken });
    expect(members.body.members.map((member: { username: string }) => member.username)).toEqual(['alice', 'bob']);

    // 60 messages, alternating senders.
    const sent: { messageId: string; seq: number }[] = [];
    for (let index = 1; index <= 60; index++) {
      const sender = index % 2 === 0 ? bob : alice;
      const response = await client.post('/api/chat/send', {
        token: sender.accessToken,
        body: { roomId, text: `message ${index}`, clientMessageId: `m-${index}` },
      });
      expect(response.status).toBe(201);
      expect(response.body.message).toMatchObject({ roomId, senderId: sender.userId, text: `message ${index}`, deleted: false });
      sent.push(response.body.message);
    }
    const seqs = sent.map((message) => message.seq);
    expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
    expect(new Set(seqs).size).toBe(60);

    // A retry with the same clientMessageId returns the first message and appends nothing.
    const retry = await client.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: 'different text', clientMessageId: 'm-1' },
    });
    expect(retry.status).toBe(200);
    expect(retry.body.message).toMatchObject({ messageId: sent[0]?.messageId, text: 'message 1' });
    // ... but not for a text no message could be sent with: that is refused as the first time, appending nothing.
    const badRetry = await client.post('/api/chat/send', {
      token: alice.accessToken,
      body: { roomId, text: 'bell\u009b', clientMessageId: 'm-1' },
    });
    expect([badRetry.status, badRetry.body.error?.code]).toEqual([400, 'INVALID_CONTENT']);

    // Backwards from the latest page to the first.
    const backwards: string[] = [];
    let cursor: number | undefined;
    for (let page = 0; page < 10; page++) {
      const query = cursor === undefined ? 'limit=25' : `limit=25&before=${cursor}`;
      const response = await client.get(`/api/chat/rooms/${roomId}/messages?${query}`, { token: bob.accessToken });
      expect(response.status).toBe(200);
      const texts = response.body.messages.map((message: { text: string }) => message.text);
      backwards.unshift(...texts);
      const pageSeqs = response.body.messages.map((message: { seq: number }) => message.seq);
      expect([...pageSeqs].sort((a: number, b: number) => a - b)).toEqual(pageSeqs);
      cursor = response.body.nextCursor;
      if (cursor === undefined) break;
    }
    expect(backwards).toEqual(sent.map((_, index) => `message ${index + 1}`));

    // Forwards from the start.
    const forwards: string[] = [];
    cursor = 0;
    while (cursor !== undefined) {
      const response = await client.get(`/api/chat/rooms/${roomId}/messages?limit=7&after=${cursor}`, {
        token: alice.accessToken,
      });
      forwards.push(...response.body.messages.map((message: { text: string }) => message.text));
      cursor = response.body.nextCursor;
    }
    expect(forwards).toEqual(backwards);

    // Both cursors: the messages strictly between them, paged forwards; none between them is an empty page.
    const between: string[] = [];
    cursor = 10;
    while (cursor !== undefined) {
      const response = await client.get(`/api/chat/rooms/${roomId}/messages?after=${cursor}&before=30&limit=8`, {
        token: bob.accessToken,
      });
      expect(response.status).toBe(200);
      between.push(...response.body.messages.map((message: { seq: number }) => message.seq));
      cursor = response.body.nextCursor;
    }
    expect(between).toEqual(seqs.filter((seq) => seq > 10 && seq < 30));
    const none = await client.get(`/api/chat/rooms/${roomId}/messages?after=30&before=31`, { token: bob.accessToken });
    expect(none.status).toBe(200);
    expect(none.body).toEqual({ messages: [] });

    // Edit: sender only; the earlier text is kept.
    const first = sent[0];
    if (!first) throw new Error('no message sent');
    const notMine = await client.patch(`/api/chat/messages/${first.messageId}`, { token: bob.accessToken, body: { text: 'hacked' } });
    expect(notMine.status).toBe(403);
    expect(notMine.body.error.code).toBe('NOT_SENDER');
    const edited = await client.patch(`/api/chat/messages/${first.messageId}`, {
      token: alice.accessToken,
      body: { text: 'message 1 (edited)' },
    });
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({ text: 'message 1 (edited)', seq: first.seq, deleted: false });
    expect(edited.body.message.editedAt).toEqual(expect.any(String));
    const history = await client.get(`/api/chat/messages/${first.messageId}/history`, { token: alice.accessToken });
    expect(history.body.edits.map((edit: { text: string }) => edit.text)).toEqual(['message 1']);

    // Delete: keeps its seq with text null.
    const deleted = await client.delete(`/api/chat/messages/${first.messageId}`, { token: alice.accessToken });
    expect(deleted.status).toBe(204);
    const oldest = await client.get(`/api/chat/rooms/${roomId}/messages?after=0&limit=1`, { token: bob.accessToken });
    expect(oldest.body.messages[0]).toMatchObject({ messageId: first.messageId, seq: first.seq, text: null, deleted: true });
    const editDeleted = await client.patch(`/api/chat/messages/${first.messageId}`, { token: alice.accessToken, body: { text: 'x' } });
    expect(editDeleted.body.error.code).toBe('MESSAGE_DELETED');
    // Its earlier texts went with it: the edit history is no longer readable either.
    const historyDeleted = await client.get(`/api/chat/messages/${first.messageId}/history`, { token: alice.accessToken });
    expect([historyDeleted.status, historyDeleted.body.error?.code]).toEqual([409, 'MESSAGE_DELETED']);

    // Leave: bob no longer lists the room.
    expect((await client.post(`/api/chat/rooms/${roomId}/leave`, { token: bob.accessToken })).status).toBe(204);
    const afterLeave = await client.get('/api/chat/rooms', { token: bob.accessToken });
    expect(afterLeave.body.rooms.map((room: { roomId: string }) => room.roomId)).not.toContain(roomId);

    // Refresh rotates; logout kills the access token and the refresh family.
    const refreshed = await client.post('/api/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(refreshed.status).toBe(200);
    const reused = await client.post('/api/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(reused.status).toBe(401);
    expect(reused.body.error.code).toBe('TOKEN_REVOKED');
    // Reuse revoked the family, so even the token it rotated to is dead now.
    const fromRotated = await client.post('/api/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } });
    expect(fromRotated.status).toBe(401);

    const bobRefreshed = await client.post('/api/auth/refresh', { body: { refreshToken: bob.refreshToken } });
    expect(bobRefreshed.status).toBe(200);
    const logout = await client.post('/api/auth/logout', { token: bobRefreshed.body.accessToken });
    expect(logout.status).toBe(204);
    const afterLogout = await client.get('/api/auth/me', { token: bobRefreshed.body.accessToken });
    expect(afterLogout.status).toBe(401);
    expect(afterLogout.body.error.code).toBe('TOKEN_REVOKED');
    const oldAccess = await client.get('/api/auth/me', { token: bob.accessToken });
    expect(oldAccess.status).toBe(401);
    const refreshAfterLogout = await client.post('/api/auth/refresh', { body: { refreshToken: bobRefreshed.body.refreshToken } });
    expect(refreshAfterLogout.status).toBe(401);
  });

  it('answers each send with the message exactly as the history then shows it (plain, a mention, a reply, a retry)', async () => {
    const carol = await signUp(client, 'carol');
    const dave = await signUp(client, 'dave');
    const room = await client.post('/api/chat/rooms', { token: carol.accessToken, body: { name: 'answers', kind: 'public' } });
    const roomId: string = room.body.room.roomId;
    await client.post(`/api/chat/rooms/${roomId}/join`, { token: dave.accessToken });
    const send = (body: Record<string, unknown>) => client.post('/api/chat/send', { token: carol.accessToken, body: { roomId, ...body } });

    const plain = await send({ text: 'plain words, ünïcödé and 🙂', clientMessageId: 'answer-1' });
    const mention = await send({ text: 'hello @dave', clientMessageId: 'answer-2' });
    const reply = await send({ text: 'a reply', clientMessageId: 'answer-3', replyTo: plain.body.message.messageId });
    const retry = await send({ text: 'plain words, ünïcödé and 🙂', clientMessageId: 'answer-1' });
    expect([plain.status, mention.status, reply.status, retry.status]).toEqual([201, 201, 201, 200]);
    expect(mention.body.message.mentions).toEqual([dave.userId]);
    expect(reply.body.message.replyTo).toBe(plain.body.message.messageId);

    const page = await client.get(`/api/chat/rooms/${roomId}/messages?limit=10`, { token: carol.accessToken });
    const shown = new Map(page.body.messages.map((message: { seq: number }) => [message.seq, message]));
    // The plain one now has a reply: the history shows replyCount 1 and lastReplyAt where the send's answer, given
    // before the reply existed, did not; everything else is the same.
    const { replyCount, lastReplyAt, ...plainShown } = shown.get(plain.body.message.seq) as Record<string, unknown>;
    expect(replyCount).toBe(1);
    expect(lastReplyAt).toBe(reply.body.message.createdAt);
    expect(plain.body.message).toEqual(plainShown);
    expect(mention.body.message).toEqual(shown.get(mention.body.message.seq));
    expect(reply.body.message).toEqual(shown.get(reply.body.message.seq));
    // The retry is read from the view: the first message as it is now, reply count and all.
    expect(retry.body.message).toEqual(shown.get(plain.body.message.seq));
  });
});

