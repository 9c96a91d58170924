import { existsSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../../../test/support/httpClient.js';
import { startTestServer, type TestServer } from '../../../test/support/testServer.js';
import { CHROMIUM, DESKTOP, launch, PHONE, screenshot, seriousViolations, watchProblems } from './browser.js';

// The back office at /admin: charts of the analytics endpoints and of /metrics that update by themselves, role
// changes and erasure (with a typed confirmation) for admins, the charts alone for analysts, nothing for others.

const available = existsSync(CHROMIUM);
const required = process.env.CI === 'true';
const POLL = { timeout: 20_000 };

describe.skipIf(!available && !required)(`back-office dashboard${available ? '' : ` [not run: no Chromium at ${CHROMIUM}]`}`, { timeout: 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;
  let client: HttpClient;
  let roomId: string;
  let rootToken: string;
  const problems: string[][] = [];

  async function signIn(page: Page, username: string) {
    problems.push(watchProblems(page));
    page.setDefaultTimeout(10_000);
    await page.goto(`${server.baseUrl}/admin`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', STRONG_PASSWORD);
    await page.click('button[type=submit]');
  }

  async function send(count: number, prefix: string) {
    for (let i = 0; i < count; i++) {
      await client.post('/api/chat/send', { token: rootToken, body: { roomId, text: `${prefix} ${'x'.repeat(i * 7)}`, clientMessageId: `${prefix}-${i}` } });
    }
  }

  beforeAll(async () => {
    server = await startTestServer({ ADMIN_USERNAMES: 'root', SEND_LIMIT_PER_SECOND: '100', SEND_LIMIT_PER_MINUTE: '1000' });
    client = new HttpClient(server.baseUrl);
    rootToken = (await signUp(client, 'root')).accessToken;
    roomId = (await client.post('/api/chat/rooms', { token: rootToken, body: { name: 'plaza', kind: 'public' } })).body.room.roomId;
    await send(12, 'first');
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop({ removeData: true });
  });

  it('draws the charts for an admin and keeps them up to date', async () => {
    const page = await browser.newPage({ viewport: DESKTOP });
    await signIn(page, 'root');
    await expect.poll(() => page.locator('.uplot').count(), POLL).toBe(5);
    await expect.poll(() => page.locator('#top-rooms tbody tr').allTextContents(), POLL).toEqual(['plaza12']);
    // /metrics is sampled again and again (this browser is on loopback, which may read it).
    await expect.poll(async () => Number(/^(\d+) samples/.exec((await page.textContent('#metrics-state')) ?? '')?.[1] ?? 0), POLL).toBeGreaterThanOrEqual(2);
    await send(3, 'more');
    await expect.poll(() => page.locator('#top-rooms tbody tr').allTextContents(), POLL).toEqual(['plaza15']);
    await expect.poll(() => page.textContent('#t-sizes'), POLL).toBe('Message sizes (15 messages)');
    await screenshot(page, 'admin');
    expect(await seriousViolations(page)).toEqual([]);
    await page.selectOption('#t-rooms + label select', 'hour');
    await expect.poll(() => page.textContent('#t-rooms')).toBe('Messages per hour, busiest rooms (last day)');
    await expect.poll(() => page.locator('.uplot').count()).toBe(5);
    await page.setViewportSize(PHONE);
    await screenshot(page, 'admin');
    expect(await seriousViolations(page)).toEqual([]);
    const overflow = await page.evaluate('document.documentElement.scrollWidth - document.documentElement.clientWidth');
    expect(overflow).toBeLessThanOrEqual(0);
    await page.close();
  });

  it('lets an admin grant a role, and erase a user only after typing the name again', async () => {
    const dana = await signUp(client, 'dana');
    await signUp(client, 'fred');
    const page = await browser.newPage({ viewport: DESKTOP });
    await signIn(page, 'root');
    await page.fill('#grant-role input[name=who]', 'dana');
    await page.selectOption('#grant-role select[name=role]', 'analyst');
    await page.click('#grant-role button[type=submit]');
    await expect.poll(() => page.textContent('#users-message')).toBe('dana is now analyst.');

    await page.fill('#erase-user input[name=who]', 'fred');
    await page.click('#erase-user button[type=submit]');
    await page.fill('#erase-confirm input[name=confirm]', 'fre');
    await page.click('#erase-confirm button[type=submit]');
    await expect.poll(() => page.textContent('#users-message')).toBe('The names differ: nothing was erased.');
    expect((await client.post('/api/auth/login', { body: { username: 'fred', password: STRONG_PASSWORD } })).status).toBe(200);
    await screenshot(page, 'admin-erase');
    await page.fill('#erase-confirm input[name=confirm]', 'fred');
    await page.click('#erase-confirm button[type=submit]');
    await expect.poll(() => page.textContent('#users-message')).toBe("fred's personal data is erased.");
    expect((await client.post('/api/auth/login', { body: { username: 'fred', password: STRONG_PASSWORD } })).status).toBe(410);
    await page.close();

    // Dana, an analyst now, sees the charts but not the admin tools; a plain user sees neither.
    const analyst = await browser.newPage({ viewport: DESKTOP });
    await signIn(analyst, dana.username);
    await expect.poll(() => analyst.locator('.uplot').count(), POLL).toBe(5);
    expect(await analyst.locator('#admin-users').count()).toBe(0);
    await analyst.close();
    await signUp(client, 'gus');
    const user = await browser.newPage({ viewport: DESKTOP });
    await signIn(user, 'gus');
    await expect.poll(() => user.textContent('[role=alert]')).toContain('for the analyst and admin roles');
    expect(await user.locator('.uplot').count()).toBe(0);
    await user.close();
    expect(problems.flat()).toEqual([]);
  });
});
