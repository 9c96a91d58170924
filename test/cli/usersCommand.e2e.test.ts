import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp, STRONG_PASSWORD } from '../support/httpClient.js';
import { runCli, serveCli, type CliRun, type ServingCli } from '../support/cliProcess.js';

// `chat users erase|grant|revoke` as an operator runs them: separate processes on the data directory of a running
// `chat serve` (embedded mode), which picks their events up from the shared SQLite log.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-users-'));

// root is an admin from registration on: the one who may read an erased sender's edit history.
const env = { DATA_DIR: dataDir, EVENT_LOG: 'sqlite', ADMIN_USERNAMES: 'root' };
const chat = (args: string[]): Promise<CliRun> => runCli(args, env);

const serve = (): Promise<ServingCli> => serveCli(env);

/** Asks again until `check` passes: the server sees another process's appends when it next polls the log. */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, attempts = 100): Promise<T> {
  let value = await read();
  for (let attempt = 1; attempt < attempts && !check(value); attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

function roleInToken(accessToken: string): unknown {
  const [, payload] = accessToken.split('.');
  return JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8')).role;
}

interface MessageJson {
  seq: number;
  senderId: string;
  text: string | null;
  erased?: boolean;
}

describe('chat users, against a running server', () => {
  let server: ServingCli;
  let client: HttpClient;

  beforeAll(async () => {
    server = await serve();
    client = new HttpClient(server.baseUrl);
  }, 60_000);

  afterAll(async () => {
    if (server?.child.exitCode === null) {
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      server.child.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("erases a sender: REST history and replay show their texts erased, others' stay, the chains still verify", async () => {
    const alice = await signUp(client, 'alice');
    const bob = await signUp(client, 'bob');
    const roomId: string = (await client.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } }))
      .body.room.roomId;
    expect((await client.post(`/api/chat/rooms/${roomId}/join`, { token: bob.accessToken })).status).toBeLessThan(300);
    const send = (token: string, text: string, clientMessageId: string) =>
      client.post('/api/chat/send', { token, body: { roomId, text, clientMessageId } });
    const first = await send(alice.accessToken, 'my phone is 555-0100', 'a1');
    expect(first.status).toBe(201);
    expect(first.body.message.text).toBe('my phone is 555-0100');
    const edited = await client.patch(`/api/chat/messages/${first.body.message.messageId}`, {
      token: alice.accessToken,
      body: { text: 'call me at 555-0100' },
    });
    expect(edited.status).toBe(200);
    expect((await send(bob.accessToken, 'noted, thanks', 'b1')).status).toBe(201);
    expect((await send(alice.accessToken, 'see you', 'a2')).status).toBe(201);

    const erase = await chat(['users', 'erase', 'alice', '--json']);
    expect(erase.stderr).toBe('');
    expect(erase.code).toBe(0);
    expect(JSON.parse(erase.stdout)).toMatchObject({ userId: alice.userId, username: 'alice', keyDestroyed: true, recorded: true });

    const page = await eventually(
      () => client.get(`/api/chat/rooms/${roomId}/messages?limit=50`, { token: bob.accessToken }),
      (response) => response.body.messages.some((message: MessageJson) => message.erased === true),
    );
    expect(page.body.messages.map((m: MessageJson) => [m.senderId, m.text, m.erased ?? false])).toEqual([
      [alice.userId, '', true],
      [bob.userId, 'noted, thanks', false],
      [alice.userId, '', true],
    ]);
    // Read by an admin: the erasure closed alice's account, so her token no longer works (below).
    const root = await signUp(client, 'root');
    const history = await client.get(`/api/chat/messages/${first.body.message.messageId}/history`, { token: root.accessToken });
    expect(history.status).toBe(200);
    expect(history.body.edits.map((edit: { text: string }) => edit.text)).toEqual(['']);

    // Replay reads the log through the same decorator: erased there too, and nothing of the plaintext anywhere.
    const replay = await chat(['events', 'replay', '--room', roomId]);
    expect(replay.code).toBe(0);
    expect(replay.stdout).not.toContain('555-0100');
    expect(replay.stdout).not.toContain('see you');
    const texts = replay.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line))
      .filter((record) => record.type === 'MessageSent' || record.type === 'MessageEdited')
      .map((record) => [record.type, record.data.text, record.data.erased ?? false]);
    expect(texts).toEqual([
      ['MessageSent', '', true],
      ['MessageEdited', '', true],
      ['MessageSent', 'noted, thanks', false],
      ['MessageSent', '', true],
    ]);

    // The audit view decodes the stored bytes as every reader does: erased there too (bob made auditor for it).
    expect((await chat(['users', 'grant', 'bob', 'auditor'])).code).toBe(0);
    const auditor = await eventually(
      () => client.post('/api/auth/login', { body: { username: 'bob', password: STRONG_PASSWORD } }),
      (response) => roleInToken(response.body.accessToken) === 'auditor',
    );
    const audited = await client.get(`/api/audit/messages/${first.body.message.messageId}/versions`, {
      token: auditor.body.accessToken,
    });
    expect(audited.status).toBe(200);
    // The audit API shows an erased text as null (its own choice); what matters is that it is gone and says so.
    expect(audited.body.versions.map((v: { kind: string; text: string | null; erased: boolean }) => [v.kind, v.text ?? '', v.erased])).toEqual([
      ['sent', '', true],
      ['edited', '', true],
    ]);
    expect(JSON.stringify(audited.body)).not.toContain('555-0100');

    // The stored bytes never changed: every hash chain still verifies.
    const verify = await chat(['audit', 'verify']);
    expect(verify.stderr).toBe('');
    expect(verify.code).toBe(0);

    // Her account is closed: the token she held is refused before anything is stored (issue #15; the full rule is
    // test/http/erasedAccount.e2e.test.ts). Erasing again changes nothing.
    const after = await send(alice.accessToken, 'am I back?', 'a3');
    expect(after.status).toBe(410);
    expect(after.body.error.code).toBe('ACCOUNT_ERASED');
    const again = await chat(['users', 'erase', alice.userId]);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('already erased; nothing changed');
  }, 120_000);

  it('grants and revokes a role: the next login issues tokens with it', async () => {
    const carol = await signUp(client, 'carol');
    expect(roleInToken(carol.accessToken)).toBe('user');

    const grant = await chat(['users', 'grant', 'Carol', 'auditor']);
    expect(grant.code).toBe(0);
    expect(grant.stdout).toContain('now has role auditor');
    const login = () => client.post('/api/auth/login', { body: { username: 'carol', password: STRONG_PASSWORD } });
    const asAuditor = await eventually(login, (response) => roleInToken(response.body.accessToken) === 'auditor');
    expect(roleInToken(asAuditor.body.accessToken)).toBe('auditor');
    expect(asAuditor.body.user.role).toBe('auditor');
    // A token issued before the grant keeps the role it was issued with until it expires.
    expect(roleInToken(carol.accessToken)).toBe('user');

    expect((await chat(['users', 'grant', carol.userId, 'auditor'])).stdout).toContain('already has role auditor');
    const revoke = await chat(['users', 'revoke', 'carol', 'auditor']);
    expect(revoke.code).toBe(0);
    const asUser = await eventually(login, (response) => roleInToken(response.body.accessToken) === 'user');
    expect(roleInToken(asUser.body.accessToken)).toBe('user');
  }, 120_000);

  it('refuses an unknown role or a missing argument (exit 2) and an unknown user (exit 3), changing nothing', async () => {
    const badRole = await chat(['users', 'grant', 'carol', 'superuser']);
    expect(badRole.code).toBe(2);
    expect(badRole.stderr).toContain('unknown role "superuser"');
    const missing = await chat(['users', 'grant', 'carol']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("missing required argument 'role'");
    const noUser = await chat(['users', 'erase', 'nobody-here']);
    expect(noUser.code).toBe(3);
    expect(noUser.stderr).toContain('NO_USER');
    const shown = await chat(['users', 'show', 'carol', '--json']);
    expect(JSON.parse(shown.stdout)).toMatchObject({ username: 'carol', role: 'user', erased: false });
  }, 60_000);
});
