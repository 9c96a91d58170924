import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../support/chatFixture.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// The heartbeat is spread over its interval: every connection is pinged once per WS_PING_INTERVAL_MS, but not all
// at the same instant, which made one stall of every ping, token re-check and pong per interval.

const INTERVAL_MS = 1000;
const CLIENTS = 20;

describe('the heartbeat, spread over its interval', () => {
  let server: TestServer;
  let alice: User;

  beforeAll(async () => {
    server = await startTestServer({ WS_PING_INTERVAL_MS: String(INTERVAL_MS) });
    alice = await signUp(new HttpClient(server.baseUrl), 'alice');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('pings each connection once per interval, the connections in turns across it', { timeout: 30_000 }, async () => {
    const pingsAt: number[][] = Array.from({ length: CLIENTS }, () => []);
    const clients: WsTestClient[] = [];
    for (let i = 0; i < CLIENTS; i++) {
      clients.push(
        await WsTestClient.connectAs(server.baseUrl, alice.accessToken, {
          answerPings: (self) => {
            pingsAt[i]?.push(Date.now());
            self.send({ type: 'pong' });
          },
        }),
      );
    }
    await Promise.all(clients.map((client) => client.waitForCount((frame) => frame.type === 'ping', 3, 10 * INTERVAL_MS)));

    for (const times of pingsAt) {
      const gaps = times.slice(1).map((at, i) => at - (times[i] ?? at));
      // Once per interval: each gap about one interval (a loaded machine delays timers a little).
      for (const gap of gaps) {
        expect(gap).toBeGreaterThan(INTERVAL_MS * 0.6);
        expect(gap).toBeLessThan(INTERVAL_MS * 1.6);
      }
    }
    // In turns: the pings of one interval arrive in many separate bursts, not in one (all at once was one burst).
    const firstRound = pingsAt.map((times) => times[1] ?? 0).sort((a, b) => a - b);
    const bursts = 1 + firstRound.slice(1).filter((at, i) => at - (firstRound[i] ?? at) > 30).length;
    expect(bursts).toBeGreaterThanOrEqual(5);
    await Promise.all(clients.map((client) => client.close()));
  });
});
