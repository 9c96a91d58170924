// Finds the pinned Schemathesis (.services/schemathesis-venv, built by .ci/run) and runs it against a service.

import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SCHEMATHESIS_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(SCHEMATHESIS_DIR, '..', '..', '..');
const REQUIREMENTS = path.join(SCHEMATHESIS_DIR, 'requirements.txt');
const CONFIG = path.join(SCHEMATHESIS_DIR, 'schemathesis.toml');
const HOOKS = path.join(SCHEMATHESIS_DIR, 'hooks.py');
/** Git-ignored, beside the interop venv; `.ci/run` builds it from requirements.txt. */
export const VENV = path.join(ROOT, '.services', 'schemathesis-venv');

/** The version requirements.txt pins, so a stale venv is reported instead of silently run. */
export function pinnedVersion(): string {
  const pin = /^schemathesis==(\S+)$/m.exec(readFileSync(REQUIREMENTS, 'utf8'));
  if (!pin?.[1]) throw new Error(`${REQUIREMENTS} does not pin schemathesis==<version>`);
  return pin[1];
}

/**
 * SCHEMATHESIS (a schemathesis executable) when set, else the venv's once .ci/run finished it (its last step stamps
 * the requirements' hash inside); undefined when neither is there.
 */
export function schemathesisExecutable(): string | undefined {
  const configured = process.env.SCHEMATHESIS?.trim();
  if (configured) return configured;
  const venv = path.join(VENV, 'bin', 'schemathesis');
  return existsSync(venv) && existsSync(path.join(VENV, 'requirements.sha256')) ? venv : undefined;
}

export async function versionOf(executable: string): Promise<string> {
  const { stdout } = await run(executable, ['--version'], { timeout: 60_000 });
  return /version (\S+)/.exec(stdout)?.[1] ?? stdout.trim();
}

export interface SchemathesisRun {
  exitCode: number;
  /** What Schemathesis printed: progress, every failure with a curl line to reproduce it, the summary. */
  output: string;
  seconds: number;
}

/**
 * Runs every check and phase of schemathesis.toml against `baseUrl`'s OpenAPI document, as `user` (the dynamic
 * auth logs in as them). Runs in a temporary directory, so Schemathesis's own files stay out of the repository.
 */
export async function runSchemathesis(
  executable: string,
  options: { baseUrl: string; user: { userId: string; username: string; password: string }; timeoutSeconds: number },
): Promise<SchemathesisRun> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));
  const started = Date.now();
  const args = [
    '--config-file',
    CONFIG,
    'run',
    `${options.baseUrl}/api/openapi.json`,
    '--checks',
    'all',
    '--no-color',
    // Long generated bodies stay readable in the report; the curl lines are what reproduce a failure.
    '--output-truncate',
    'true',
  ];
  const env = {
    ...process.env,
    CHAT_ST_HOOKS: HOOKS,
    CHAT_ST_USERNAME: options.user.username,
    CHAT_ST_PASSWORD: options.user.password,
    CHAT_ST_USER_ID: options.user.userId,
  };
  try {
    const { stdout, stderr } = await run(executable, args, {
      cwd: workDir,
      env,
      timeout: options.timeoutSeconds * 1000,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { exitCode: 0, output: stdout + stderr, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
    const output = ['stdout', 'stderr']
      .map((stream) => (typeof error === 'object' && error !== null ? String(Reflect.get(error, stream) ?? '') : ''))
      .join('');
    const reason = error instanceof Error ? error.message : String(error);
    return { exitCode: typeof code === 'number' ? code : -1, output: output || reason, seconds: (Date.now() - started) / 1000 };
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}
