import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnChat, type ChatProcess } from '../support/chatProcess.js';
import { HttpClient, signUp } from '../support/httpClient.js';

// The embedded mode killed with SIGKILL in the middle of a stream of sends: every send that was acknowledged (201)
// is in the history after a restart, exactly once, in one order, and a retry of any send (acknowledged or not) is
// answered with the message it created, or creates it once. The log commits before the answer, and the shared log
// subscription and the per-room delivery markers must not change that.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-kill-'));
const env = { DATA_DIR: dataDir, JWT_SECRET: 'kill-test-secret-that-is-long-enough-0123456789', SEND_LIMIT_PER_SECOND: '100000', SEND_LIMIT_PER_MINUTE: '1000000' };

interface Sent {
  clientMessageId: string;
  messageId?: string;
}

describe('chat serve killed with SIGKILL under load (embedded)', () => {
  const running: ChatProcess[] = [];
  afterAll(async () => {
    for (const process of running) await process.stop(1000);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('loses no acknowledged message and duplicates none', async () => {
    const first = await spawnChat('kill-1', [], env);
    running.push(first);
    const http = new HttpClient(first.baseUrl);
    const alice = await signUp(http, 'alice');
    const roomId: string = (await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'load', kind: 'public' } })).body.room.roomId;

    // 8 senders, each sending one after another until the process dies under them.
    const sent: Sent[] = [];
    let stopping = false;
    const sender = async (n: number) => {
      for (let i = 0; !stopping; i++) {
        const entry: Sent = { clientMessageId: `s${n}-${i}` };
        sent.push(entry);
        try {
          const answer = await http.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: `message ${n}-${i}`, clientMessageId: entry.clientMessageId } });
          if (answer.status === 201) entry.messageId = answer.body.message.messageId;
        } catch {
          return; // the connection died with the process: this one is unacknowledged
        }
      }
    };
    const senders = Array.from({ length: 8 }, (_, n) => sender(n));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    first.child.kill('SIGKILL');
    stopping = true;
    await Promise.all(senders);
    const acknowledged = sent.filter((entry) => entry.messageId !== undefined);
    expect(acknowledged.length).toBeGreaterThan(20);

    const second = await spawnChat('kill-2', [], env);
    running.push(second);
    const again = new HttpClient(second.baseUrl);
    const login = await again.post('/api/auth/login', { body: { username: 'alice', password: 'Correct-Horse-9-battery' } });
    const token: string = login.body.accessToken;

    const roomMessages = async (): Promise<{ messageId: string; text: string }[]> => {
      const all: { messageId: string; text: string }[] = [];
      for (let after = 0; ; ) {
        const page = await again.get(`/api/chat/rooms/${roomId}/messages?after=${after}&limit=100`, { token });
        expect(page.status).toBe(200);
        const batch: { messageId: string; text: string; seq: number }[] = page.body.messages;
        all.push(...batch);
        if (batch.length < 100) return all;
        after = batch.at(-1)?.seq ?? after;
      }
    };
    const messages = await roomMessages();
    const texts = messages.map((message) => message.text);
    expect(new Set(texts).size).toBe(texts.length);
    const ids = new Set(messages.map((message) => message.messageId));
    for (const entry of acknowledged) expect(ids.has(entry.messageId ?? '')).toBe(true);

    // Retrying every send: an acknowledged one answers 200 with its message; one that never was acknowledged is
    // either in the log already (the kill came between the commit and the answer: 200) or is created now (201).
    let created = 0;
    for (const entry of sent) {
      const retry = await again.post('/api/chat/send', { token, body: { roomId, text: 'retry', clientMessageId: entry.clientMessageId } });
      expect([200, 201]).toContain(retry.status);
      if (retry.status === 201) created += 1;
      if (entry.messageId !== undefined) {
        expect(retry.status).toBe(200);
        expect(retry.body.message.messageId).toBe(entry.messageId);
      }
    }
    // Exactly one message per send, whatever the kill interrupted.
    expect((await roomMessages()).length).toBe(messages.length + created);
    expect(messages.length + created).toBe(sent.length);
    expect(await second.stop()).toBe(0);
  });
});
