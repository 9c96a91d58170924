// Finds or builds the Python that runs test/interop/confluent_consumer.py.

import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const INTEROP_DIR = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(INTEROP_DIR, '..', '..');
export const CONSUMER_SCRIPT = path.join(INTEROP_DIR, 'confluent_consumer.py');
const REQUIREMENTS = path.join(INTEROP_DIR, 'requirements.txt');
/** Git-ignored, beside the servers scripts/services runs; reused across runs while requirements.txt is unchanged. */
const VENV = path.join(ROOT, '.services', 'interop-venv');
const STAMP = 'requirements.sha256';

/**
 * PYTHON_INTEROP when set (a python with requirements.txt installed); otherwise a venv under .services built on
 * first use, so CI needs nothing but python3 and PyPI. The venv is rebuilt when requirements.txt changes (its hash
 * is stamped inside), and built under a temporary name then renamed, so an interrupted build is never reused.
 */
export async function interopPython(log: (line: string) => void): Promise<string> {
  const configured = process.env.PYTHON_INTEROP?.trim();
  if (configured) return configured;

  const python = path.join(VENV, 'bin', 'python');
  const wanted = createHash('sha256').update(readFileSync(REQUIREMENTS)).digest('hex');
  const stamp = path.join(VENV, STAMP);
  if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === wanted) return python;

  const building = `${VENV}.building-${process.pid}`;
  rmSync(building, { recursive: true, force: true });
  const started = Date.now();
  log(`building ${VENV} (python3 -m venv, pip install -r ${path.relative(ROOT, REQUIREMENTS)})`);
  try {
    await run('python3', ['-m', 'venv', building], { timeout: 120_000 });
    // `python -m pip`, not bin/pip: pip's script has the temporary path in its shebang, the interpreter does not care.
    await run(
      path.join(building, 'bin', 'python'),
      ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '-r', REQUIREMENTS],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    );
  } catch (error) {
    rmSync(building, { recursive: true, force: true });
    const stderr = typeof error === 'object' && error !== null ? String(Reflect.get(error, 'stderr') ?? '') : '';
    throw new Error(
      `could not build the interop venv (needs python3 with venv, and PyPI; or set PYTHON_INTEROP): ` +
        `${error instanceof Error ? error.message : String(error)}\n${stderr}`,
    );
  }
  writeFileSync(path.join(building, STAMP), `${wanted}\n`);
  rmSync(VENV, { recursive: true, force: true });
  renameSync(building, VENV);
  log(`built ${VENV} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return python;
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: unknown;
}

/** Runs the consumer script over a topic and returns the records it printed, one JSON object per line. */
export async function consumeWithPython(
  python: string,
  options: { brokers: string; registryUrl: string; topic: string; timeoutSeconds: number },
): Promise<ConsumedRecord[]> {
  let stdout: string;
  try {
    ({ stdout } = await run(
      python,
      [
        CONSUMER_SCRIPT,
        '--bootstrap',
        options.brokers,
        '--registry-url',
        options.registryUrl,
        '--topic',
        options.topic,
        '--timeout',
        String(options.timeoutSeconds),
      ],
      // The script stops itself at --timeout; this only guards against a hung interpreter.
      { timeout: (options.timeoutSeconds + 30) * 1000, maxBuffer: 16 * 1024 * 1024 },
    ));
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null ? String(Reflect.get(error, 'stderr') ?? '') : '';
    throw new Error(`confluent_consumer.py failed: ${error instanceof Error ? error.message : String(error)}\n${stderr}`);
  }
  return stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => parseRecord(line));
}

function parseRecord(line: string): ConsumedRecord {
  const value: unknown = JSON.parse(line);
  if (
    typeof value === 'object' &&
    value !== null &&
    'partition' in value &&
    typeof value.partition === 'number' &&
    'offset' in value &&
    typeof value.offset === 'number' &&
    'key' in value &&
    (value.key === null || typeof value.key === 'string') &&
    'value' in value
  ) {
    return { partition: value.partition, offset: value.offset, key: value.key, value: value.value };
  }
  throw new Error(`confluent_consumer.py printed an unexpected line: ${line}`);
}
