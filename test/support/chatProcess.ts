import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

// `chat serve` as a separate process, the way an operator runs it: for tests of roles, restarts and signals.
// Started from the sources through tsx; ready once it logs the address it listens on.

const root = path.resolve(import.meta.dirname, '../..');

export interface ChatProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly baseUrl: string;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
  /** SIGTERM and the exit code; SIGKILL (null) when it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<number | null>;
}

/** Spawns `chat serve <args>` with `env` on top of this process's environment; rejects if it exits before ready. */
export function spawnChat(name: string, args: string[], env: Record<string, string>, readyTimeoutMs = 60_000): Promise<ChatProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const stop = async (graceMs = 15_000): Promise<number | null> => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    const code = await exited;
    clearTimeout(timer);
    return code;
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop(1000);
      reject(new Error(`${name} was not ready within ${readyTimeoutMs} ms:\n${output}`));
    }, readyTimeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"http:\/\/localhost:(\d+)"/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        child.stderr?.off('data', onData);
        const keep = (more: Buffer) => (output += more.toString());
        child.stdout?.on('data', keep);
        child.stderr?.on('data', keep);
        resolve({ name, child, baseUrl: `http://127.0.0.1:${match[1]}`, output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited with ${code} before it was ready:\n${output}`));
    });
  });
}
