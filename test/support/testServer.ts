import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import 'reflect-metadata';
import { pino } from 'pino';
import { loadConfig } from '../../src/config/config.js';
import { ChatServer } from '../../src/server.js';

export interface TestServer {
  baseUrl: string;
  dataDir: string;
  server: ChatServer;
  /** Stops the server; the data directory stays for a restart unless `removeData` is set. */
  stop(options?: { removeData?: boolean }): Promise<void>;
}

/** A real server on a free loopback port with its own data directory (or a given one, to test restarts). */
export async function startTestServer(env: Record<string, string> = {}, dataDir?: string): Promise<TestServer> {
  const dir = dataDir ?? mkdtempSync(path.join(tmpdir(), 'chat-test-'));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dir,
    JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
    LOG_LEVEL: 'silent',
    ...env,
  });
  const server = await ChatServer.start(config, pino({ level: config.logLevel }), 'test');
  return {
    baseUrl: `http://127.0.0.1:${server.port}`,
    dataDir: dir,
    server,
    async stop(options = {}) {
      await server.stop();
      if (options.removeData) rmSync(dir, { recursive: true, force: true });
    },
  };
}
