import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root (bench/lib/ is two levels down). */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// Every child any benchmark starts is registered here, so a failing or timed-out run still kills all of them:
// a benchmark must never leave a server or a load generator behind on a shared machine.
const children = new Set<ChildProcess>();

export interface ChildOptions {
  env?: Record<string, string>;
  /** Extra node flags (e.g. --cpu-prof) placed before the script. */
  nodeFlags?: string[];
  /** Working directory (default: this checkout). */
  cwd?: string;
  /** Show the child's stderr on ours (servers: yes, so a crash is visible). */
  inheritStderr?: boolean;
}

/** Starts a TypeScript file under node + tsx with an IPC channel (workers talk to the harness over it). */
export function forkTs(relativeScript: string, args: string[] = [], options: ChildOptions = {}): ChildProcess {
  const child = fork(path.join(ROOT, relativeScript), args, {
    cwd: ROOT,
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', options.inheritStderr === false ? 'ignore' : 'inherit', 'ipc'],
  });
  track(child);
  return child;
}

/** Starts a command (no IPC), for the service's own CLI. */
export function spawnNode(args: string[], options: ChildOptions = {}): ChildProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', ...(options.nodeFlags ?? []), ...args], {
    cwd: options.cwd ?? ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', options.inheritStderr === false ? 'ignore' : 'inherit'],
  });
  track(child);
  return child;
}

/** Registers a child started elsewhere (e.g. a Go binary) so that stopAll and killAllNow reach it too. */
export function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  // Drain stdout so a chatty child never blocks on a full pipe.
  child.stdout?.resume();
}

/** SIGTERM (a server flushes, a --cpu-prof child writes its profile), then SIGKILL after a grace period. */
export async function stopChild(child: ChildProcess, graceMs = 5_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

export async function stopAll(): Promise<void> {
  await Promise.all([...children].map((child) => stopChild(child, 2_000)));
}

/** Kills every child synchronously: for process exit paths where nothing async can run. */
export function killAllNow(): void {
  for (const child of children) child.kill('SIGKILL');
}

/** A port that was free a moment ago (the service's CLI takes a port number, not 0). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Waits for the first IPC message the predicate accepts, or fails after the timeout or if the child exits. */
export function waitForMessage<T>(child: ChildProcess, accept: (message: unknown) => T | undefined, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onMessage = (message: unknown) => {
      const value = accept(message);
      if (value === undefined) return;
      cleanup();
      resolve(value);
    };
    const onExit = (code: number | null, signal: string | null) => {
      cleanup();
      reject(new Error(`${what}: child exited (${code ?? signal}) before answering`));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`${what}: no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/**
 * Runs a worker for one command: forks `script`, sends it `command`, and resolves with the `result` it answers, or
 * rejects with the `failed` text it answers instead (named by `what`). The worker is stopped either way. A failure
 * is a rejection here, not an exception thrown inside the IPC listener, which would escape the caller.
 */
export async function askWorker<T>(script: string, command: object, timeoutMs: number, what: string): Promise<T> {
  const worker = forkTs(script);
  try {
    worker.send(command);
    const reply = await waitForMessage(
      worker,
      (message) => {
        const answer = message as { result?: T; failed?: string };
        return answer.result !== undefined || answer.failed !== undefined ? answer : undefined;
      },
      timeoutMs,
      what,
    );
    if (reply.failed !== undefined || reply.result === undefined) throw new Error(`${what}: ${reply.failed ?? 'no result'}`);
    return reply.result;
  } finally {
    await stopChild(worker, 2_000);
  }
}

/** Polls a URL until it answers 2xx. */
export async function waitForHttp(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up within ${timeoutMs} ms`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident set size of a process in KiB, from /proc (Linux): measured from outside, so no hook in the server. */
export function rssKiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
  if (!match?.[1]) throw new Error(`no VmRSS for ${pid}`);
  return Number(match[1]);
}
