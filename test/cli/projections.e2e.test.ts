import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { runCli as run, serveCli } from '../support/cliProcess.js';
import { generateLog, withSqliteLog } from '../analysis/seedLog.js';

// `chat projections rebuild history` next to a running `chat serve` on the same data directory, both real processes.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-rebuild-'));
const env = { DATA_DIR: dataDir, EVENT_LOG: 'sqlite', HISTORY_STORE: 'sqlite', ANALYTICS_STORE: 'memory' };
const runCli = (args: string[]) => run(args, env);

const serve = () => serveCli(env);

interface Status {
  head: Record<string, number>;
  projections: { projection: string; store: string; checkpoint?: Record<string, number>; lag?: number }[];
}
async function status(): Promise<Status> {
  const result = await runCli(['projections', 'status', '--json']);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout) as Status;
}
const history = (s: Status) => s.projections.find((p) => p.projection === 'history');

async function eventually<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(200);
  }
}

describe('chat projections', () => {
  let server: ChildProcess | undefined;
  afterAll(async () => {
    if (server !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('rebuilds history while the service serves, which switches to the new store and keeps working on it', { timeout: 180_000 }, async () => {
    // A log with some weight, so the rebuild takes a while and reads overlap it.
    await withSqliteLog(dataDir, (log) => generateLog(log, { events: 30_000, rooms: 20, users: 100 }));
    const started = await serve();
    server = started.child;
    const client = new HttpClient(started.baseUrl);
    const alice = await signUp(client, 'alice');
    const roomId: string = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'kept', kind: 'public' } })).body.room.roomId;
    for (const text of ['one', 'two', 'three']) {
      expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text, clientMessageId: text } })).status).toBe(201);
    }
    const texts = async () =>
      ((await client.get(`/api/chat/rooms/${roomId}/messages`, { token: alice.accessToken })).body.messages ?? []).map((m: { text: string }) => m.text);
    await eventually(async () => ((history(await status())?.lag ?? 1) === 0 ? true : undefined), 'the service to catch up');
    const before = await status();
    expect(history(before)?.store).toBe('sqlite history.db');

    // Reads go on during the rebuild, each one answered in full from the old store.
    const rebuild = runCli(['projections', 'rebuild', 'history', '--drop-old']);
    let done = false;
    void rebuild.then(() => (done = true));
    const reads: string[][] = [];
    while (!done) reads.push(await texts());
    const result = await rebuild;
    expect(result.code, result.stderr).toBe(0);
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.every((read) => read.join() === 'one,two,three')).toBe(true);

    const live = readFileSync(path.join(dataDir, 'history.current'), 'utf8').trim();
    expect(live).toMatch(/^history-\w+\.db$/);
    expect(result.stderr).toContain(`history rebuilt into ${live}`);
    // The service reported the switch, so --drop-old removed the old file; everything it served is still there.
    expect(readFileSync(path.join(dataDir, 'history.serving'), 'utf8').trim()).toBe(live);
    expect(result.stderr).toContain('removed the old store history.db');
    expect(existsSync(path.join(dataDir, 'history.db'))).toBe(false);
    expect(await texts()).toEqual(['one', 'two', 'three']);

    // New messages after the switch are projected into the new store and read back from it.
    expect((await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'four', clientMessageId: 'four' } })).status).toBe(201);
    expect(await texts()).toEqual(['one', 'two', 'three', 'four']);

    const after = await eventually(async () => {
      const s = await status();
      return history(s)?.lag === 0 ? s : undefined;
    }, 'lag 0 after the switch');
    expect(history(after)).toMatchObject({ store: `sqlite ${live}`, lag: 0, checkpoint: after.head });
    expect(after.projections.find((p) => p.projection === 'analytics')?.store).toContain('memory');

    const table = await runCli(['projections', 'status']);
    expect(table.stdout).toMatch(new RegExp(`history\\s+0\\s+${after.head[0]}\\s+${after.head[0]}\\s+0\\s+sqlite ${live}`));
  });

  it('refuses what it cannot do with exit code 2 and a code', async () => {
    const unknown = await runCli(['projections', 'rebuild', 'presence']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('"presence" is not a projection');
    const memory = await runCli(['projections', 'rebuild', 'analytics']);
    expect(memory.code).toBe(2);
    expect(memory.stderr).toContain('REBUILD_NOT_SUPPORTED');
    const missing = await runCli(['projections', 'rebuild']);
    expect(missing.code).toBe(2);
  });
});
