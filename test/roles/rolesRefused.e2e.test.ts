import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// `chat serve --roles` with roles a deployment cannot have: the process exits 2 before opening anything, and says why.

const root = path.resolve(import.meta.dirname, '../..');

function serve(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--port', '0', ...args], {
    cwd: root,
    env: { ...process.env, EVENT_LOG: '', ROLES: '', DATA_DIR: path.join(root, 'data', 'never-created'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stderr })));
}

describe('chat serve --roles refused', () => {
  it('names unknown roles and the known ones', async () => {
    const { code, stderr } = await serve(['--roles', 'api,gatewy'], {});
    expect(code).toBe(2);
    expect(stderr).toContain('ROLES: unknown role "gatewy"; known roles: api, gateway, command-processor, projector:history, projector:analytics');
  });

  it('refuses a share of the roles on the SQLite log, which is one process file', async () => {
    const { code, stderr } = await serve([], { ROLES: 'gateway' });
    expect(code).toBe(2);
    expect(stderr).toContain('ROLES: gateway needs EVENT_LOG=kafka');
  });
});
