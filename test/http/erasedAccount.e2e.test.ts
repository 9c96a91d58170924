import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { runCli } from '../support/cliProcess.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// Erasing a user's personal data closes their account (issue #15): `chat users erase`, run as an operator runs it
// (its own process on the data directory of a running embedded server), and then everything the user held or could
// try, over real HTTP and WebSocket: sign-in, their access and refresh tokens, a live socket, a new socket, and
// their username.

describe('an erased account is closed', () => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    // Pings often, so a live socket's token is checked again within the test.
    server = await startTestServer({ WS_PING_INTERVAL_MS: '150', AUTH_RATE_LIMIT_PER_MINUTE: '100' });
    http = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('refuses sign-in, tokens and sockets with ACCOUNT_ERASED, keeps the username taken, and leaves others alone', async () => {
    const alice = await signUp(http, 'alice');
    const bob = await signUp(http, 'bob');
    const roomId: string = (await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'r', kind: 'public' } })).body
      .room.roomId;
    const live = await WsTestClient.connectAs(server.baseUrl, alice.accessToken, { answerPings: true });

    const erase = await runCli(['users', 'erase', 'alice', '--json'], { DATA_DIR: server.dataDir, EVENT_LOG: 'sqlite' });
    expect(erase.stderr).toBe('');
    expect(erase.code).toBe(0);
    expect(JSON.parse(erase.stdout)).toMatchObject({ userId: alice.userId, erased: true, recorded: true });

    // Sign-in with the right password says why, in the standard error body.
    const login = await http.post('/api/auth/login', { body: { username: 'alice', password: STRONG_PASSWORD } });
    expect(login.status).toBe(410);
    expect(login.body).toEqual({ error: { code: 'ACCOUNT_ERASED', message: expect.any(String) } });
    // A wrong password learns nothing about the erasure.
    const wrong = await http.post('/api/auth/login', { body: { username: 'alice', password: 'Wrong-Horse-9-battery' } });
    expect(wrong.status).toBe(401);
    expect(wrong.body.error.code).toBe('INVALID_CREDENTIALS');

    // The access token she held stops working at its next check, on every route.
    for (const response of [
      await http.get('/api/auth/me', { token: alice.accessToken }),
      await http.post(`/api/chat/rooms/${roomId}/join`, { token: alice.accessToken }),
      await http.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'back?', clientMessageId: 'a1' } }),
    ]) {
      expect(response.status).toBe(410);
      expect(response.body.error.code).toBe('ACCOUNT_ERASED');
    }
    // Her refresh token was revoked with the account, and says why like sign-in does.
    const refresh = await http.post('/api/auth/refresh', { body: { refreshToken: alice.refreshToken } });
    expect(refresh.status).toBe(410);
    expect(refresh.body).toEqual({ error: { code: 'ACCOUNT_ERASED', message: expect.any(String) } });

    // The socket she had open is told and closed at its next token check; a new one is refused at `auth`.
    expect((await live.waitFor((frame) => frame.type === 'chat.error', 5000)).code).toBe('ACCOUNT_ERASED');
    expect(await live.closed).toEqual({ code: CLOSE_CODES.AUTH_FAILED, reason: 'account erased' });
    const fresh = await WsTestClient.connect(server.baseUrl);
    fresh.send({ type: 'auth', token: alice.accessToken, id: 'again' });
    expect((await fresh.errorFor('again')).code).toBe('ACCOUNT_ERASED');
    expect((await fresh.closed).code).toBe(CLOSE_CODES.AUTH_FAILED);

    // Her username stays taken, in any case: nobody can sign up as her.
    for (const username of ['alice', 'ALICE']) {
      const taken = await http.post('/api/auth/register', { body: { username, password: STRONG_PASSWORD } });
      expect(taken.status).toBe(409);
      expect(taken.body.error.code).toBe('USERNAME_TAKEN');
    }

    // Bob is untouched.
    expect((await http.get('/api/auth/me', { token: bob.accessToken })).status).toBe(200);
    expect((await http.post(`/api/chat/rooms/${roomId}/join`, { token: bob.accessToken })).status).toBeLessThan(300);
    expect((await http.post('/api/auth/login', { body: { username: 'bob', password: STRONG_PASSWORD } })).status).toBe(200);
  }, 60_000);
});
