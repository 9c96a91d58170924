import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGitHub, type FakeGitHub } from '../support/fakeGitHub.js';
import { freeLoopbackPort } from '../support/loopback.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The browser test page offers the configured providers on its sign-in screen (issue #18): in Debian's Chromium,
// "Sign in with GitHub" goes through the service and a local server following GitHub's endpoints, comes back with a
// one-time code the page exchanges, and the page is signed in, with no script the strict CSP would refuse.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env.CI === 'true';

describe.skipIf(!available && !required)(`sign-in with a provider on the test page${available ? '' : ` [not run: no Chromium at ${CHROMIUM}]`}`, () => {
  let github: FakeGitHub;
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    github = await startFakeGitHub();
    const port = await freeLoopbackPort();
    server = await startTestServer({
      PORT: String(port),
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      GITHUB_CLIENT_ID: github.clientId,
      GITHUB_CLIENT_SECRET: github.clientSecret,
      GITHUB_OAUTH_URL: github.oauthUrl,
      GITHUB_API_URL: github.apiUrl,
    });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop({ removeData: true });
    await github?.stop();
  });

  it('signs in with GitHub from the sign-in screen and shows the linked identity', async () => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // A refused answer (the 409 below, a missing favicon) is logged as a failed load; what must not happen is a script
    // error or anything the CSP refused.
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused to/.test(message.text())) problems.push(message.text());
    });
    github.signedIn = { id: 9919, login: 'mona', name: 'Mona Lisa', emails: [] };
    await page.goto(`${server.baseUrl}/`);
    await page.click('a[data-provider=github]');
    await expect.poll(() => page.textContent('#me')).toBe('mona');
    // The code was exchanged and taken out of the address bar.
    expect(new URL(page.url()).search).toBe('');
    // The sign-in methods are on the profile screen.
    await page.click('#nav-profile');
    await page.click('#sign-in-methods summary');
    await expect.poll(() => page.textContent('#identities button[data-provider=github]')).toBe('Unlink');
    // Her only way to sign in: the page shows the refusal.
    await page.click('#identities button[data-provider=github]');
    await expect.poll(() => page.textContent('#identity-message')).toMatch(/^LAST_SIGN_IN_METHOD/);
    expect(problems).toEqual([]);
  });
});
