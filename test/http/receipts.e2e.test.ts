import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { receiptsStreamId } from '../../src/domain/ids.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Read markers over real HTTP: unread counts in the room list, marking a room read, the receipts list, and the
// bad requests that must be refused without appending anything.

type User = Awaited<ReturnType<typeof signUp>>;

describe('receipts over REST', () => {
  let server: TestServer;
  let client: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    client = new HttpClient(server.baseUrl);
    alice = await signUp(client, 'alice');
    bob = await signUp(client, 'bob');
    carol = await signUp(client, 'carol');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  async function createRoom(owner: User, kind: 'public' | 'private', memberIds: string[] = []): Promise<string> {
    const created = await client.post('/api/chat/rooms', {
      token: owner.accessToken,
      body: { name: `room-${kind}`, kind, memberIds },
    });
    expect(created.status).toBe(201);
    return created.body.room.roomId;
  }

  async function send(sender: User, roomId: string, text: string): Promise<{ messageId: string; seq: number }> {
    const sent = await client.post('/api/chat/send', {
      token: sender.accessToken,
      body: { roomId, text, clientMessageId: `${sender.username}-${text}` },
    });
    expect(sent.status).toBe(201);
    return sent.body.message;
  }

  interface ListedRoom {
    unreadCount: number;
    readSeq: number;
    headSeq: number;
  }

  async function myRoom(user: User, roomId: string): Promise<ListedRoom> {
    const list = await client.get('/api/chat/rooms', { token: user.accessToken });
    expect(list.status).toBe(200);
    const room = list.body.rooms.find((candidate: { roomId: string }) => candidate.roomId === roomId);
    expect(room, `${user.username} lists ${roomId}`).toBeDefined();
    return room;
  }

  const unread = async (user: User, roomId: string): Promise<number> => (await myRoom(user, roomId)).unreadCount;

  const read = (user: User, roomId: string, body: unknown) =>
    client.post(`/api/chat/rooms/${roomId}/read`, { token: user.accessToken, body });

  /** How many events the user's receipts stream holds: bad requests must leave it as it was. */
  async function receiptEvents(user: User): Promise<number> {
    const log = await server.server.service(TOKENS.eventLog);
    return log.streamVersion(receiptsStreamId(user.userId));
  }

  it('counts unread messages per room, follows the read marker, and never counts the reader\'s own', async () => {
    const roomId = await createRoom(alice, 'private', [bob.userId]);
    const first = await send(alice, roomId, 'one');
    const second = await send(alice, roomId, 'two');
    await send(alice, roomId, 'three');

    expect(await myRoom(bob, roomId)).toMatchObject({ unreadCount: 3, readSeq: 0 });
    expect(await unread(alice, roomId)).toBe(0);

    const marked = await read(bob, roomId, { seq: second.seq });
    expect(marked.status).toBe(204);
    expect(marked.body).toBeUndefined();
    // Read-your-writes: the very next list shows it.
    expect(await myRoom(bob, roomId)).toMatchObject({ unreadCount: 1, readSeq: second.seq });

    // Bob's reply does not count for him, and counts for alice.
    await send(bob, roomId, 'four');
    expect(await unread(bob, roomId)).toBe(1);
    expect(await unread(alice, roomId)).toBe(1);

    // An older seq moves nothing back.
    expect((await read(bob, roomId, { seq: first.seq })).status).toBe(204);
    expect(await myRoom(bob, roomId)).toMatchObject({ unreadCount: 1, readSeq: second.seq });

    const receipts = await client.get(`/api/chat/rooms/${roomId}/receipts`, { token: alice.accessToken });
    expect(receipts.status).toBe(200);
    expect(receipts.body).toEqual({
      receipts: [
        { userId: alice.userId, deliveredSeq: 0, readSeq: 0 },
        { userId: bob.userId, deliveredSeq: second.seq, readSeq: second.seq },
      ],
    });
  });

  it('leaves deleted messages out of the unread count', async () => {
    const roomId = await createRoom(alice, 'private', [bob.userId]);
    const doomed = await send(alice, roomId, 'oops');
    await send(alice, roomId, 'fine');
    expect(await unread(bob, roomId)).toBe(2);
    const deleted = await client.delete(`/api/chat/messages/${doomed.messageId}`, { token: alice.accessToken });
    expect(deleted.status).toBe(204);
    expect(await unread(bob, roomId)).toBe(1);
  });

  it("shows a public room's receipts to anyone signed in, and hides a private room's from outsiders", async () => {
    const publicRoom = await createRoom(alice, 'public');
    const open = await client.get(`/api/chat/rooms/${publicRoom}/receipts`, { token: carol.accessToken });
    expect(open.status).toBe(200);
    expect(open.body.receipts).toEqual([{ userId: alice.userId, deliveredSeq: 0, readSeq: 0 }]);

    const privateRoom = await createRoom(alice, 'private', [bob.userId]);
    const closed = await client.get(`/api/chat/rooms/${privateRoom}/receipts`, { token: carol.accessToken });
    expect(closed.status).toBe(403);
    expect(closed.body.error.code).toBe('NOT_MEMBER');
    const missing = await client.get('/api/chat/rooms/no-such-room/receipts', { token: carol.accessToken });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('NO_ROOM');
  });

  describe('bad requests get their code and append nothing', () => {
    let roomId: string;
    let headSeq: number;

    beforeAll(async () => {
      roomId = await createRoom(alice, 'private', [bob.userId]);
      await send(alice, roomId, 'hello');
      headSeq = (await myRoom(bob, roomId)).headSeq;
    });

    it.each([
      ['a negative seq', () => ({ seq: -1 })],
      ['a fractional seq', () => ({ seq: 1.5 })],
      ['a seq that is not a number', () => ({ seq: '3' })],
      ['no seq', () => ({})],
      ['an unknown field', () => ({ seq: 1, extra: true })],
      ['a seq beyond the room head', () => ({ seq: headSeq + 1 })],
    ])('%s: 400 VALIDATION_FAILED', async (_, body) => {
      const before = await receiptEvents(bob);
      const response = await read(bob, roomId, body());
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('VALIDATION_FAILED');
      expect(await receiptEvents(bob)).toBe(before);
      expect(await myRoom(bob, roomId)).toMatchObject({ unreadCount: 1, readSeq: 0 });
    });

    it('a non-member: 403 NOT_MEMBER', async () => {
      const before = await receiptEvents(carol);
      const response = await read(carol, roomId, { seq: 1 });
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('NOT_MEMBER');
      expect(await receiptEvents(carol)).toBe(before);
    });

    it('an unknown room: 404 NO_ROOM', async () => {
      const before = await receiptEvents(bob);
      const response = await read(bob, 'no-such-room', { seq: 1 });
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('NO_ROOM');
      expect(await receiptEvents(bob)).toBe(before);
    });

    it('no token: 401', async () => {
      const response = await client.post(`/api/chat/rooms/${roomId}/read`, { body: { seq: 1 } });
      expect(response.status).toBe(401);
    });

    it('a seq at the head is fine, and reading it twice appends once', async () => {
      const before = await receiptEvents(bob);
      expect((await read(bob, roomId, { seq: headSeq })).status).toBe(204);
      expect((await read(bob, roomId, { seq: headSeq })).status).toBe(204);
      expect(await receiptEvents(bob)).toBe(before + 1);
      expect(await myRoom(bob, roomId)).toMatchObject({ unreadCount: 0, readSeq: headSeq });
    });
  });

  it('documents the new routes and fields in the OpenAPI document', async () => {
    const document = await client.get('/api/openapi.json');
    expect(document.status).toBe(200);
    expect(Object.keys(document.body.paths)).toEqual(
      expect.arrayContaining(['/api/chat/rooms/{roomId}/read', '/api/chat/rooms/{roomId}/receipts']),
    );
    expect(Object.keys(document.body.components.schemas.Room.properties)).toEqual(
      expect.arrayContaining(['unreadCount', 'readSeq']),
    );
  });
});
