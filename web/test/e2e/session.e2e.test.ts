import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../../test/support/testServer.js';
import { CHROMIUM, DESKTOP, launch, signUpInPage, watchProblems } from './browser.js';

// The session shared by a person's tabs (web/src/shared/session.ts): with access tokens that expire every two
// seconds, two tabs keep working across several refreshes. Refresh tokens rotate and a reused one revokes the
// family, so if both tabs refreshed with the same token, both would be signed out: one tab refreshes for all.

const available = existsSync(CHROMIUM);
const required = process.env.CI === 'true';
const POLL = { timeout: 15_000 };

describe.skipIf(!available && !required)(`tab-shared session${available ? '' : ` [not run: no Chromium at ${CHROMIUM}]`}`, { timeout: 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer({ ACCESS_TOKEN_TTL_SECONDS: '2', WS_PING_INTERVAL_MS: '400' });
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop({ removeData: true });
  });

  it('keeps two tabs signed in through refreshes, a reload, and signs both out together', async () => {
    const context = await browser.newContext({ viewport: DESKTOP });
    const first = await context.newPage();
    const problems = watchProblems(first);
    await first.goto(server.baseUrl);
    await signUpInPage(first, 'tess', 'Tess T');
    const second = await context.newPage();
    problems.push(...watchProblems(second));
    await second.goto(server.baseUrl);
    await expect.poll(() => second.textContent('#me')).toBe('tess');

    await first.fill('#new-room input[name=name]', 'notes');
    await first.click('#new-room button[type=submit]');
    await expect.poll(() => second.locator('#rooms li').filter({ hasText: 'notes' }).count(), POLL).toBe(1);
    await second.locator('#rooms li').filter({ hasText: 'notes' }).click();

    // Several token lifetimes: the gateway drops each socket when its token expires, the pages refresh and go on.
    for (const [index, page] of [first, second, first, second].entries()) {
      await new Promise((resolve) => setTimeout(resolve, 2500));
      await expect.poll(() => page.textContent('#status'), POLL).toBe('online');
      if (index === 0) await page.locator('#rooms li').filter({ hasText: 'notes' }).click();
      await page.fill('#composer [name=text]', `note ${index}`);
      await page.press('#composer [name=text]', 'Enter');
    }
    const expected = ['note 0', 'note 1', 'note 2', 'note 3'];
    await expect.poll(() => first.locator('#messages li .text').allTextContents(), POLL).toEqual(expected);
    await expect.poll(() => second.locator('#messages li .text').allTextContents(), POLL).toEqual(expected);

    await second.reload();
    await expect.poll(() => second.textContent('#me')).toBe('tess');
    await expect.poll(() => second.textContent('#status'), POLL).toBe('online');

    await first.click('#logout');
    await expect.poll(() => second.locator('#signin').count()).toBe(1);
    await expect.poll(() => first.locator('#signin').count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
