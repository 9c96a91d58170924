import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// The connection's life before any chat: in-band auth within the timeout, the heartbeat, and who may connect.

describe('WebSocket authentication and heartbeat', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: Awaited<ReturnType<typeof signUp>>;

  beforeAll(async () => {
    server = await startTestServer({
      WS_AUTH_TIMEOUT_MS: '300',
      WS_PING_INTERVAL_MS: '150',
      WS_ALLOWED_ORIGINS: 'https://chat.example.test',
    });
    http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('answers a valid auth frame with auth.success carrying the user id and the frame id as ref', async () => {
    const client = await WsTestClient.connect(server.baseUrl);
    client.send({ type: 'auth', token: alice.accessToken, id: 'a-1' });
    const success = await client.waitFor((frame) => frame.type === 'auth.success');
    expect(success).toEqual({ type: 'auth.success', userId: alice.userId, ref: 'a-1' });
    await client.close();
  });

  it('closes with 4001 after AUTH_TIMEOUT when no auth frame comes in time', async () => {
    const client = await WsTestClient.connect(server.baseUrl);
    const error = await client.waitFor((frame) => frame.type === 'chat.error');
    expect(error.code).toBe('AUTH_TIMEOUT');
    expect((await client.closed).code).toBe(CLOSE_CODES.AUTH_TIMEOUT);
  });

  it('refuses a bad token with AUTH_FAILED and closes with 4003', async () => {
    const client = await WsTestClient.connect(server.baseUrl);
    client.send({ type: 'auth', token: 'not.a.jwt', id: 7 });
    const error = await client.errorFor(7);
    expect(error.code).toBe('AUTH_FAILED');
    expect(error.message).toEqual(expect.any(String));
    expect((await client.closed).code).toBe(CLOSE_CODES.AUTH_FAILED);
  });

  it('refuses a logged-out token with its own code (TOKEN_REVOKED) and closes with 4003', async () => {
    const bob = await signUp(http, 'bob-logout');
    expect((await http.post('/api/auth/logout', { token: bob.accessToken })).status).toBe(204);
    const client = await WsTestClient.connect(server.baseUrl);
    client.send({ type: 'auth', token: bob.accessToken, id: 'x' });
    expect((await client.errorFor('x')).code).toBe('TOKEN_REVOKED');
    expect((await client.closed).code).toBe(CLOSE_CODES.AUTH_FAILED);
  });

  it('closes a live connection with TOKEN_REVOKED and 4003 once its token is logged out', async () => {
    const carol = await signUp(http, 'carol-live-logout');
    const client = await WsTestClient.connectAs(server.baseUrl, carol.accessToken, { answerPings: true });
    await client.waitForCount((frame) => frame.type === 'ping', 2);
    expect(client.isOpen).toBe(true);
    expect((await http.post('/api/auth/logout', { token: carol.accessToken })).status).toBe(204);
    const error = await client.waitFor((frame) => frame.type === 'chat.error');
    expect(error.code).toBe('TOKEN_REVOKED');
    expect(await client.closed).toEqual({ code: CLOSE_CODES.AUTH_FAILED, reason: 'token revoked' });
  });

  it('answers frames before auth with AUTH_REQUIRED and still accepts auth afterwards', async () => {
    const client = await WsTestClient.connect(server.baseUrl);
    client.send({ type: 'room.subscribe', roomId: 'whatever', id: 'early' });
    client.send({ type: 'chat.send', roomId: 'whatever', text: 'hi', clientMessageId: 'c-early' });
    expect((await client.errorFor('early')).code).toBe('AUTH_REQUIRED');
    expect((await client.errorFor('c-early')).code).toBe('AUTH_REQUIRED');
    client.send({ type: 'auth', token: alice.accessToken });
    await client.waitFor((frame) => frame.type === 'auth.success');
    expect(client.isOpen).toBe(true);
    await client.close();
  });

  it('refuses a second auth frame on an authenticated connection', async () => {
    const client = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);
    client.send({ type: 'auth', token: alice.accessToken, id: 'again' });
    expect((await client.errorFor('again')).code).toBe('VALIDATION_FAILED');
    await client.close();
  });

  it('keeps a client that answers every ping and drops one that does not with 4002', async () => {
    const answering = await WsTestClient.connectAs(server.baseUrl, alice.accessToken, { answerPings: true });
    const silent = await WsTestClient.connectAs(server.baseUrl, alice.accessToken);

    await silent.waitFor((frame) => frame.type === 'ping');
    expect((await silent.closed).code).toBe(CLOSE_CODES.PING_TIMEOUT);

    // Several pings later the answering client is still there.
    await answering.waitForCount((frame) => frame.type === 'ping', 4);
    expect(answering.isOpen).toBe(true);
    await answering.close();
  });

  it('closes a live connection with TOKEN_EXPIRED and 4003 once its token expires', async () => {
    const shortLived = await startTestServer({ WS_PING_INTERVAL_MS: '150', ACCESS_TOKEN_TTL_SECONDS: '1' });
    try {
      const dave = await signUp(new HttpClient(shortLived.baseUrl), 'dave');
      const client = await WsTestClient.connectAs(shortLived.baseUrl, dave.accessToken, { answerPings: true });
      const error = await client.waitFor((frame) => frame.type === 'chat.error', 10_000);
      expect(error.code).toBe('TOKEN_EXPIRED');
      expect(await client.closed).toEqual({ code: CLOSE_CODES.AUTH_FAILED, reason: 'token expired' });
    } finally {
      await shortLived.stop({ removeData: true });
    }
  });

  describe('Origin allow-list', () => {
    it('accepts clients without an Origin (not a browser)', async () => {
      const client = await WsTestClient.connect(server.baseUrl);
      expect(client.isOpen).toBe(true);
      await client.close();
    });

    it('accepts a listed origin and the server\'s own origin', async () => {
      const listed = await WsTestClient.connect(server.baseUrl, { origin: 'https://chat.example.test' });
      const own = await WsTestClient.connect(server.baseUrl, { origin: server.baseUrl });
      expect(listed.isOpen && own.isOpen).toBe(true);
      await listed.close();
      await own.close();
    });

    it('refuses any other origin, and the opaque origin "null", with 403 before upgrading', async () => {
      await expect(WsTestClient.connect(server.baseUrl, { origin: 'https://evil.example.test' })).rejects.toThrow('403');
      await expect(WsTestClient.connect(server.baseUrl, { origin: 'null' })).rejects.toThrow('403');
    });

    it('answers upgrades on other paths with 404', async () => {
      const response = await new Promise<number>((resolve, reject) => {
        import('ws').then(({ default: WebSocket }) => {
          const ws = new WebSocket(`${server.baseUrl.replace('http', 'ws')}/not-ws`);
          ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
          ws.on('open', () => reject(new Error('opened')));
          ws.on('error', () => undefined);
        }, reject);
      });
      expect(response).toBe(404);
    });
  });
});
