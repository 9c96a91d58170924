import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import { PRIVACY_TOKENS } from '../../src/composition/privacyBindings.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { userStreamId, usernameStreamId } from '../../src/domain/ids.js';
import { HttpClient, STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Issue #15: a username that looks like someone else's is refused with USERNAME_TAKEN and details.confusableWith,
// whether that account was registered with username skeletons or before them (holding only its old claim).

const register = (http: HttpClient, username: string, displayName?: string) =>
  http.post('/api/auth/register', { body: { username, password: STRONG_PASSWORD, ...(displayName ? { displayName } : {}) } });
const login = (http: HttpClient, username: string) =>
  http.post('/api/auth/login', { body: { username, password: STRONG_PASSWORD } });
const setDisplayName = async (http: HttpClient, username: string, displayName: string) => {
  const token: string = (await login(http, username)).body.accessToken;
  return http.patch('/api/users/me', { token, body: { displayName, statusText: 'here' } });
};

const LIMITS = { AUTH_RATE_LIMIT_PER_MINUTE: '1000' };

describe('look-alike usernames', () => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer(LIMITS);
    http = new HttpClient(server.baseUrl);
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('refuses аlice (Cyrillic а) after alice with 409 USERNAME_TAKEN naming alice, and claims nothing for it', async () => {
    expect((await register(http, 'alice')).status).toBe(201);
    const refused = await register(http, 'аlice');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'USERNAME_TAKEN', details: { username: 'аlice', confusableWith: 'alice' } });
    const log = await server.server.service(TOKENS.eventLog);
    expect(await log.streamVersion(usernameStreamId('аlice'))).toBe(0);
  });

  it('refuses aIice (capital I, drawn as l) after alice, claiming nothing for it, and Ian after lan but not ian', async () => {
    const refused = await register(http, 'aIice');
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'USERNAME_TAKEN', details: { username: 'aIice', confusableWith: 'alice' } });
    const log = await server.server.service(TOKENS.eventLog);
    // Neither its case-folded skeleton's stream nor its own, though a refusal at the second claim would have left one.
    expect(await log.streamVersion(usernameStreamId('aiice'))).toBe(0);
    expect((await register(http, 'lan')).status).toBe(201);
    expect((await register(http, 'Ian')).body.error).toMatchObject({ details: { username: 'Ian', confusableWith: 'lan' } });
    expect((await register(http, 'ian')).status).toBe(201);
  });

  it('refuses the same name in other letters or case as taken (ａlice, ALICE)', async () => {
    for (const name of ['ａlice', 'ALICE']) {
      const refused = await register(http, name);
      expect(refused.status, name).toBe(409);
      expect(refused.body.error.code, name).toBe('USERNAME_TAKEN');
    }
  });

  it('refuses torn and tоm after tom (m looks like rn), keeps alicia apart from alice, and logs each one in', async () => {
    expect((await register(http, 'tom')).status).toBe(201);
    for (const name of ['torn', 'tоm']) {
      const refused = await register(http, name);
      expect(refused.status, name).toBe(409);
      expect(refused.body.error.details, name).toEqual({ username: name, confusableWith: 'tom' });
    }
    expect((await register(http, 'alicia')).status).toBe(201);
    for (const name of ['alice', 'ALICE', 'tom', 'alicia']) expect((await login(http, name)).status, name).toBe(200);
  });

  it("refuses a display name like another's username, at registration and later, but not one's own", async () => {
    const atRegistration = await register(http, 'mallory', 'аlice');
    expect(atRegistration.status).toBe(409);
    expect(atRegistration.body.error).toEqual({
      code: 'DISPLAY_NAME_CONFUSABLE',
      message: expect.any(String),
      details: { displayName: 'аlice', confusableWith: 'alice' },
    });
    expect((await register(http, 'mallory', 'Mallory')).status).toBe(201);
    for (const displayName of ['Alice', 'TORN']) {
      const refused = await setDisplayName(http, 'mallory', displayName);
      expect(refused.status, displayName).toBe(409);
      expect(refused.body.error.code, displayName).toBe('DISPLAY_NAME_CONFUSABLE');
    }
    expect((await setDisplayName(http, 'mallory', 'Alice M.')).status).toBe(200);
    expect((await setDisplayName(http, 'tom', 'Torn')).status).toBe(200);
    // Display names need not be unique among themselves, only unlike other people's usernames.
    expect((await register(http, 'alicia2', 'Alicia')).body.error.details).toEqual({ displayName: 'Alicia', confusableWith: 'alicia' });
    expect((await register(http, 'alicia2', 'Alicia B.')).status).toBe(201);
    expect((await register(http, 'alicia3', 'Alicia B.')).status).toBe(201);
  });

  it("finds tom by name for `chat users`, and nobody by torn, though tom's skeleton claim is username-torn", async () => {
    const administration = await server.server.service(PRIVACY_TOKENS.userAdministration);
    expect((await administration.findUser('TOM')).username).toBe('tom');
    await expect(administration.findUser('torn')).rejects.toMatchObject({ code: 'NO_USER' });
  });
});

describe('look-alikes of accounts registered before username skeletons', () => {
  let server: TestServer;
  let http: HttpClient;

  /** Registers as the release before skeletons did: the normalised name's claim only, then the user. */
  async function registerTheOldWay(username: string, userId: string, displayName = username): Promise<void> {
    const executors = await server.server.service(TOKENS.executors);
    const passwordHash = await (await server.server.service(TOKENS.passwordHasher)).hash(STRONG_PASSWORD);
    const context = { actor: { userId, role: 'user' as const }, limits: DEFAULT_LIMITS };
    const metadata = { commandId: `old-${userId}`, correlationId: `old-${userId}` };
    await executors.usernames.execute(usernameStreamId(username), { type: 'ClaimUsername', username, userId }, context, metadata);
    await executors.users.execute(
      userStreamId(userId),
      { type: 'RegisterUser', userId, username, email: null, displayName, passwordHash, role: 'user' },
      context,
      { ...metadata, commandId: `${metadata.commandId}/register` },
    );
  }

  beforeAll(async () => {
    // The old accounts are in the data before this server starts, as after an upgrade.
    const before = await startTestServer(LIMITS);
    server = before;
    await registerTheOldWay('alice', 'u-old-alice');
    await registerTheOldWay('Tom', 'u-old-tom');
    await registerTheOldWay('b0b', 'u-old-bob');
    await registerTheOldWay('mallory', 'u-old-mallory', 'alice');
    await registerTheOldWay('Ivy', 'u-old-ivy');
    await before.stop();
    server = await startTestServer(LIMITS, before.dataDir);
    http = new HttpClient(server.baseUrl);
  });

  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('holds only the old claim for each old account', async () => {
    const log = await server.server.service(TOKENS.eventLog);
    expect(await log.streamVersion('username-torn')).toBe(0);
    expect(await log.streamVersion('username-tom')).toBe(1);
  });

  it.each([
    ['аlice', 'alice'],
    ['torn', 'tom'],
    ['tоm', 'tom'],
    ['bob', 'b0b'],
    ['bоb', 'b0b'],
    ['lvy', 'ivy'],
  ])('refuses %s, a look-alike of the old account %s', async (name, existing) => {
    const refused = await register(http, name);
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'USERNAME_TAKEN', details: { username: name, confusableWith: existing } });
  });

  it('refuses an old name again, in any case, as taken', async () => {
    for (const name of ['alice', 'TOM', 'B0B']) {
      const refused = await register(http, name);
      expect(refused.status, name).toBe(409);
      expect(refused.body.error.code, name).toBe('USERNAME_TAKEN');
    }
  });

  it("refuses display names like the old accounts' usernames, but lets a display name from before the rule be sent again", async () => {
    const refused = await setDisplayName(http, 'alice', 'B0B');
    expect(refused.status).toBe(409);
    expect(refused.body.error.details).toEqual({ displayName: 'B0B', confusableWith: 'b0b' });
    expect((await setDisplayName(http, 'mallory', 'alice')).status).toBe(200);
    expect((await setDisplayName(http, 'mallory', 'Tom')).status).toBe(409);
  });

  it('logs the old accounts in by their names, and registers and logs in a name like none of them', async () => {
    for (const name of ['alice', 'tom', 'Tom', 'b0b']) expect((await login(http, name)).status, name).toBe(200);
    expect((await register(http, 'carol')).status).toBe(201);
    expect((await login(http, 'carol')).status).toBe(200);
  });
});
