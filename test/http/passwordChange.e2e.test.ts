import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ADMINISTRATOR, type UserAdministration } from '../../src/commands/user/userAdministration.js';
import { PRIVACY_TOKENS } from '../../src/composition/privacyBindings.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { WsTestClient } from '../support/wsClient.js';

// POST /api/auth/password over real HTTP and WebSocket in embedded mode: a PasswordChanged event with the new
// hash; the old password stops working and the new one works; every refresh token and every access token issued
// before the change is void (REST and new socket authentications) except the new pair; a wrong current password
// counts against the login lockout; bad input changes nothing.

const NEW_PASSWORD = 'Battery-Staple-77-horse';

describe('password change over REST (embedded)', () => {
  let server: TestServer;
  let http: HttpClient;

  const userEvents = async (userId: string) => (await server.server.service(TOKENS.eventLog)).readStream(`user-${userId}`);
  const login = (username: string, password: string) => http.post('/api/auth/login', { body: { username, password } });
  const change = (token: string, currentPassword: string, newPassword: string) =>
    http.post('/api/auth/password', { token, body: { currentPassword, newPassword } });

  beforeAll(async () => {
    // Pings often, so a live socket's token is checked again soon (as every ping does).
    server = await startTestServer({ WS_PING_INTERVAL_MS: '150' });
    http = new HttpClient(server.baseUrl);
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('records PasswordChanged, voids every earlier token, and the changing device stays signed in', async () => {
    const laptop = await signUp(http, 'carol');
    const phone = (await login('carol', STRONG_PASSWORD)).body;
    const rotated = (await http.post('/api/auth/refresh', { body: { refreshToken: phone.refreshToken } })).body;
    const dave = await signUp(http, 'dave');
    const before = (await userEvents(laptop.userId)).length;

    const changed = await change(laptop.accessToken, STRONG_PASSWORD, NEW_PASSWORD);
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: expect.any(Number),
      user: { userId: laptop.userId, username: 'carol' },
    });
    const recorded = (await userEvents(laptop.userId)).slice(before);
    expect(recorded.map((event) => event.type)).toEqual(['PasswordChanged']);
    expect(recorded[0]?.data).toEqual({ userId: laptop.userId, passwordHash: expect.stringMatching(/^\$argon2id\$/) });

    // Every access token issued before the change: 401 over REST.
    for (const token of [laptop.accessToken, phone.accessToken, rotated.accessToken]) {
      const me = await http.get('/api/users/me', { token });
      expect(me.status).toBe(401);
      expect(me.body.error.code).toBe('TOKEN_REVOKED');
    }
    // Every refresh token the user had (the rotated-away one included): 401.
    for (const refreshToken of [laptop.refreshToken, phone.refreshToken, rotated.refreshToken]) {
      expect((await http.post('/api/auth/refresh', { body: { refreshToken } })).status).toBe(401);
    }
    // ... and for a new WebSocket authentication.
    const socket = await WsTestClient.connect(server.baseUrl);
    socket.send({ type: 'auth', token: rotated.accessToken, id: 'old' });
    expect((await socket.errorFor('old')).code).toBe('TOKEN_REVOKED');
    expect((await socket.closed).code).toBe(CLOSE_CODES.AUTH_FAILED);

    // The new pair works, over REST, on a socket and through a refresh.
    expect((await http.get('/api/users/me', { token: changed.body.accessToken })).status).toBe(200);
    const fresh = await WsTestClient.connectAs(server.baseUrl, changed.body.accessToken);
    fresh.ws.close();
    const refreshed = await http.post('/api/auth/refresh', { body: { refreshToken: changed.body.refreshToken } });
    expect(refreshed.status).toBe(200);
    expect((await http.get('/api/users/me', { token: refreshed.body.accessToken })).status).toBe(200);

    // The old password no longer logs in; the new one does. Another user is untouched.
    const oldLogin = await login('carol', STRONG_PASSWORD);
    expect(oldLogin.status).toBe(401);
    expect(oldLogin.body.error.code).toBe('INVALID_CREDENTIALS');
    expect((await login('carol', NEW_PASSWORD)).status).toBe(200);
    expect((await http.get('/api/users/me', { token: dave.accessToken })).status).toBe(200);
  });

  it("closes the user's live sockets authenticated before the change at their next token check", async () => {
    const hank = await signUp(http, 'hank');
    const live = await WsTestClient.connectAs(server.baseUrl, hank.accessToken, { answerPings: true });
    await live.waitForCount((frame) => frame.type === 'ping', 2);
    const changed = await change(hank.accessToken, STRONG_PASSWORD, NEW_PASSWORD);
    expect(changed.status).toBe(200);
    expect((await live.waitFor((frame) => frame.type === 'chat.error')).code).toBe('TOKEN_REVOKED');
    expect(await live.closed).toEqual({ code: CLOSE_CODES.AUTH_FAILED, reason: 'token revoked' });
  });

  it('shows auditors the raw PasswordChanged event with its hash redacted', async () => {
    const gina = await signUp(http, 'gina');
    expect((await change(gina.accessToken, STRONG_PASSWORD, NEW_PASSWORD)).status).toBe(200);
    await signUp(http, 'audrey');
    const admins = await server.server.service<UserAdministration>(PRIVACY_TOKENS.userAdministration);
    await admins.grant(CLI_ADMINISTRATOR, 'audrey', 'auditor');
    const auditor = (await login('audrey', STRONG_PASSWORD)).body;
    const read = await http.get(`/api/audit/streams/user-${gina.userId}/events`, { token: auditor.accessToken });
    expect(read.status).toBe(200);
    expect(read.body.events.map((event: { type: string }) => event.type)).toEqual(['UserRegistered', 'PasswordChanged']);
    expect(read.body.events[1].data).toEqual({ userId: gina.userId, passwordHash: '[redacted]' });
    expect(JSON.stringify(read.body)).not.toContain('argon2');
  });

  it('refuses a wrong current password with 401 INVALID_CREDENTIALS, counted by the login lockout', async () => {
    const erin = await signUp(http, 'erin');
    for (let attempt = 1; attempt <= 4; attempt++) {
      const refused = await change(erin.accessToken, 'Not-The-Password-1', NEW_PASSWORD);
      expect(refused.status).toBe(401);
      expect(refused.body.error.code).toBe('INVALID_CREDENTIALS');
    }
    // The fifth failure is a login: five in all lock the account, for logins and password changes alike.
    expect((await login('erin', 'Not-The-Password-1')).status).toBe(401);
    const locked = await login('erin', STRONG_PASSWORD);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('ACCOUNT_LOCKED');
    expect((await change(erin.accessToken, STRONG_PASSWORD, NEW_PASSWORD)).body.error.code).toBe('ACCOUNT_LOCKED');
    // Nothing was recorded and the session is intact.
    expect((await userEvents(erin.userId)).map((event) => event.type)).toEqual(['UserRegistered']);
    expect((await http.get('/api/users/me', { token: erin.accessToken })).status).toBe(200);
  });

  it('refuses a weak new password (WEAK_PASSWORD), the same one again and malformed bodies (VALIDATION_FAILED), changing nothing', async () => {
    const frank = await signUp(http, 'frank');
    const weak = await change(frank.accessToken, STRONG_PASSWORD, 'password');
    expect(weak.status).toBe(400);
    expect(weak.body.error.code).toBe('WEAK_PASSWORD');
    const same = await change(frank.accessToken, STRONG_PASSWORD, STRONG_PASSWORD);
    expect(same.status).toBe(400);
    expect(same.body.error.code).toBe('VALIDATION_FAILED');
    for (const body of [{ newPassword: NEW_PASSWORD }, { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD, extra: 1 }]) {
      const malformed = await http.post('/api/auth/password', { token: frank.accessToken, body });
      expect(malformed.status).toBe(400);
      expect(malformed.body.error.code).toBe('VALIDATION_FAILED');
    }
    expect((await http.post('/api/auth/password', { body: { currentPassword: STRONG_PASSWORD, newPassword: NEW_PASSWORD } })).status).toBe(401);
    expect((await userEvents(frank.userId)).map((event) => event.type)).toEqual(['UserRegistered']);
    expect((await http.get('/api/users/me', { token: frank.accessToken })).status).toBe(200);
    expect((await login('frank', STRONG_PASSWORD)).status).toBe(200);
  });
});
