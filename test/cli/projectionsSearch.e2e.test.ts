import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { runCli as run, serveCli } from '../support/cliProcess.js';

// `chat projections rebuild search` next to a running `chat serve`: the search view is rebuilt from position zero
// into a fresh file, the service switches to it, and searches go on finding the same messages, and new ones.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-rebuild-search-'));
const env = { DATA_DIR: dataDir, EVENT_LOG: 'sqlite', HISTORY_STORE: 'sqlite', ANALYTICS_STORE: 'memory' };
const runCli = (args: string[]) => run(args, env);

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('chat projections rebuild search', () => {
  let server: ChildProcess | undefined;
  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds the search view beside the service, which switches to it and keeps finding', { timeout: 120_000 }, async () => {
    const started = await serveCli(env);
    server = started.child;
    const client = new HttpClient(started.baseUrl);
    const alice = await signUp(client, 'alice');
    const roomId: string = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'kept', kind: 'private' } })).body.room.roomId;
    for (const [i, text] of ['narwhal one', 'narwhal two', 'gone narwhal'].entries()) {
      expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text, clientMessageId: `c${i}` } })).status).toBe(201);
    }
    const found = async () =>
      ((await client.get('/api/chat/search?q=narwhal', { token: alice.accessToken })).body.messages ?? []).map((m: { text: string }) => m.text);
    const deleted = (await client.get(`/api/chat/rooms/${roomId}/messages`, { token: alice.accessToken })).body.messages[2].messageId;
    expect((await client.delete(`/api/chat/messages/${encodeURIComponent(deleted)}`, { token: alice.accessToken })).status).toBe(204);
    await eventually(async () => ((await found()).join() === 'narwhal two,narwhal one' ? true : undefined), 'the search view');

    const result = await runCli(['projections', 'rebuild', 'search', '--drop-old']);
    expect(result.code, result.stderr).toBe(0);
    const live = readFileSync(path.join(dataDir, 'search.current'), 'utf8').trim();
    expect(live).toMatch(/^search-\w+\.db$/);
    expect(result.stderr).toContain(`search rebuilt into ${live}`);
    expect(readFileSync(path.join(dataDir, 'search.serving'), 'utf8').trim()).toBe(live);
    expect(existsSync(path.join(dataDir, 'search.db'))).toBe(false);
    expect(await found()).toEqual(['narwhal two', 'narwhal one']);

    expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'narwhal three', clientMessageId: 'n3' } })).status).toBe(201);
    await eventually(async () => ((await found()).join() === 'narwhal three,narwhal two,narwhal one' ? true : undefined), 'the new message');

    const status = await runCli(['projections', 'status', '--json']);
    expect(status.code, status.stderr).toBe(0);
    const search = (JSON.parse(status.stdout) as { projections: { projection: string; store: string }[] }).projections.find(
      (p) => p.projection === 'search',
    );
    expect(search?.store).toBe(`sqlite ${live}`);
  });
});
