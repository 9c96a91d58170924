import { describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { createRoom, HttpClient, signUp } from '../support/chatFixture.js';
import { startTestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

describe('gateway shutdown', () => {
  it('closes every socket with 1001 (going away), authenticated or not, and the server stops', async () => {
    const server = await startTestServer();
    const http = new HttpClient(server.baseUrl);
    const alice = await signUp(http, 'alice');
    const roomId = await createRoom(http, alice, 'public');
    const subscribed = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    await subscribed.subscribe(roomId);
    const anonymous = await WsTestClient.connect(server.baseUrl);
    const gateway = await server.server.service(TOKENS.webSocketGateway);
    expect(gateway.connectionCount).toBe(2);

    await server.stop({ removeData: true });
    expect((await subscribed.closed).code).toBe(CLOSE_CODES.GOING_AWAY);
    expect((await anonymous.closed).code).toBe(CLOSE_CODES.GOING_AWAY);
    await expect(WsTestClient.connect(server.baseUrl)).rejects.toThrow();
  });
});
