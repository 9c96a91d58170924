import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, HttpClient, joinRoom, sendRest, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Who may follow a room, and that the right to follow it ends the moment membership does.

const messageWithSeq = (seq: number) => (frame: Frame) => frame.type === 'chat.event' && frame.seq === seq;

describe('subscription authorization', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;
  let mallory: User;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '1000', SEND_LIMIT_PER_MINUTE: '1000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol, mallory] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol'), signUp(http, 'mallory')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('lets only members subscribe to private and direct rooms, and anyone signed in to public ones', async () => {
    const privateRoom = await createRoom(http, alice, 'private', { members: [bob] });
    const directRoom = await createRoom(http, alice, 'direct', { members: [bob] });
    const publicRoom = await createRoom(http, alice, 'public');
    const intruder = await WsTestClient.connectAs(server.baseUrl, mallory.accessToken);

    expect(await intruder.subscribe(privateRoom, 0)).toMatchObject({ type: 'chat.error', code: 'NOT_MEMBER' });
    expect(await intruder.subscribe(directRoom)).toMatchObject({ type: 'chat.error', code: 'NOT_MEMBER' });
    expect(await intruder.subscribe('no-such-room')).toMatchObject({ type: 'chat.error', code: 'NO_ROOM' });
    expect(await intruder.subscribe(publicRoom, 0)).toMatchObject({ type: 'room.subscribed', roomId: publicRoom });

    // Nothing of the refused rooms leaks afterwards either.
    const secret = await sendRest(http, alice, privateRoom, 'members only', 'p-1');
    const open = await sendRest(http, alice, publicRoom, 'for everyone', 'o-1');
    await intruder.waitFor(messageWithSeq(open.seq));
    await intruder.barrier();
    expect(intruder.frames.filter((frame) => frame.type === 'chat.event' && frame.roomId !== publicRoom)).toEqual([]);
    expect(JSON.stringify(intruder.frames)).not.toContain('members only');
    expect(secret.seq).toBeGreaterThan(0);

    const member = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    expect(await member.subscribe(privateRoom, 0)).toMatchObject({ type: 'room.subscribed' });
    await member.waitFor(messageWithSeq(secret.seq));
    await Promise.all([intruder.close(), member.close()]);
  });

  it('stops delivery at once to every connection of a member who leaves: the MemberLeft, then room.unsubscribed', async () => {
    const roomId = await createRoom(http, alice, 'public');
    await joinRoom(http, bob, roomId);
    const bobPhone = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const bobLaptop = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const watcher = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    for (const client of [bobPhone, bobLaptop, watcher]) await client.subscribe(roomId);

    expect((await http.post(`/api/chat/rooms/${roomId}/leave`, { token: bob.accessToken })).status).toBe(204);
    for (const client of [bobPhone, bobLaptop]) {
      const unsubscribed = await client.waitFor((frame) => frame.type === 'room.unsubscribed' && frame.roomId === roomId);
      expect(unsubscribed).toEqual({ type: 'room.unsubscribed', roomId, reason: 'left' });
      const last = client.events(roomId).at(-1);
      expect(last).toMatchObject({ event: 'MemberLeft', data: { userId: bob.userId } });
      expect(client.frames.indexOf(last)).toBe(client.frames.indexOf(unsubscribed) - 1);
    }

    const after = await sendRest(http, alice, roomId, 'bob is gone', 'after-leave');
    await watcher.waitFor(messageWithSeq(after.seq));
    for (const client of [bobPhone, bobLaptop]) {
      await client.barrier();
      expect(client.events(roomId).some((frame) => frame.seq === after.seq)).toBe(false);
    }
    await Promise.all([bobPhone, bobLaptop, watcher].map((client) => client.close()));
  });

  it('stops delivery at once to a removed member, who then cannot subscribe again', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [carol] });
    const carolSocket = await WsTestClient.connectAs(server.baseUrl, carol.accessToken);
    const watcher = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await carolSocket.subscribe(roomId);
    await watcher.subscribe(roomId);

    expect((await http.delete(`/api/chat/rooms/${roomId}/members/${carol.userId}`, { token: alice.accessToken })).status).toBe(204);
    expect(await carolSocket.waitFor((frame) => frame.type === 'room.unsubscribed')).toEqual({ type: 'room.unsubscribed', roomId, reason: 'removed' });
    expect(carolSocket.events(roomId).at(-1)).toMatchObject({ event: 'MemberRemoved', data: { userId: carol.userId, removedBy: alice.userId } });

    const after = await sendRest(http, alice, roomId, 'carol must not see this', 'after-remove');
    await watcher.waitFor(messageWithSeq(after.seq));
    expect(await carolSocket.subscribe(roomId, 0)).toMatchObject({ type: 'chat.error', code: 'NOT_MEMBER' });
    await carolSocket.barrier();
    expect(JSON.stringify(carolSocket.frames)).not.toContain('carol must not see this');
    await Promise.all([carolSocket.close(), watcher.close()]);
  });

  it('unsubscribes on request, and says so even for a room it was not following', async () => {
    const roomId = await createRoom(http, alice, 'public');
    const client = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await client.subscribe(roomId);
    client.send({ type: 'room.unsubscribe', roomId, id: 'u-1' });
    expect(await client.waitFor((frame) => frame.ref === 'u-1')).toEqual({ type: 'room.unsubscribed', roomId, reason: 'requested', ref: 'u-1' });
    const watcher = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await watcher.subscribe(roomId);
    const after = await sendRest(http, alice, roomId, 'no longer followed', 'after-unsub');
    await watcher.waitFor(messageWithSeq(after.seq));
    await client.barrier();
    expect(client.events(roomId).some((frame) => frame.seq === after.seq)).toBe(false);
    await Promise.all([client.close(), watcher.close()]);
  });
});
