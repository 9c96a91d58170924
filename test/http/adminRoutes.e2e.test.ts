import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// PUT /api/admin/users/:userId/role: the REST face of `chat users grant`, for admin tokens only.

const roleInToken = (accessToken: string): unknown =>
  JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString('utf8')).role;

describe('PUT /api/admin/users/:userId/role', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_USERNAMES: 'root' });
    client = new HttpClient(server.baseUrl);
  });
  afterAll(() => server.stop({ removeData: true }));

  it("lets an admin change a role, which the user's next login carries; the old token keeps its role", async () => {
    const root = await signUp(client, 'root');
    const dana = await signUp(client, 'dana');
    const changed = await client.put(`/api/admin/users/${dana.userId}/role`, { token: root.accessToken, body: { role: 'analyst' } });
    expect(changed.status).toBe(200);
    expect(changed.body).toEqual({ user: { userId: dana.userId, username: 'dana', role: 'analyst', erased: false }, changed: true });
    const login = await client.post('/api/auth/login', { body: { username: 'dana', password: STRONG_PASSWORD } });
    expect(roleInToken(login.body.accessToken)).toBe('analyst');
    expect(roleInToken(dana.accessToken)).toBe('user');
    // The same role again records nothing.
    const again = await client.put(`/api/admin/users/dana/role`, { token: root.accessToken, body: { role: 'analyst' } });
    expect(again.body.changed).toBe(false);
  });

  it('refuses non-admins (403 FORBIDDEN), unknown roles (400) and unknown users (404 NO_USER)', async () => {
    const eve = await signUp(client, 'eve');
    const self = await client.put(`/api/admin/users/${eve.userId}/role`, { token: eve.accessToken, body: { role: 'admin' } });
    expect(self.status).toBe(403);
    expect(self.body.error.code).toBe('FORBIDDEN');
    const admin = await client.post('/api/auth/login', { body: { username: 'root', password: STRONG_PASSWORD } });
    const badRole = await client.put(`/api/admin/users/${eve.userId}/role`, { token: admin.body.accessToken, body: { role: 'god' } });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.code).toBe('VALIDATION_FAILED');
    const noUser = await client.put('/api/admin/users/nobody/role', { token: admin.body.accessToken, body: { role: 'auditor' } });
    expect(noUser.status).toBe(404);
    expect(noUser.body.error.code).toBe('NO_USER');
    const me = await client.post('/api/auth/login', { body: { username: 'eve', password: STRONG_PASSWORD } });
    expect(roleInToken(me.body.accessToken)).toBe('user');
  });

  it('DELETE /api/admin/users/:userId erases for admins only: the account is closed, a repeat changes nothing', async () => {
    const admin = await client.post('/api/auth/login', { body: { username: 'root', password: STRONG_PASSWORD } });
    const fred = await signUp(client, 'fred');
    const refused = await client.delete(`/api/admin/users/${fred.userId}`, { token: fred.accessToken });
    expect(refused.status).toBe(403);
    expect((await client.post('/api/auth/login', { body: { username: 'fred', password: STRONG_PASSWORD } })).status).toBe(200);
    const erased = await client.delete('/api/admin/users/fred', { token: admin.body.accessToken });
    expect(erased.status).toBe(200);
    expect(erased.body).toEqual({ user: { userId: fred.userId, username: 'fred', role: 'user', erased: true }, keyDestroyed: true, recorded: true });
    expect((await client.post('/api/auth/login', { body: { username: 'fred', password: STRONG_PASSWORD } })).status).toBe(410);
    const again = await client.delete(`/api/admin/users/${fred.userId}`, { token: admin.body.accessToken });
    expect(again.body).toMatchObject({ keyDestroyed: false, recorded: false });
  });
});
