import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TYPING_EXPIRES_MS } from '../../src/gateway/frameHandlers.js';
import { createRoom, headSeqOf, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// Typing is ephemeral: relayed to the room's other subscribers, never written to the log.

describe('chat.typing', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    server = await startTestServer();
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it("reaches the other users' subscribers with an expiry, not the typist's own connections, and is never logged", async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const headBefore = await headSeqOf(http, alice, roomId);
    const typist = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const typistsOtherTab = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const reader = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    for (const client of [typist, typistsOtherTab, reader]) await client.subscribe(roomId);

    typist.send({ type: 'chat.typing', roomId, id: 'typing-1' });
    expect(await reader.waitFor((frame) => frame.type === 'chat.typing')).toEqual({
      type: 'chat.typing',
      roomId,
      userId: alice.userId,
      expiresInMs: TYPING_EXPIRES_MS,
    });
    await typist.barrier();
    await typistsOtherTab.barrier();
    for (const own of [typist, typistsOtherTab]) expect(own.frames.filter((frame) => frame.type === 'chat.typing')).toEqual([]);
    expect(typist.frames.filter((frame) => frame.type === 'chat.error')).toEqual([]);

    expect(await headSeqOf(http, alice, roomId)).toBe(headBefore);
    const replay = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await replay.subscribe(roomId, 0);
    const events = await replay.waitForCount((frame) => frame.type === 'chat.event', headBefore);
    expect(events.map((frame) => frame.event)).not.toContain('Typing');
    expect(events).toHaveLength(headBefore);
    await Promise.all([typist, typistsOtherTab, reader, replay].map((client) => client.close()));
  });

  it('is limited to one per user and room per interval, across the user’s connections', async () => {
    const roomId = await createRoom(http, alice, 'public');
    const tab1 = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const tab2 = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    tab1.send({ type: 'chat.typing', roomId, id: 'first' });
    await tab1.barrier();
    tab2.send({ type: 'chat.typing', roomId, id: 'second' });
    expect(await tab2.errorFor('second')).toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
    expect(tab1.frames.some((frame) => frame.type === 'chat.error')).toBe(false);
    await Promise.all([tab1.close(), tab2.close()]);
  });
});
