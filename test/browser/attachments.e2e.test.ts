import { existsSync } from 'node:fs';
import { Jimp } from 'jimp';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The browser test page attaches an image and shows it (issue #16): the upload goes through the page's file input,
// the message arrives over the WebSocket, and the thumbnail is shown from the service's own origin (fetched with the
// token into a blob: URL) under the page's strict CSP, with no console error.

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const available = existsSync(CHROMIUM);
const required = process.env.CI === 'true';

describe.skipIf(!available && !required)(`browser test page: attachments${available ? '' : ` [not run: no Chromium at ${CHROMIUM}]`}`, () => {
  let server: TestServer;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
    });
    page = await browser.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop({ removeData: true });
  });

  it('attaches an image and shows its thumbnail inline', async () => {
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    // Every refusal the page met, but the favicon it asks for and the service does not have.
    page.on('response', (response) => {
      if (response.status() >= 400 && !response.url().endsWith('/favicon.ico')) problems.push(`${response.status()} ${response.url()}`);
    });
    page.on('console', (message) => {
      if (message.type() === 'error' && message.text().includes('Content Security Policy')) problems.push(message.text());
    });
    await page.goto(server.baseUrl);
    await page.fill('input[name=username]', 'erin');
    await page.fill('input[name=password]', STRONG_PASSWORD);
    await page.click('button[value=register]');
    await expect.poll(() => page.textContent('#status')).toBe('online');
    await page.fill('#new-room input[name=name]', 'pictures');
    await page.click('#new-room button[type=submit]');
    await expect.poll(() => page.textContent('#room-name')).toBe('pictures');

    const png = await new Jimp({ width: 600, height: 300, color: 0x44aa66ff }).getBuffer('image/png');
    await page.setInputFiles('#composer input[name=file]', { name: 'meadow.png', mimeType: 'image/png', buffer: png });
    await expect.poll(() => page.locator('#composer .pending-files .file-name').allTextContents()).toEqual(['meadow.png']);
    await page.click('#composer button[type=submit]');

    const image = page.locator('#messages li img.attachment');
    await expect.poll(() => image.count()).toBe(1);
    await expect.poll(() => image.getAttribute('src')).toMatch(/^blob:/);
    await expect.poll(() => image.evaluate((element): number => Number(Reflect.get(element, 'naturalWidth')))).toBe(320);
    expect(await image.getAttribute('alt')).toBe('meadow.png');
    expect(problems).toEqual([]);
  });
});
