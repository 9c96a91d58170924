import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { PRIVACY_TOKENS } from '../../src/composition/privacyBindings.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { usernameSkeleton } from '../../src/domain/usernameSkeleton.js';
import { startFakeGitHub, type FakeGitHub, type GitHubUser } from '../support/fakeGitHub.js';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { freeLoopbackPort } from '../support/loopback.js';
import { errorOf, TestBrowser } from '../support/oauthBrowser.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Sign-in with GitHub (issue #18), against a local server that follows GitHub's documented OAuth and REST endpoints,
// and the rules about accounts that hold for every provider: a first sign-in makes an account whose username is
// unique and not confusable; an identity joins an existing account only when its signed-in user links it (never by
// e-mail); the last way to sign in cannot be unlinked; erasure, the login lockout, refresh rotation and logout apply.

const startedLink = z.object({ url: z.string() });

const octocat: GitHubUser = {
  id: 583231,
  login: 'octocat',
  name: 'The Octocat',
  emails: [{ email: 'octocat@github.example', primary: true, verified: true }],
};
const user = (id: number, login: string, email?: string): GitHubUser => ({
  id,
  login,
  name: null,
  emails: email === undefined ? [] : [{ email, primary: true, verified: true }],
});

describe('sign-in with GitHub', () => {
  let github: FakeGitHub;
  let server: TestServer;
  let http: HttpClient;
  let app: string;

  beforeAll(async () => {
    github = await startFakeGitHub();
    const port = await freeLoopbackPort();
    app = `http://127.0.0.1:${port}/`;
    server = await startTestServer({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_OAUTH_URL: github.oauthUrl,
      GITHUB_API_URL: github.apiUrl,
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
    http = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server?.stop({ removeData: true });
    await github?.stop();
  });

  const atApp = (url: URL) => url.href.startsWith(app) && !url.pathname.startsWith('/api/');

  /** Signs `who` in at GitHub and follows the sign-in from `start` back to the app (or to a refusal). */
  async function viaGitHub(who: GitHubUser, start: string, browser = new TestBrowser()) {
    github.signedIn = who;
    const navigation = await browser.navigate(start, atApp, who.login);
    return navigation;
  }

  /** A whole sign-in with GitHub as `who`: the exchange's answer. */
  async function signIn(who: GitHubUser) {
    const navigation = await viaGitHub(who, `${server.baseUrl}/api/auth/oauth/github/start`);
    if (!('stoppedAt' in navigation)) throw new Error(`sign-in refused: ${navigation.response.status} ${await navigation.response.text()}`);
    const code = navigation.stoppedAt.searchParams.get('code') ?? '';
    return http.post('/api/auth/oauth/exchange', { body: { code } });
  }

  /** Links `who` to the account of `token`; answers where the browser ended up (or the refusal). */
  async function link(token: string, who: GitHubUser) {
    const browser = new TestBrowser();
    const started = await browser.request('POST', `${server.baseUrl}/api/auth/identities/github/start`, { authorization: `Bearer ${token}` });
    expect(started.status).toBe(200);
    const { url } = startedLink.parse(await started.json());
    return viaGitHub(who, url, browser);
  }

  it('lists GitHub and makes an account from the GitHub profile, then signs the same identity in to it', async () => {
    expect((await http.get('/api/auth/providers')).body).toEqual({ providers: [{ id: 'github', name: 'GitHub' }] });
    const first = await signIn(octocat);
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ username: 'octocat', displayName: 'The Octocat', email: 'octocat@github.example' });
    const again = await signIn(octocat);
    expect(again.body.user.userId).toBe(first.body.user.userId);
    const log = await server.server.service(TOKENS.eventLog);
    expect((await log.readStream(`user-${first.body.user.userId}`)).map((event) => event.type)).toEqual(['UserRegistered', 'IdentityLinked']);
  });

  it('makes the username unique and never confusable with an existing one', async () => {
    await signUp(http, 'hubot');
    const same = await signIn(user(2, 'hubot'));
    expect(same.body.user.username).toBe('hubot_2');
    // Cyrillic һ (U+04BB) looks like h: its skeleton is hubot's, so it may not be had either.
    const lookAlike = await signIn(user(3, 'һubot'));
    const name: string = lookAlike.body.user.username;
    expect(name.startsWith('һubot_')).toBe(true);
    expect(usernameSkeleton(name)).not.toBe(usernameSkeleton('hubot'));
    expect(usernameSkeleton(name)).not.toBe(usernameSkeleton('hubot_2'));
  });

  it('never joins an existing account by e-mail: a matching verified address still makes a new account', async () => {
    const carol = await http.post('/api/auth/register', { body: { username: 'carol', password: STRONG_PASSWORD, email: 'carol@example.org' } });
    const viaEmail = await signIn(user(4, 'carol-gh', 'carol@example.org'));
    expect(viaEmail.status).toBe(200);
    expect(viaEmail.body.user.userId).not.toBe(carol.body.user.userId);
  });

  it('refuses a code GitHub does not know with OAUTH_CODE_INVALID', async () => {
    const browser = new TestBrowser();
    github.signedIn = user(5, 'coder');
    const navigation = await browser.navigate(`${server.baseUrl}/api/auth/oauth/github/start`, (url) => url.pathname.endsWith('/callback'), 'coder');
    if (!('stoppedAt' in navigation)) throw new Error('expected to reach the callback');
    const forged = new URL(navigation.stoppedAt);
    forged.searchParams.set('code', 'not-a-code-github-gave');
    const refused = await browser.get(forged);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).code).toBe('OAUTH_CODE_INVALID');
  });

  it('links an identity to a signed-in account only when its user asks, and unlinks it while a password is left', async () => {
    const alice = await signUp(http, 'alice');
    const aliceAtGitHub = user(10, 'alice-gh');
    const linked = await link(alice.accessToken, aliceAtGitHub);
    if (!('stoppedAt' in linked)) throw new Error(`link refused: ${linked.response.status}`);
    expect(linked.stoppedAt.searchParams.get('linked')).toBe('github');
    expect(linked.stoppedAt.searchParams.get('code')).toBeNull();
    expect((await http.get('/api/auth/identities', { token: alice.accessToken })).body).toEqual({
      identities: [{ provider: 'github', subject: '10' }],
    });
    // Now GitHub signs in to Alice's account.
    expect((await signIn(aliceAtGitHub)).body.user.userId).toBe(alice.userId);

    // Bob cannot take it.
    const bob = await signUp(http, 'bob');
    const taken = await link(bob.accessToken, aliceAtGitHub);
    if (!('response' in taken)) throw new Error('expected a refusal');
    expect(taken.response.status).toBe(409);
    expect((await errorOf(taken.response)).code).toBe('IDENTITY_TAKEN');

    // Alice keeps her password, so she may unlink it; then it is nobody's, and signing in with it makes a new account.
    expect((await http.delete('/api/auth/identities/github', { token: alice.accessToken })).status).toBe(204);
    const gone = await http.delete('/api/auth/identities/github', { token: alice.accessToken });
    expect(gone.status).toBe(404);
    expect(gone.body.error.code).toBe('NO_IDENTITY');
    expect((await signIn(aliceAtGitHub)).body.user.userId).not.toBe(alice.userId);
  });

  it('refuses a link whose session signed out while at GitHub, and one without a token', async () => {
    const dave = await signUp(http, 'dave');
    const browser = new TestBrowser();
    const started = await browser.request('POST', `${server.baseUrl}/api/auth/identities/github/start`, {
      authorization: `Bearer ${dave.accessToken}`,
    });
    const { url } = startedLink.parse(await started.json());
    expect((await http.post('/api/auth/logout', { token: dave.accessToken })).status).toBe(204);
    const navigation = await viaGitHub(user(20, 'dave-gh'), url, browser);
    if (!('response' in navigation)) throw new Error('expected a refusal');
    expect(navigation.response.status).toBe(401);
    expect((await errorOf(navigation.response)).code).toBe('TOKEN_REVOKED');
    expect((await http.post('/api/auth/identities/github/start')).status).toBe(401);
  });

  it('keeps a locked account locked and an erased one closed for provider sign-ins too', async () => {
    const erin = await signUp(http, 'erin');
    const erinAtGitHub = user(30, 'erin-gh');
    await link(erin.accessToken, erinAtGitHub);
    for (let attempt = 0; attempt < 5; attempt++) {
      await http.post('/api/auth/login', { body: { username: 'erin', password: 'Wrong-Horse-9-battery' } });
    }
    const locked = await viaGitHub(erinAtGitHub, `${server.baseUrl}/api/auth/oauth/github/start`);
    if (!('response' in locked)) throw new Error('expected a refusal');
    expect(locked.response.status).toBe(429);
    expect((await errorOf(locked.response)).code).toBe('ACCOUNT_LOCKED');

    const frank = await signIn(user(40, 'frank'));
    const administration = await server.server.service(PRIVACY_TOKENS.userAdministration);
    await administration.erase({ userId: 'system:test', role: 'admin' }, frank.body.user.userId);
    const erased = await viaGitHub(user(40, 'frank'), `${server.baseUrl}/api/auth/oauth/github/start`);
    if (!('response' in erased)) throw new Error('expected a refusal');
    expect(erased.response.status).toBe(410);
    expect((await errorOf(erased.response)).code).toBe('ACCOUNT_ERASED');
  });
});
