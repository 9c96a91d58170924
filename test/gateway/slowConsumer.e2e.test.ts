import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { createRoom, HttpClient, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// A subscriber that stops reading must not make the server hold an ever-growing send buffer: once its unsent
// data stays above WS_MAX_BUFFERED_BYTES for the grace period it is closed with 4008, and everyone else carries on.

describe('slow consumers', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: User;
  let bob: User;
  let carol: User;

  beforeAll(async () => {
    server = await startTestServer({
      WS_MAX_BUFFERED_BYTES: String(64 * 1024),
      WS_SLOW_CONSUMER_GRACE_MS: '200',
      // Long enough for the paused client to resume and read its way to the close frame.
      WS_CLOSE_TIMEOUT_MS: '20000',
      MAX_MESSAGE_LENGTH: '10000',
      SEND_LIMIT_PER_SECOND: '100000',
      SEND_LIMIT_PER_MINUTE: '100000',
    });
    http = new HttpClient(server.baseUrl);
    [alice, bob, carol] = await Promise.all([signUp(http, 'alice'), signUp(http, 'bob'), signUp(http, 'carol')]);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('closes a subscriber that stops reading with 4008 while a normal subscriber receives everything', async () => {
    const gateway = await server.server.service(TOKENS.webSocketGateway);
    const roomId = await createRoom(http, alice, 'private', { members: [bob, carol] });
    const sender = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    const slow = await WsTestClient.connectAs(server.baseUrl, bob.accessToken);
    const normal = await WsTestClient.connectAs(server.baseUrl, carol.accessToken);
    await slow.subscribe(roomId);
    await normal.subscribe(roomId);
    slow.pause();
    expect(gateway.connectionCount).toBe(3);

    // Big messages until the server gives up on the slow reader (the kernel's socket buffers absorb the first
    // megabytes, so how many it takes depends on the machine; the bound only keeps a broken build from looping).
    const padding = 'x'.repeat(9000);
    let sent = 0;
    while (gateway.connectionCount === 3 && sent < 3000) {
      for (let index = 0; index < 20; index++, sent++) {
        sender.send({ type: 'chat.send', roomId, text: `${sent} ${padding}`, clientMessageId: `big-${sent}` });
      }
      await sender.waitForCount((frame) => frame.type === 'chat.ack', sent, 30_000);
    }
    expect(gateway.connectionCount).toBe(2);

    // The normal subscriber got every message, in order.
    const acks = sender.frames.filter((frame) => frame.type === 'chat.ack');
    const events = await normal.waitForCount((frame) => frame.type === 'chat.event', acks.length, 30_000);
    expect(events.map((frame) => frame.seq)).toEqual(acks.map((frame) => frame.seq));

    // The slow one, once it reads again, finds the close code after whatever had been queued for it.
    slow.resume();
    expect(await slow.closed).toEqual({ code: CLOSE_CODES.SLOW_CONSUMER, reason: 'slow consumer' });
    // What it did get is an unbroken prefix of what was sent: the server cut it off, it never skipped frames.
    // (How long that prefix is depends on how much the kernel buffered before the close, so only its shape is
    // asserted; under load it can even be everything sent before the close.)
    const slowSeqs = slow.events(roomId).map((frame) => frame.seq);
    expect(slowSeqs).toEqual(acks.slice(0, slowSeqs.length).map((frame) => frame.seq));

    // Sending goes on for those still here.
    sender.send({ type: 'chat.send', roomId, text: 'after', clientMessageId: 'after' });
    await normal.waitFor((frame) => frame.type === 'chat.event' && frame.data.clientMessageId === 'after');
    console.log(`slow consumer closed after ${sent} messages of ~9 KB`);
    await Promise.all([sender.close(), normal.close()]);
  }, 120_000);
});
