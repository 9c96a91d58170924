import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRoom, type User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// A client whose pong arrives behind a burst of its own frames is alive: the gateway handles frames one at a time,
// so that pong waits in the inbox (or, once reading is paused for backpressure, in the socket) while the next ping
// tick comes. Counting it only once handled used to close busy clients with 4002 under load.

const BURSTS = 3;
const SENDS_PER_BURST = 1000;

describe('the heartbeat of a busy client', () => {
  let server: TestServer;
  let alice: User;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer({
      WS_PING_INTERVAL_MS: '300',
      SEND_LIMIT_PER_SECOND: '10000',
      SEND_LIMIT_PER_MINUTE: '100000',
    });
    const http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
    roomId = await createRoom(http, alice, 'public');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('keeps a client whose pongs queue behind bursts of sends, and acknowledges every send', { timeout: 90_000 }, async () => {
    let bursts = 0;
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken, {
      answerPings: (self) => {
        // The first pings each get a burst before their pong; later ones a pong at once, as any live client
        // answers (a client that stopped answering would rightly be closed while its last acks are on the way).
        if (bursts < BURSTS) {
          bursts += 1;
          for (let i = 0; i < SENDS_PER_BURST; i++) {
            self.send({ type: 'chat.send', roomId, text: `burst ${bursts} #${i}`, clientMessageId: `b${bursts}-${i}` });
          }
        }
        self.send({ type: 'pong' });
      },
    });

    const closedEarly = client.closed.then(({ code }) => {
      throw new Error(`the gateway closed the busy client with ${code}`);
    });
    const acks = await Promise.race([
      client.waitForCount((frame) => frame.type === 'chat.ack', BURSTS * SENDS_PER_BURST, 60_000),
      closedEarly,
    ]);
    expect(new Set(acks.map((ack) => ack.clientMessageId)).size).toBe(BURSTS * SENDS_PER_BURST);
    expect(client.isOpen).toBe(true);
    closedEarly.catch(() => undefined);
    await client.close();
  });
});
