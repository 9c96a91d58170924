import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { runCli, serveCli } from '../support/cliProcess.js';

// Replay reads through the service's composed log: message texts stored sealed come out as plaintext, and once the
// sender is erased (`chat users erase`) as erased, exactly as history and the audit API show them.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-replay-erase-'));
const env = { DATA_DIR: dataDir, EVENT_LOG: 'sqlite' };

const serve = () => serveCli(env);

describe('chat events replay of sealed and erased personal data', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('shows plaintext through the composed log, and erased data as erased after chat users erase', { timeout: 120_000 }, async () => {
    const { child, baseUrl } = await serve();
    let aliceId: string;
    try {
      const client = new HttpClient(baseUrl);
      const alice = await signUp(client, 'alice');
      aliceId = alice.userId;
      const roomId = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'r', kind: 'public' } })).body.room.roomId;
      expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'my secret plan', clientMessageId: 's1' } })).status).toBe(201);
    } finally {
      child.removeAllListeners('exit');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    // The log itself holds no plaintext.
    expect(readFileSync(path.join(dataDir, 'events.db')).includes('my secret plan')).toBe(false);

    const texts = async () => {
      const run = await runCli(['events', 'replay', '--type', 'MessageSent', '--user', aliceId], env);
      expect(run.code, run.stderr).toBe(0);
      return run.stdout
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => (JSON.parse(line) as { data: { text: string; erased?: boolean } }).data);
    };
    expect(await texts()).toEqual([expect.objectContaining({ text: 'my secret plan' })]);

    const erase = await runCli(['users', 'erase', 'alice'], env);
    expect(erase.code, erase.stderr).toBe(0);
    expect(await texts()).toEqual([expect.objectContaining({ text: '', erased: true })]);
  });
});
