import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../support/cliProcess.js';

// `chat assistants create|configure|show` (issue #19) as an operator runs them, on an embedded data directory.

const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-assistants-'));
const env = { DATA_DIR: dataDir, EVENT_LOG: 'sqlite' };
const chat = (args: string[]): Promise<CliRun> => runCli(args, env);

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('chat assistants', () => {
  it('creates an assistant, shows it, changes only what is given, and refuses what is wrong', async () => {
    const promptFile = path.join(dataDir, 'prompt.txt');
    writeFileSync(promptFile, 'You answer questions about the office.\n');
    const created = await chat(['assistants', 'create', 'officebot', '--prompt-file', promptFile, '--rooms', 'r1, r2', '--json']);
    expect(created.code, created.stderr).toBe(0);
    const assistant = JSON.parse(created.stdout);
    expect(assistant).toMatchObject({
      username: 'officebot',
      kind: 'assistant',
      systemPrompt: 'You answer questions about the office.',
      model: '',
      effectiveModel: 'gpt-4o-mini',
      allowedRoomIds: ['r1', 'r2'],
    });

    const configured = await chat(['assistants', 'configure', assistant.userId, '--model', 'llama3.1:8b', '--rooms', '']);
    expect(configured.code, configured.stderr).toBe(0);
    expect(configured.stdout).toContain('model llama3.1:8b, answers in every room it is a member of');
    const shown = JSON.parse((await chat(['assistants', 'show', assistant.userId, '--json'])).stdout);
    expect(shown).toMatchObject({ systemPrompt: 'You answer questions about the office.', model: 'llama3.1:8b', allowedRoomIds: [] });

    const noPrompt = await chat(['assistants', 'create', 'other']);
    expect(noPrompt.code).toBe(2);
    expect(noPrompt.stderr).toContain('system prompt');
    const taken = await chat(['assistants', 'create', 'officebot', '--prompt', 'x']);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain('USERNAME_TAKEN');
    const badModel = await chat(['assistants', 'configure', assistant.userId, '--model', 'rm -rf /']);
    expect(badModel.code).toBe(2);
    expect(badModel.stderr).toContain('VALIDATION_FAILED');
    const unknown = await chat(['assistants', 'show', 'no-such-user']);
    expect(unknown.code).toBe(3);
  }, 120_000);
});
