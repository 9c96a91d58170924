import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Profiles over real HTTP in embedded mode: read and change your own, read anybody's public one; a change is one
// ProfileUpdated on the user's stream, visible in the answer, in every later read and in members lists; bad input
// and no-op changes append nothing.

describe('profiles over REST (embedded)', () => {
  let server: TestServer;
  let http: HttpClient;
  let alice: Awaited<ReturnType<typeof signUp>>;
  let bob: Awaited<ReturnType<typeof signUp>>;

  /** The event types of a user's stream, read from the log itself. */
  const userEvents = async (userId: string) => {
    const log = await server.server.service(TOKENS.eventLog);
    return log.readStream(`user-${userId}`);
  };

  beforeAll(async () => {
    server = await startTestServer();
    http = new HttpClient(server.baseUrl);
    alice = await signUp(http, 'alice');
    bob = await signUp(http, 'bob');
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('GET /api/users/me shows the account with an empty status and no avatar', async () => {
    const me = await http.get('/api/users/me', { token: alice.accessToken });
    expect(me.status).toBe(200);
    expect(me.body).toEqual({
      user: {
        userId: alice.userId,
        username: 'alice',
        email: null,
        displayName: 'alice',
        role: 'user',
        createdAt: expect.any(String),
        statusText: '',
        avatarUrl: null,
      },
    });
  });

  it('PATCH /api/users/me records ProfileUpdated and answers with the new profile; every later read shows it', async () => {
    const room = await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } });
    const roomId: string = room.body.room.roomId;
    const before = (await userEvents(alice.userId)).length;

    const patched = await http.patch('/api/users/me', {
      token: alice.accessToken,
      body: { displayName: '  Alice 🐇  ', statusText: 'in a meeting', avatarUrl: 'https://cdn.example.com/a.png' },
    });
    expect(patched.status).toBe(200);
    expect(patched.body.user).toMatchObject({
      userId: alice.userId,
      displayName: 'Alice 🐇',
      statusText: 'in a meeting',
      avatarUrl: 'https://cdn.example.com/a.png',
    });
    const events = await userEvents(alice.userId);
    expect(events.slice(before).map((event) => [event.type, event.data])).toEqual([
      [
        'ProfileUpdated',
        {
          userId: alice.userId,
          displayName: 'Alice 🐇',
          statusText: 'in a meeting',
          avatarUrl: 'https://cdn.example.com/a.png',
          avatarFileId: null,
        },
      ],
    ]);
    expect((await http.get('/api/users/me', { token: alice.accessToken })).body.user).toEqual(patched.body.user);
    // The account has one shape wherever it is answered: /auth/me and a login show the profile too.
    expect((await http.get('/api/auth/me', { token: alice.accessToken })).body.user).toEqual(patched.body.user);
    const login = await http.post('/api/auth/login', { body: { username: 'alice', password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    expect(login.body.user).toEqual(patched.body.user);
    const members = await http.get(`/api/chat/rooms/${roomId}/members`, { token: alice.accessToken });
    expect(members.body.members).toEqual([expect.objectContaining({ userId: alice.userId, displayName: 'Alice 🐇' })]);

    // Only the fields sent change; null removes the avatar.
    const cleared = await http.patch('/api/users/me', { token: alice.accessToken, body: { avatarUrl: null } });
    expect(cleared.body.user).toMatchObject({ displayName: 'Alice 🐇', statusText: 'in a meeting', avatarUrl: null });
  });

  it('GET /api/users/:id shows anybody the public profile only, and 404 NO_USER for nobody', async () => {
    await http.patch('/api/users/me', { token: bob.accessToken, body: { statusText: 'hello' } });
    const seen = await http.get(`/api/users/${bob.userId}`, { token: alice.accessToken });
    expect(seen.status).toBe(200);
    expect(seen.body).toEqual({
      user: { userId: bob.userId, username: 'bob', displayName: 'bob', statusText: 'hello', avatarUrl: null },
    });
    const nobody = await http.get('/api/users/no-such-user', { token: alice.accessToken });
    expect(nobody.status).toBe(404);
    expect(nobody.body.error.code).toBe('NO_USER');
    expect((await http.get(`/api/users/${bob.userId}`)).status).toBe(401);
  });

  it('refuses bad input with 400 VALIDATION_FAILED naming the field, and a no-op change appends nothing', async () => {
    const before = await userEvents(bob.userId);
    const profileBefore = (await http.get('/api/users/me', { token: bob.accessToken })).body.user;
    const bad: Array<[unknown, string]> = [
      [{ displayName: '   ' }, 'displayName'],
      [{ displayName: 'x'.repeat(65) }, 'displayName'],
      [{ statusText: 's'.repeat(141) }, 'statusText'],
      [{ avatarUrl: 'javascript:alert(1)' }, 'avatarUrl'],
      [{ avatarUrl: 'ftp://example.com/a.png' }, 'avatarUrl'],
      [{ avatarUrl: `https://example.com/${'a'.repeat(2048)}` }, 'avatarUrl'],
      [{ displayName: 42 }, 'displayName'],
      [{ nickname: 'bobby' }, ''],
      [{}, ''],
    ];
    for (const [body, field] of bad) {
      const refused = await http.patch('/api/users/me', { token: bob.accessToken, body });
      expect(refused.status, JSON.stringify(body)).toBe(400);
      expect(refused.body.error.code).toBe('VALIDATION_FAILED');
      if (field) expect(refused.body.error.details.issues.map((issue: { path: string }) => issue.path)).toContain(field);
    }
    // Unknown fields are named too (the strict object lists them).
    const unknown = await http.patch('/api/users/me', { token: bob.accessToken, body: { statusText: 'x', role: 'admin' } });
    expect(unknown.status).toBe(400);
    expect(JSON.stringify(unknown.body.error.details)).toContain('role');

    const same = await http.patch('/api/users/me', { token: bob.accessToken, body: { displayName: ' bob ', statusText: 'hello' } });
    expect(same.status).toBe(200);
    expect(same.body.user).toEqual(profileBefore);
    expect(await userEvents(bob.userId)).toEqual(before);
  });
});
