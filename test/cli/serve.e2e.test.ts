import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { runCli, serveCli, type ServingCli } from '../support/cliProcess.js';

// `chat serve` as a user runs it: a separate process, stopped with SIGTERM and started again on the same data.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-serve-'));

type Running = ServingCli;

const serve = (env: Record<string, string>): Promise<Running> => serveCli({ DATA_DIR: dataDir, ...env });

function stop(running: Running): Promise<number | null> {
  return new Promise((resolve) => {
    running.child.removeAllListeners('exit');
    running.child.once('exit', (code) => resolve(code));
    running.child.kill('SIGTERM');
  });
}

describe('chat serve', () => {
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps accounts, rooms and history across a restart, with the generated dev secret', async () => {
    const first = await serve({});
    expect(first.output()).toContain('JWT_SECRET is not set');
    const client = new HttpClient(first.baseUrl);
    const alice = await signUp(client, 'alice');
    const roomId = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'kept', kind: 'public' } })).body.room
      .roomId;
    const sent = await client.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text: 'still here?', clientMessageId: 'k1' } });
    expect(sent.status).toBe(201);
    expect(await stop(first)).toBe(0);

    const second = await serve({});
    const again = new HttpClient(second.baseUrl);
    // The access token from before the restart still verifies: the dev secret was kept in the data directory.
    expect((await again.get('/api/auth/me', { token: alice.accessToken })).status).toBe(200);
    const login = await again.post('/api/auth/login', { body: { username: 'alice', password: STRONG_PASSWORD } });
    expect(login.status).toBe(200);
    const page = await again.get(`/api/chat/rooms/${roomId}/messages`, { token: login.body.accessToken });
    expect(page.body.messages.map((message: { text: string }) => message.text)).toEqual(['still here?']);
    const rooms = await again.get('/api/chat/rooms', { token: login.body.accessToken });
    expect(rooms.body.rooms.map((room: { name: string }) => room.name)).toEqual(['kept']);
    // The same clientMessageId after the restart is still recognised as a retry.
    const retry = await again.post('/api/chat/send', { token: login.body.accessToken, body: { roomId, text: 'dup', clientMessageId: 'k1' } });
    expect(retry.status).toBe(200);
    expect(retry.body.message.messageId).toBe(sent.body.message.messageId);
    expect(await stop(second)).toBe(0);
  });

  it('refuses to start on a bad setting and names it', async () => {
    const { code, stderr } = await runCli(['serve'], { DATA_DIR: dataDir, PORT: 'eighty', JWT_SECRET: 'short' });
    expect(code).toBe(2);
    expect(stderr).toContain('PORT');
    expect(stderr).toContain('JWT_SECRET');
  });
});
