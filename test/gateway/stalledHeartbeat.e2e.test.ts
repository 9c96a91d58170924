import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { HttpClient, signUp, type User } from '../support/chatFixture.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// The server's own event loop can stall (a GC pause, a long synchronous task, the process starved of CPU on a
// loaded machine) for longer than a ping interval. The pongs that arrived meanwhile sit unread in the sockets
// when the next tick comes; judging them then would drop every client at once, for the server's own delay (and
// send them all reconnecting together). Here the stall is in the same process as the server, as it is in these
// tests: the client blocks the loop before it answers.

const PING_INTERVAL_MS = 200;

const stallFor = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // Busy on purpose: the whole process, server included, is blocked.
  }
};

describe('the heartbeat across a stalled event loop', () => {
  let server: TestServer;
  let alice: User;

  beforeAll(async () => {
    server = await startTestServer({ WS_PING_INTERVAL_MS: String(PING_INTERVAL_MS) });
    alice = await signUp(new HttpClient(server.baseUrl), 'alice');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('keeps a client whose pong was written while the loop stalled past the next tick', async () => {
    let stalls = 0;
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken, {
      answerPings: (self) => {
        // The next tick falls due while the loop is blocked; the pong goes out just before that late tick runs.
        if (stalls < 3) {
          stalls += 1;
          stallFor(PING_INTERVAL_MS * 1.5);
        }
        self.send({ type: 'pong' });
      },
    });
    await client.waitForCount((frame) => frame.type === 'ping', 6, 10_000);
    expect(stalls).toBe(3);
    expect(client.isOpen).toBe(true);
    await client.close();
  });

  it('still drops a client that does not answer', async () => {
    const silent = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    expect((await silent.closed).code).toBe(CLOSE_CODES.PING_TIMEOUT);
  });
});
