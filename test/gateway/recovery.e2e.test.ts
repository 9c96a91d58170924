import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, headSeqOf, HttpClient, sendRest, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient, type Frame } from '../support/wsClient.js';

// Gap-free recovery: `room.subscribe {afterSeq}` replays everything after afterSeq from the log, then streams
// live, with no gap and no duplicate, also while messages keep arriving during the replay.

const seqsOf = (frames: Frame[]) => frames.map((frame) => frame.seq);
const range = (from: number, to: number) => Array.from({ length: Math.max(0, to - from + 1) }, (_, index) => from + index);

describe('recovery after a disconnect', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;

  beforeAll(async () => {
    server = await startTestServer({ SEND_LIMIT_PER_SECOND: '100000', SEND_LIMIT_PER_MINUTE: '100000' });
    http = new HttpClient(server.baseUrl);
    [alice, bob] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('replays what was sent while the client was away, from several afterSeq positions, then goes live', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    for (let index = 0; index < 5; index++) await sendRest(http, alice, roomId, `before ${index}`, `b-${index}`);

    // Bob follows the room, then drops off after seeing everything up to lastSeen.
    const first = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await first.subscribe(roomId, 0);
    const lastSeen = await headSeqOf(http, alice, roomId);
    await first.waitFor((frame) => frame.type === 'chat.event' && frame.seq === lastSeen);
    await first.close();

    for (let index = 0; index < 7; index++) await sendRest(http, alice, roomId, `while away ${index}`, `a-${index}`);
    const head = await headSeqOf(http, alice, roomId);

    // The full sequence, as a fresh client replaying from 0 sees it: every seq 1..head, each once.
    const reference = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    expect(await reference.subscribe(roomId, 0)).toMatchObject({ type: 'room.subscribed', roomId, headSeq: head });
    const full = await reference.waitForCount((frame) => frame.type === 'chat.event', head);
    expect(seqsOf(full)).toEqual(range(1, head));
    expect(full[0].event).toBe('RoomCreated');

    const middle = Math.floor(head / 2);
    for (const afterSeq of [0, middle, lastSeen, head]) {
      // Each round adds one live message, so the head moves on.
      const currentHead = await headSeqOf(http, alice, roomId);
      const client = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
      const subscribed = await client.subscribe(roomId, afterSeq);
      expect(subscribed).toMatchObject({ type: 'room.subscribed', roomId, headSeq: currentHead });
      // Then one live message: it must follow the replay directly.
      const live = await sendRest(http, alice, roomId, `live after ${afterSeq}`, `live-${afterSeq}`);
      const received = await client.waitForCount((frame) => frame.type === 'chat.event', live.seq - afterSeq);
      expect(seqsOf(received)).toEqual(range(afterSeq + 1, live.seq));
      expect(received.slice(0, Math.max(0, head - afterSeq))).toEqual(full.slice(afterSeq));
      expect(received.at(-1)).toMatchObject({ event: 'MessageSent', data: { text: `live after ${afterSeq}` } });
      await client.barrier();
      expect(client.events(roomId)).toHaveLength(live.seq - afterSeq);
      await client.close();
    }
    await reference.close();
  });

  it('without afterSeq streams only what comes after the headSeq it reports', async () => {
    const roomId = await createRoom(http, alice, 'public');
    await sendRest(http, alice, roomId, 'old news', 'old');
    const client = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const subscribed = await client.subscribe(roomId);
    const live = await sendRest(http, alice, roomId, 'news', 'new');
    const [event] = await client.waitForCount((frame) => frame.type === 'chat.event', 1);
    expect(event.seq).toBe(live.seq);
    expect(live.seq).toBe(subscribed.headSeq + 1);
    await client.barrier();
    expect(client.events(roomId)).toHaveLength(1);
    await client.close();
  });

  it('never sends a seq at or below afterSeq, even an afterSeq beyond the head', async () => {
    const roomId = await createRoom(http, alice, 'public');
    const client = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const subscribed = await client.subscribe(roomId, 1000);
    expect(subscribed.headSeq).toBeLessThan(1000);
    await sendRest(http, alice, roomId, 'below the client’s afterSeq', 'below');
    await client.barrier();
    expect(client.events(roomId)).toEqual([]);
    await client.close();
  });

  it('re-subscribing replaces the earlier subscription instead of doubling it', async () => {
    const roomId = await createRoom(http, alice, 'public');
    const client = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await client.subscribe(roomId);
    const resubscribed = await client.subscribe(roomId, 0);
    const live = await sendRest(http, alice, roomId, 'once', 'once');
    const events = await client.waitForCount((frame) => frame.type === 'chat.event', live.seq);
    expect(seqsOf(events)).toEqual(range(1, live.seq));
    expect(resubscribed.headSeq).toBe(live.seq - 1);
    await client.barrier();
    expect(client.events(roomId)).toHaveLength(live.seq);
    await client.close();
  });

  it('has no gap and no duplicate when messages arrive during the catch-up', async () => {
    const roomId = await createRoom(http, alice, 'public');
    // A history long enough (several replay pages, more bytes than the socket buffers hold) that a subscriber who
    // reads slowly is still catching up while new messages arrive.
    const senders = await Promise.all([0, 1, 2].map(() => WsTestClient.connectAs(server.baseUrl, alice.accessToken)));
    await sendMany(senders, roomId, 'history', 1500, 'h'.repeat(900));

    // Hammer from three connections while subscribers join from 0 at staggered moments; every other one stops
    // reading for a while, so its replay stalls and the live events pile up in its catch-up buffer.
    const hammer = sendMany(senders, roomId, 'during', 600);
    const subscribers: WsTestClient[] = [];
    for (let index = 0; index < 6; index++) {
      const subscriber = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
      subscriber.send({ type: 'room.subscribe', roomId, afterSeq: 0 });
      if (index % 2 === 1) subscriber.pause();
      subscribers.push(subscriber);
      await senders[0]!.waitForCount((frame) => frame.type === 'chat.ack', 500 + index * 15, 30_000);
    }
    for (const subscriber of subscribers) subscriber.resume();
    await hammer;
    const head = await headSeqOf(http, alice, roomId);
    for (const subscriber of subscribers) {
      const events = await subscriber.waitForCount((frame) => frame.type === 'chat.event', head, 30_000);
      expect(seqsOf(events)).toEqual(range(1, head));
    }
    const last = await sendRest(http, alice, roomId, 'after the storm', 'after');
    for (const subscriber of subscribers) {
      await subscriber.waitFor((frame) => frame.type === 'chat.event' && frame.seq === last.seq);
      await subscriber.barrier();
      expect(seqsOf(subscriber.events(roomId))).toEqual(range(1, last.seq));
    }
    await Promise.all([...senders, ...subscribers].map((client) => client.close()));
  }, 120_000);

  it('never reveals the text of a deleted message, in replay or live', async () => {
    const roomId = await createRoom(http, alice, 'private', { members: [bob] });
    const watcher = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await watcher.subscribe(roomId);

    const secret = await sendRest(http, alice, roomId, 'secret-one', 'doomed-1');
    const edited = await sendRest(http, alice, roomId, 'secret-two', 'doomed-2');
    const kept = await sendRest(http, alice, roomId, 'kept text', 'kept');
    expect((await http.patch(`/api/chat/messages/${edited.messageId}`, { token: alice.accessToken, body: { text: 'secret-edit' } })).status).toBe(200);
    expect((await http.delete(`/api/chat/messages/${secret.messageId}`, { token: alice.accessToken })).status).toBe(204);
    expect((await http.delete(`/api/chat/messages/${edited.messageId}`, { token: alice.accessToken })).status).toBe(204);

    // Live: the deletes carry no text.
    const liveDeletes = await watcher.waitForCount((frame) => frame.type === 'chat.event' && frame.event === 'MessageDeleted', 2);
    for (const frame of liveDeletes) expect(frame.data).not.toHaveProperty('text');

    // Replay: the sent and edited frames of the deleted messages have text null; the kept one keeps its text.
    const late = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    await late.subscribe(roomId, 0);
    const head = await headSeqOf(http, alice, roomId);
    const replayed = await late.waitForCount((frame) => frame.type === 'chat.event', head);
    expect(JSON.stringify(replayed)).not.toContain('secret-');
    const byMessage = (messageId: string) => replayed.filter((frame) => frame.data.messageId === messageId);
    expect(byMessage(secret.messageId).map((frame) => [frame.event, frame.data.text])).toEqual([
      ['MessageSent', null],
      ['MessageDeleted', undefined],
    ]);
    expect(byMessage(edited.messageId).map((frame) => [frame.event, frame.data.text])).toEqual([
      ['MessageSent', null],
      ['MessageEdited', null],
      ['MessageDeleted', undefined],
    ]);
    expect(byMessage(kept.messageId)[0].data.text).toBe('kept text');
    await Promise.all([watcher.close(), late.close()]);
  });
});

/** Sends `count` messages spread over the sockets, each socket's frames pipelined; resolves when all are acked. */
async function sendMany(senders: WsTestClient[], roomId: string, prefix: string, count: number, padding = ''): Promise<void> {
  const perSender = senders.map(() => 0);
  for (let index = 0; index < count; index++) {
    const which = index % senders.length;
    perSender[which]! += 1;
    senders[which]!.send({ type: 'chat.send', roomId, text: `${prefix} ${index} ${padding}`, clientMessageId: `${prefix}-${index}` });
  }
  await Promise.all(
    senders.map((sender, which) =>
      sender.waitForCount((frame) => frame.type === 'chat.ack' && String(frame.clientMessageId).startsWith(`${prefix}-`), perSender[which]!, 60_000),
    ),
  );
}
