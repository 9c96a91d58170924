import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildContainer, get } from '../../src/composition/container.js';
import { TOKENS } from '../../src/composition/tokens.js';
import { loadConfig } from '../../src/config/config.js';
import { runCli as run } from '../support/cliProcess.js';
import { generateLog } from '../analysis/seedLog.js';

// `chat events replay --jobs 2` on a log long enough to be split over worker threads (over 100k positions): what it
// writes is byte for byte what one thread writes, JSON Lines and CSV, filtered or not, with personal data that the
// workers unseal themselves (and show as erased once the key is destroyed).

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-replay-parallel-'));
const env = { DATA_DIR: dataDir, EVENT_LOG: 'sqlite' };
const EVENTS = 110_000;
const runCli = (args: string[]) => run(args, env);

/** Replays into a file with the given flags; returns the bytes and the summary line. */
async function replayTo(name: string, args: string[]): Promise<{ bytes: Buffer; summary: string }> {
  const file = path.join(dataDir, name);
  const result = await runCli(['events', 'replay', ...args, '-o', file]);
  expect(result.code, result.stderr).toBe(0);
  return { bytes: readFileSync(file), summary: result.stderr };
}

describe('chat events replay in worker threads', () => {
  beforeAll(async () => {
    // Through the service's composed log, so message texts and emails are stored sealed with per-user keys.
    const container = buildContainer(loadConfig(env), pino({ level: 'error' }));
    try {
      await generateLog(await get(container, TOKENS.eventLog), { events: EVENTS, rooms: 20, users: 50 });
    } finally {
      await container.unbindAll();
    }
  }, 120_000);
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('writes the whole log exactly as one thread does, with texts unsealed', { timeout: 120_000 }, async () => {
    const one = await replayTo('one.jsonl', ['--jobs', '1']);
    const two = await replayTo('two.jsonl', ['--jobs', '2']);
    expect(one.summary).not.toContain('worker threads');
    expect(two.summary).toContain('by 2 worker threads');
    expect(two.bytes.equals(one.bytes)).toBe(true);
    const lines = two.bytes.toString('utf8').trimEnd().split('\n');
    expect(lines.length).toBeGreaterThanOrEqual(EVENTS);
    const positions = lines.map((line) => (JSON.parse(line) as { position: number }).position);
    expect(positions).toEqual(Array.from({ length: positions.length }, (_, i) => i + 1));
    expect(lines.find((line) => line.includes('"MessageSent"'))).toMatch(/"text":"message \d+ of room\d+: lorem ipsum dolor"/);
  });

  it('writes the same CSV and the same filtered slice as one thread, and continues where it says', { timeout: 120_000 }, async () => {
    const slice = ['--after', '5000', '--until', '108000', '--type', 'MessageSent', '--format', 'csv'];
    const one = await replayTo('one.csv', [...slice, '--jobs', '1']);
    const two = await replayTo('two.csv', [...slice, '--jobs', '2']);
    expect(two.summary).toContain('worker threads');
    expect(two.bytes.equals(one.bytes)).toBe(true);
    expect(two.bytes.toString('utf8').split('\n')[0]).toMatch(/^partition,position,/);
    expect(two.summary).toContain(`continue with --after '{"0":108000}'`);
    expect(two.summary).toMatch(/ written of 103000 read/);
  });

  it("shows an erased user's texts as erased in every worker's slice", { timeout: 120_000 }, async () => {
    const erase = await runCli(['users', 'erase', 'user7']);
    expect(erase.code, erase.stderr).toBe(0);
    const two = await replayTo('erased.jsonl', ['--jobs', '2', '--user', 'user7', '--type', 'MessageSent']);
    expect(two.summary).toContain('worker threads');
    const data = two.bytes
      .toString('utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { position: number; data: { text: string; erased?: boolean } }));
    // user7's messages are spread over the whole log, so over every slice.
    expect(data.length).toBeGreaterThan(100);
    expect(data.at(-1)?.position).toBeGreaterThan(100_000);
    expect(data.every(({ data: { text, erased } }) => text === '' && erased === true)).toBe(true);
  });
});
