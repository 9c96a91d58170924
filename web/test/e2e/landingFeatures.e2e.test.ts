import { existsSync } from 'node:fs';
import type { Browser, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../../../test/support/httpClient.js';
import { startTestServer, type TestServer } from '../../../test/support/testServer.js';
import { CHROMIUM, DESKTOP, launch, screenshot, watchProblems } from './browser.js';

// Features whose server side is still on other branches (threads, assistants' streamed answers), shown as API.md
// specifies them: this server's answers are extended in flight (Playwright routes) with the contract's fields and
// frames, and the page must render them.

const available = existsSync(CHROMIUM);
const required = process.env.CI === 'true';

describe.skipIf(!available && !required)(`contract features from other branches${available ? '' : ` [not run: no Chromium at ${CHROMIUM}]`}`, { timeout: 60_000 }, () => {
  let server: TestServer;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop({ removeData: true });
  });

  it("shows a thread's replies and an assistant's answer as it streams in", async () => {
    const client = new HttpClient(server.baseUrl);
    const uma = await signUp(client, 'uma');
    const roomId: string = (await client.post('/api/chat/rooms', { token: uma.accessToken, body: { name: 'future', kind: 'public' } })).body.room.roomId;
    const root = (await client.post('/api/chat/send', { token: uma.accessToken, body: { roomId, text: 'what is new?', clientMessageId: 'r' } })).body.message;
    const reply = (await client.post('/api/chat/send', { token: uma.accessToken, body: { roomId, text: 'threads are', clientMessageId: 'a' } })).body.message;

    const page = await browser.newPage({ viewport: DESKTOP });
    page.setDefaultTimeout(10_000);
    const problems = watchProblems(page);
    // History as a server with threads answers it: the second message replies to the first.
    await page.route('**/api/chat/rooms/*/messages*', async (route) => {
      const response = await route.fetch();
      const body: { messages: { messageId: string }[] } = await response.json();
      const messages = body.messages.map((m) => (m.messageId === reply.messageId ? { ...m, replyTo: root.messageId, threadId: root.messageId } : m));
      await route.fulfill({ response, json: { ...body, messages } });
    });
    await page.route('**/api/chat/messages/*/thread*', (route) =>
      route.fulfill({ json: { root: { ...root, reactions: [] }, messages: [{ ...reply, reactions: [], replyTo: root.messageId, threadId: root.messageId }] } }),
    );
    let socket: WebSocketRoute | undefined;
    await page.routeWebSocket(/\/ws$/, (ws) => {
      socket = ws;
      ws.connectToServer();
    });

    await page.goto(server.baseUrl);
    await page.fill('input[name=username]', 'uma');
    await page.fill('input[name=password]', STRONG_PASSWORD);
    await page.click('button[value=login]');
    await page.locator('#rooms li').filter({ hasText: 'future' }).click();
    const replyItem = page.locator('#messages li.message').filter({ hasText: 'threads are' });
    await expect.poll(() => replyItem.locator('.quote').textContent()).toBe('uma: what is new?');
    await replyItem.locator('button', { hasText: 'View thread' }).click();
    await expect.poll(() => page.locator('#thread-panel .replies .text-plain').allTextContents()).toEqual(['threads are']);

    // An assistant's answer, piece by piece, then stored (API.md "Assistants").
    await expect.poll(() => page.textContent('#status')).toBe('online');
    const piece = (delta: string, done: boolean) =>
      socket?.send(JSON.stringify({ type: 'chat.stream', roomId, streamId: 's1', replyTo: root.messageId, senderId: uma.userId, delta, done }));
    piece('Threads, ', false);
    piece('reactions and more.', false);
    await expect.poll(() => page.locator('#messages li.streaming p').textContent()).toBe('Threads, reactions and more.');
    await screenshot(page, 'thread-and-stream');
    piece('', true);
    await expect.poll(() => page.locator('#messages li.streaming').count()).toBe(0);
    expect(problems).toEqual([]);
  });
});
