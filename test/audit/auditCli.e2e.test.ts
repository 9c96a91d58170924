// `chat audit verify` and `chat audit export` as an auditor runs them: separate processes on the data directory a
// real service wrote, exit codes included (0 all holds, 1 broken, 2 refused input).

import { cp, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_FILE } from '../../src/audit/exportFormat.js';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';
import { runCli, type CliRun } from '../support/cliProcess.js';


const chat = (dataDir: string, args: string[]): Promise<CliRun> => runCli(args, { DATA_DIR: dataDir, LOG_LEVEL: 'silent' });

// Each run is a fresh Node process loading the service (seconds each on a busy machine): generous timeouts.
const CLI_TIMEOUT = 120_000;

describe('chat audit (CLI)', { timeout: CLI_TIMEOUT }, () => {
  let server: TestServer;
  let dataDir: string;
  let roomId: string;

  beforeAll(async () => {
    server = await startTestServer();
    dataDir = server.dataDir;
    const http = new HttpClient(server.baseUrl);
    const alice = await signUp(http, 'alice');
    const room = await http.post('/api/chat/rooms', { token: alice.accessToken, body: { name: 'general', kind: 'public' } });
    roomId = room.body.room.roomId;
    for (const text of ['one', 'two', 'three']) {
      await http.post('/api/chat/send', { token: alice.accessToken, body: { roomId, text, clientMessageId: text } });
    }
    await server.stop();
  });

  afterAll(async () => {
    await server.stop({ removeData: true }).catch(() => undefined);
  });

  it('verifies the whole log and one stream', async () => {
    const all = await chat(dataDir, ['audit', 'verify']);
    expect(all.code, all.stderr).toBe(0);
    expect(all.stdout).toMatch(/^OK: the event log: \d+ streams, \d+ events verified \(\d+ chained\)/);
    const one = await chat(dataDir, ['audit', 'verify', '--stream', `room-${roomId}`]);
    expect(one.stdout).toMatch(new RegExp(`^OK: stream room-${roomId}: 1 stream, 5 events verified \\(5 chained\\)\nhead: version 5, hash [0-9a-f]{64}\n$`));
  });

  it('exports a room, verifies the export, and names the line of a tampered copy', async () => {
    const out = path.join(dataDir, 'export');
    const exported = await chat(dataDir, ['audit', 'export', '--room', roomId, '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--output', out]);
    expect(exported.code, exported.stderr).toBe(0);
    expect(exported.stdout).toMatch(new RegExp(`^exported 5 events of room-${roomId} \\(versions 1\\.\\.5\\)`));

    const verified = await chat(dataDir, ['audit', 'verify', '--export', out]);
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^OK: export of room-.*: 5 events, versions 1\.\.5, chain from 0{64} to [0-9a-f]{64} complete and unaltered\n$/);
    // Away from the service's data (an auditor's machine) the stored bodies still prove the chain.
    const elsewhere = await chat(path.join(dataDir, 'nowhere'), ['audit', 'verify', '--export', out]);
    expect(elsewhere.code, elsewhere.stderr).toBe(0);
    expect(elsewhere.stdout).toContain("decoded views checked on the bodies' clear fields only");

    const tampered = path.join(dataDir, 'tampered');
    await cp(out, tampered, { recursive: true });
    const file = path.join(tampered, EVENTS_FILE);
    await writeFile(file, (await readFile(file, 'utf8')).replace('"text":"two"', '"text":"2"'));
    const broken = await chat(dataDir, ['audit', 'verify', '--export', tampered]);
    expect(broken.code).toBe(1);
    // The text is sealed in the stored body (crypto-shredding): the service's keys show the edit.
    expect(broken.stdout).toMatch(/^BROKEN: export .*: line 4: the decoded event says .*"text":"2"/);

    const again = await chat(dataDir, ['audit', 'export', '--room', roomId, '--from', '2000-01-01T00:00:00Z', '--to', '2100-01-01T00:00:00Z', '--output', out]);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('OUTPUT_EXISTS');
  });

  it('refuses bad flags with exit 2, naming the flag', async () => {
    const badTime = await chat(dataDir, ['audit', 'export', '--room', roomId, '--from', 'yesterday', '--to', '2100-01-01T00:00:00Z', '--output', path.join(dataDir, 'x')]);
    expect(badTime.code).toBe(2);
    expect(badTime.stderr).toContain('--from');
    const missing = await chat(dataDir, ['audit', 'export', '--room', roomId]);
    expect(missing.code).toBe(2);
    const noLog = await chat(path.join(dataDir, 'nowhere'), ['audit', 'verify']);
    expect(noLog.code).toBe(2);
    expect(noLog.stderr).toContain('NO_EVENT_LOG');
  });

  it('exits 1 naming the stream and version after a stored event was changed behind the service', async () => {
    // Someone with write access to the file (not to the service) drops the append-only triggers and edits a body.
    const db = new Database(path.join(dataDir, 'events.db'));
    const triggers = db.prepare<[], { name: string; sql: string }>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all();
    for (const { name } of triggers) db.exec(`DROP TRIGGER ${name}`);
    const streamId = `room-${roomId}`;
    const body = db.prepare<[string], Buffer>('SELECT body FROM events WHERE stream_id = ? AND stream_version = 3').pluck().get(streamId);
    if (body === undefined) throw new Error('no version 3');
    const at = body.indexOf('one');
    body[at] = 'O'.charCodeAt(0);
    db.prepare('UPDATE events SET body = ? WHERE stream_id = ? AND stream_version = 3').run(body, streamId);
    for (const { sql } of triggers) db.exec(sql);
    db.close();

    const broken = await chat(dataDir, ['audit', 'verify']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN: stream ${streamId} version 4`);
    expect(broken.stdout).toContain('previousHash does not match');
  });
});
