import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { HttpClient, STRONG_PASSWORD } from '../support/httpClient.js';
import { freeLoopbackPort } from '../support/loopback.js';
import { errorOf, TestBrowser } from '../support/oauthBrowser.js';
import { startOidcTestProvider, type OidcTestProvider } from '../support/oidcTestProvider.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// Sign-in with an OpenID Connect provider (issue #18) against a real one, oidc-provider, started on loopback: the
// browser is sent there with PKCE S256, state and nonce, signs in, comes back to the callback, and the app trades the
// one-time code for tokens. Then each way it must fail: a tampered state, a replayed code, a wrong nonce, an expired
// ID token, a provider that is down; none of them records anything.

const PROVIDER = 'acme';

describe('sign-in with an OpenID Connect provider', () => {
  let idp: OidcTestProvider;
  let server: TestServer;
  let http: HttpClient;
  let app: string;
  let callbackPath: string;

  beforeAll(async () => {
    const port = await freeLoopbackPort();
    const base = `http://127.0.0.1:${port}`;
    callbackPath = `/api/auth/oauth/${PROVIDER}/callback`;
    idp = await startOidcTestProvider(`${base}${callbackPath}`);
    idp.accounts.set('dana', { sub: 'dana', preferred_username: 'dana', name: 'Dana Scully', email: 'dana@example.org', email_verified: true });
    server = await startTestServer({
      PORT: String(port),
      PUBLIC_BASE_URL: base,
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
      OIDC_PROVIDER_ID: PROVIDER,
      OIDC_PROVIDER_NAME: 'Acme ID',
      // The expired-token case below needs the ID token's expiry checked to the second.
      OAUTH_CLOCK_TOLERANCE_SECONDS: '0',
      AUTH_RATE_LIMIT_PER_MINUTE: '1000',
    });
    http = new HttpClient(server.baseUrl);
    app = `${base}/`;
  });
  afterAll(async () => {
    await server?.stop({ removeData: true });
    await idp?.stop();
  });

  const head = async (): Promise<Checkpoint> => (await server.server.service(TOKENS.eventLog)).headPosition();
  const atCallback = (url: URL) => url.pathname === callbackPath;
  const atApp = (url: URL) => url.href.startsWith(app) && !url.pathname.startsWith('/api/');

  /** Starts a sign-in in `browser` and signs in at the provider as `login`; answers the callback URL, not yet visited. */
  async function toCallback(browser: TestBrowser, login: string, tamper?: (providerUrl: URL) => void): Promise<URL> {
    const start = await browser.get(`${server.baseUrl}/api/auth/oauth/${PROVIDER}/start`);
    expect(start.status).toBe(302);
    const providerUrl = new URL(start.headers.get('location') ?? '');
    tamper?.(providerUrl);
    const navigation = await browser.navigate(providerUrl, atCallback, login);
    if (!('stoppedAt' in navigation)) throw new Error(`the provider answered ${navigation.response.status} at ${navigation.url.href}`);
    return navigation.stoppedAt;
  }

  /** A whole sign-in: answers the one-time code the app got. */
  async function signIn(browser: TestBrowser, login: string): Promise<string> {
    const callback = await browser.get(await toCallback(browser, login));
    expect(callback.status).toBe(302);
    const back = new URL(callback.headers.get('location') ?? '');
    expect(atApp(back)).toBe(true);
    return back.searchParams.get('code') ?? '';
  }

  it('lists the provider', async () => {
    expect((await http.get('/api/auth/providers')).body).toEqual({ providers: [{ id: PROVIDER, name: 'Acme ID' }] });
  });

  it('sends the browser to the provider with PKCE S256, state and nonce, bound to it by a sealed HttpOnly cookie', async () => {
    const browser = new TestBrowser();
    const start = await browser.get(`${server.baseUrl}/api/auth/oauth/${PROVIDER}/start?redirectUri=${encodeURIComponent(app)}`);
    expect(start.status).toBe(302);
    const to = new URL(start.headers.get('location') ?? '');
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('redirect_uri')).toBe(`${server.baseUrl}${callbackPath}`);
    const cookie = start.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/^chat_oauth=[A-Za-z0-9_-]+; Path=\/api\/auth\/oauth\/; Max-Age=600; HttpOnly; SameSite=Lax$/);
    // Nothing the provider needs to keep secret is readable in the cookie: it is sealed.
    expect(cookie).not.toContain(to.searchParams.get('state') ?? '-');
  });

  it('refuses a redirect URI off the allow-list and an unknown provider', async () => {
    const off = await http.get(`/api/auth/oauth/${PROVIDER}/start?redirectUri=${encodeURIComponent('https://evil.example/')}`);
    expect(off.status).toBe(400);
    expect(off.body.error.code).toBe('VALIDATION_FAILED');
    const unknown = await http.get('/api/auth/oauth/google/start');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('NO_PROVIDER');
  });

  it('creates an account on the first sign-in, and signs the same identity in to it again', async () => {
    const before = await head();
    const browser = new TestBrowser();
    const code = await signIn(browser, 'dana');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // The code was in the URL, and only the code: no token of ours.
    const exchanged = await http.post('/api/auth/oauth/exchange', { body: { code } });
    expect(exchanged.status).toBe(200);
    expect(exchanged.body).toMatchObject({
      accessToken: expect.any(String),
      refreshToken: expect.any(String),
      expiresIn: 900,
      tokenType: 'Bearer',
      user: { username: 'dana', displayName: 'Dana Scully', role: 'user' },
    });
    const danaId: string = exchanged.body.user.userId;
    expect(await head()).not.toEqual(before);

    const log = await server.server.service(TOKENS.eventLog);
    expect((await log.readStream(`user-${danaId}`)).map((event) => [event.type, event.data])).toEqual([
      ['UserRegistered', expect.objectContaining({ userId: danaId, username: 'dana', passwordHash: '!' })],
      ['IdentityLinked', { userId: danaId, provider: PROVIDER, subject: 'dana' }],
    ]);

    // The same identity, in another browser: the same account, nothing new recorded.
    const again = await head();
    const second = await http.post('/api/auth/oauth/exchange', { body: { code: await signIn(new TestBrowser(), 'dana') } });
    expect(second.status).toBe(200);
    expect(second.body.user.userId).toBe(danaId);
    expect(await head()).toEqual(again);

    // The account has no password: no password signs in to it.
    const login = await http.post('/api/auth/login', { body: { username: 'dana', password: STRONG_PASSWORD } });
    expect(login.status).toBe(401);
    expect(login.body.error.code).toBe('INVALID_CREDENTIALS');

    // Its tokens are ordinary ones: they rotate, a reused refresh token revokes the family, logout ends them.
    const token = second.body.accessToken;
    expect((await http.get('/api/auth/me', { token })).body.user.userId).toBe(danaId);
    const rotated = await http.post('/api/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
    expect(rotated.status).toBe(200);
    const reused = await http.post('/api/auth/refresh', { body: { refreshToken: second.body.refreshToken } });
    expect(reused.body.error.code).toBe('TOKEN_REVOKED');
    const first = exchanged.body.accessToken;
    expect((await http.post('/api/auth/logout', { token: first })).status).toBe(204);
    expect((await http.get('/api/auth/me', { token: first })).status).toBe(401);

    // Her identities, as she sees them; the only one cannot be unlinked.
    const own = await http.post('/api/auth/oauth/exchange', { body: { code: await signIn(new TestBrowser(), 'dana') } });
    const listed = await http.get('/api/auth/identities', { token: own.body.accessToken });
    expect(listed.body).toEqual({ identities: [{ provider: PROVIDER, subject: 'dana' }] });
    const last = await http.delete(`/api/auth/identities/${PROVIDER}`, { token: own.body.accessToken });
    expect(last.status).toBe(409);
    expect(last.body.error.code).toBe('LAST_SIGN_IN_METHOD');
  });

  it('refuses a tampered state, and a callback without the sign-in cookie, recording nothing', async () => {
    const browser = new TestBrowser();
    const callback = await toCallback(browser, 'tampered');
    const before = await head();
    const forged = new URL(callback);
    forged.searchParams.set('state', 'a-state-of-somebody-else');
    const refused = await browser.get(forged);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).code).toBe('OAUTH_STATE_MISMATCH');
    // Another browser (no cookie) with the genuine URL: an attacker who got hold of it.
    const elsewhere = await new TestBrowser().get(callback);
    expect(elsewhere.status).toBe(400);
    expect((await errorOf(elsewhere)).code).toBe('OAUTH_STATE_MISMATCH');
    expect(await head()).toEqual(before);
  });

  it('takes a one-time code once: a replay is OAUTH_CODE_INVALID and ends the session the first use began', async () => {
    const browser = new TestBrowser();
    const callbackUrl = await toCallback(browser, 'replayer');
    const callback = await browser.get(callbackUrl);
    const code = new URL(callback.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const first = await http.post('/api/auth/oauth/exchange', { body: { code } });
    expect(first.status).toBe(200);
    const replayed = await http.post('/api/auth/oauth/exchange', { body: { code } });
    expect(replayed.status).toBe(400);
    expect(replayed.body.error.code).toBe('OAUTH_CODE_INVALID');
    expect((await http.post('/api/auth/refresh', { body: { refreshToken: first.body.refreshToken } })).status).toBe(401);
    // A code nobody issued, and the provider's redirect replayed in the same browser (its state is used up).
    expect((await http.post('/api/auth/oauth/exchange', { body: { code: 'x'.repeat(43) } })).body.error.code).toBe('OAUTH_CODE_INVALID');
    const again = await browser.get(callbackUrl);
    expect(again.status).toBe(400);
    expect((await errorOf(again)).code).toBe('OAUTH_STATE_MISMATCH');
  });

  it("refuses an ID token whose nonce is not the browser's, recording nothing", async () => {
    const browser = new TestBrowser();
    // The browser's request reaches the provider with another nonce, which the provider then signs into the token.
    const callback = await toCallback(browser, 'nonce-victim', (providerUrl) => providerUrl.searchParams.set('nonce', 'an-injected-nonce'));
    const before = await head();
    const refused = await browser.get(callback);
    expect(refused.status).toBe(400);
    expect((await errorOf(refused)).code).toBe('OAUTH_STATE_MISMATCH');
    expect(await head()).toEqual(before);
  });

  it('refuses an expired ID token with OAUTH_PROVIDER_ERROR, recording nothing', async () => {
    const browser = new TestBrowser();
    const callback = await toCallback(browser, 'late');
    // A one-second ID token that takes two seconds to arrive.
    idp.idTokenTtlSeconds = 1;
    idp.tokenDelayMs = 2100;
    const before = await head();
    try {
      const refused = await browser.get(callback);
      expect(refused.status).toBe(502);
      expect(await errorOf(refused)).toMatchObject({ code: 'OAUTH_PROVIDER_ERROR', details: { provider: PROVIDER } });
    } finally {
      idp.idTokenTtlSeconds = 3600;
      idp.tokenDelayMs = 0;
    }
    expect(await head()).toEqual(before);
  });

  it('answers 502 OAUTH_PROVIDER_ERROR when the provider is down, recording nothing', async () => {
    const browser = new TestBrowser();
    const callback = await toCallback(browser, 'stranded');
    await idp.stop();
    const before = await head();
    const refused = await browser.get(callback);
    expect(refused.status).toBe(502);
    expect((await errorOf(refused)).code).toBe('OAUTH_PROVIDER_ERROR');
    expect(await head()).toEqual(before);

    // A service that never reached it cannot even start: no redirect, no cookie.
    const fresh = await startTestServer({
      PUBLIC_BASE_URL: 'http://127.0.0.1:1',
      OIDC_ISSUER: idp.issuer,
      OIDC_CLIENT_ID: idp.clientId,
      OIDC_CLIENT_SECRET: idp.clientSecret,
    });
    try {
      const start = await fetch(`${fresh.baseUrl}/api/auth/oauth/oidc/start`, { redirect: 'manual' });
      expect(start.status).toBe(502);
      expect(start.headers.getSetCookie()).toEqual([]);
      expect((await errorOf(start)).code).toBe('OAUTH_PROVIDER_ERROR');
    } finally {
      await fresh.stop({ removeData: true });
    }
  });
});
