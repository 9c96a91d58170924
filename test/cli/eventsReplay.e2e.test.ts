import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageIdOf } from '../../src/domain/ids.js';
import { CSV_COLUMNS } from '../../src/analysis/replayRecord.js';
import { runCli as run } from '../support/cliProcess.js';
import { accountOf, appendAll, event, withSqliteLog, type SeedAppend } from '../analysis/seedLog.js';

// `chat events replay` as an analyst runs it: a separate process on a data directory the service wrote.

const root = path.resolve(import.meta.dirname, '../..');
const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-replay-'));
// util-linux `script` gives a command a terminal; without it the progress-bar test cannot run.
const hasScript = spawnSync('script', ['--version']).status === 0;
const DAY1 = Date.UTC(2026, 10, 20, 9);
const DAY2 = Date.UTC(2026, 10, 21, 9);

const runCli = (args: string[], env: Record<string, string> = {}) => run(args, { DATA_DIR: dataDir, EVENT_LOG: 'sqlite', ...env });

const sent = (roomId: string, seq: number, senderId: string, text: string, at: number) =>
  event({ type: 'MessageSent', data: { roomId, messageId: messageIdOf(roomId, seq), senderId, text, clientMessageId: `c-${roomId}-${seq}` } }, senderId, at, `${roomId}-m${seq}`);

// alice and bob; room r-one (day 1: created by alice, bob joins, 3 messages, an edit, a delete), room r-two (day 2:
// created by bob, 2 messages), bob reads r-one. 19 events in all.
const SEED: SeedAppend[] = [
  ...accountOf('u-alice', 'alice', DAY1 - 60_000),
  ...accountOf('u-bob', 'bob', DAY1 - 30_000),
  {
    streamId: 'room-r-one',
    events: [
      event({ type: 'RoomCreated', data: { roomId: 'r-one', name: 'one', kind: 'public', createdBy: 'u-alice' } }, 'u-alice', DAY1, 'r-one-created'),
      event({ type: 'MemberJoined', data: { roomId: 'r-one', userId: 'u-alice', role: 'owner', addedBy: null } }, 'u-alice', DAY1, 'r-one-j1'),
      event({ type: 'MemberJoined', data: { roomId: 'r-one', userId: 'u-bob', role: 'member', addedBy: null } }, 'u-bob', DAY1 + 1000, 'r-one-j2'),
    ],
  },
  { streamId: 'room-r-one', events: [sent('r-one', 4, 'u-alice', 'hello, "bob"\nhow are you?', DAY1 + 2000)] },
  {
    streamId: 'room-r-two',
    events: [
      event({ type: 'RoomCreated', data: { roomId: 'r-two', name: 'two', kind: 'private', createdBy: 'u-bob' } }, 'u-bob', DAY2, 'r-two-created'),
      event({ type: 'MemberJoined', data: { roomId: 'r-two', userId: 'u-bob', role: 'owner', addedBy: null } }, 'u-bob', DAY2, 'r-two-j1'),
    ],
  },
  { streamId: 'room-r-one', events: [sent('r-one', 5, 'u-bob', 'fine, thanks', DAY1 + 3000)] },
  { streamId: 'room-r-one', events: [sent('r-one', 6, 'u-alice', 'lunch?', DAY1 + 4000)] },
  {
    streamId: 'room-r-one',
    events: [event({ type: 'MessageEdited', data: { roomId: 'r-one', messageId: messageIdOf('r-one', 6), text: 'lunch at 12?', editedBy: 'u-alice' } }, 'u-alice', DAY1 + 5000, 'r-one-edit')],
  },
  {
    streamId: 'room-r-one',
    events: [event({ type: 'MessageDeleted', data: { roomId: 'r-one', messageId: messageIdOf('r-one', 5), deletedBy: 'u-bob' } }, 'u-bob', DAY1 + 6000, 'r-one-del')],
  },
  { streamId: 'receipts-u-bob', events: [event({ type: 'MessagesRead', data: { userId: 'u-bob', roomId: 'r-one', seq: 6 } }, 'u-bob', DAY1 + 7000, 'bob-read')] },
  { streamId: 'room-r-two', events: [sent('r-two', 3, 'u-bob', 'just me', DAY2 + 1000)] },
  { streamId: 'room-r-two', events: [sent('r-two', 4, 'u-bob', 'still me', DAY2 + 2000)] },
];
const TOTAL = 17;

interface Line {
  partition: number;
  position: number;
  occurredAt: string;
  type: string;
  streamId: string;
  eventId: string;
  actorId: string | null;
  data: Record<string, unknown>;
}
const jsonLines = (text: string): Line[] =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Line);
const ids = (text: string) => jsonLines(text).map((line) => line.eventId);

describe('chat events replay', () => {
  beforeAll(async () => {
    await withSqliteLog(dataDir, (log) => appendAll(log, SEED));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes the whole log as JSON Lines in log order, with a summary on stderr and no progress bar off a terminal', async () => {
    const run = await runCli(['events', 'replay']);
    expect(run.code).toBe(0);
    const lines = jsonLines(run.stdout);
    expect(lines).toHaveLength(TOTAL);
    expect(lines.map((line) => line.position)).toEqual(Array.from({ length: TOTAL }, (_, i) => i + 1));
    expect(lines[0]).toMatchObject({ partition: 0, type: 'UsernameClaimed', streamId: 'username-alice', actorId: 'u-alice' });
    const hello = lines.find((line) => line.eventId === 'r-one-m4');
    expect(hello).toMatchObject({ occurredAt: new Date(DAY1 + 2000).toISOString(), data: { text: 'hello, "bob"\nhow are you?', senderId: 'u-alice' } });
    expect(run.stdout).not.toContain('passwordHash');
    expect(run.stderr).toMatch(new RegExp(`events: ${TOTAL} written of ${TOTAL} read in [0-9.]+ s \\(\\d+ events/s`));
    expect(run.stderr).not.toContain('replay [');
  });

  it.skipIf(!hasScript)('draws a progress bar on stderr when it is a terminal, and the data stays clean', async () => {
    const file = path.join(dataDir, 'tty.jsonl');
    const terminal = spawnSync('script', ['-qec', `${process.execPath} --import tsx src/cli/main.ts events replay -o ${file}`, '/dev/null'], {
      cwd: root,
      env: { ...process.env, DATA_DIR: dataDir, EVENT_LOG: 'sqlite' },
      encoding: 'utf8',
    });
    expect(terminal.status).toBe(0);
    expect(terminal.stdout).toContain('replay [');
    expect(terminal.stdout).toContain(`${TOTAL}/${TOTAL} read`);
    expect(jsonLines(readFileSync(file, 'utf8'))).toHaveLength(TOTAL);
  });

  it("selects a room's events of some types in a time range", async () => {
    const run = await runCli(['events', 'replay', '--room', 'r-one', '--type', 'MessageSent', '--type', 'MessageEdited', '--since', new Date(DAY1 + 3000).toISOString()]);
    expect(run.code).toBe(0);
    expect(ids(run.stdout)).toEqual(['r-one-m5', 'r-one-m6', 'r-one-edit']);
  });

  it('selects one UTC day, and a user (what they did plus their own streams)', async () => {
    const day2 = await runCli(['events', 'replay', '--since', '2026-11-21', '--until-time', '2026-11-22']);
    expect(ids(day2.stdout)).toEqual(['r-two-created', 'r-two-j1', 'r-two-m3', 'r-two-m4']);
    const bob = await runCli(['events', 'replay', '--user', 'u-bob', '--until-time', '2026-11-21']);
    expect(jsonLines(bob.stdout).map((line) => `${line.type}:${line.streamId}`)).toEqual([
      'UsernameClaimed:username-bob',
      'UserRegistered:user-u-bob',
      'MemberJoined:room-r-one',
      'MessageSent:room-r-one',
      'MessageDeleted:room-r-one',
      'MessagesRead:receipts-u-bob',
    ]);
  });

  it('slices by position: --after a checkpoint, --until one, and the summary says how to continue', async () => {
    const run = await runCli(['events', 'replay', '--after', '4', '--until', '0:7']);
    expect(jsonLines(run.stdout).map((line) => line.position)).toEqual([5, 6, 7]);
    expect(run.stderr).toContain(`--after '{"0":7}'`);
  });

  it('writes CSV into a file that parses back to the same events', async () => {
    const file = path.join(dataDir, 'one.csv');
    const run = await runCli(['events', 'replay', '--format', 'csv', '--room', 'r-one', '--output', file]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('');
    const rows: Record<string, string>[] = parse(readFileSync(file, 'utf8'), { columns: true });
    expect(Object.keys(rows[0] ?? {})).toEqual([...CSV_COLUMNS]);
    expect(rows.map((row) => row.eventId)).toEqual(['r-one-created', 'r-one-j1', 'r-one-j2', 'r-one-m4', 'r-one-m5', 'r-one-m6', 'r-one-edit', 'r-one-del']);
    const hello = rows.find((row) => row.eventId === 'r-one-m4');
    expect(JSON.parse(hello?.data ?? '{}')).toMatchObject({ text: 'hello, "bob"\nhow are you?' });
    expect(hello).toMatchObject({ type: 'MessageSent', streamId: 'room-r-one', streamVersion: '4', partition: '0', actorId: 'u-alice' });
  });

  it.each([
    [['--type', 'MessageSend'], '--type'],
    [['--format', 'xml'], '--format'],
    [['--since', 'last tuesday'], '--since'],
    [['--after', 'x:1'], '--after'],
    [['--until', '-3'], '--until'],
    [['--room', 'no such room!'], '--room'],
    [['--bogus'], '--bogus'],
    [['--output', '/nonexistent-dir/out.jsonl'], '--output'],
  ])('refuses %j with exit code 2, naming the flag, and writes nothing', async (flags, named) => {
    const run = await runCli(['events', 'replay', ...flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(named);
    expect(run.stdout).toBe('');
  });

  it('refuses a data directory without an event log with exit code 2', async () => {
    const empty = mkdtempSync(path.join(tmpdir(), 'chat-replay-empty-'));
    try {
      const run = await runCli(['events', 'replay', '--data-dir', empty]);
      expect(run.code).toBe(2);
      expect(run.stderr).toContain('NO_EVENT_LOG');
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
