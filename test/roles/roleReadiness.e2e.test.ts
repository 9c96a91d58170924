import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { HttpClient } from '../support/httpClient.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, testKeyPrefix } from '../support/redis.js';
import { deleteSubjects, subjectsWithPrefix, uniqueSubjectPrefix } from '../support/schemaRegistry.js';

// Readiness per role while Kafka is away: a gateway process answers /api/health at once, 503, naming the log that
// is not connected and its gateway that does not accept connections yet; it never reports ready meanwhile. A
// SIGTERM then waits for the start to be over; a second one ends the process at once.

const root = path.resolve(import.meta.dirname, '../..');

function freePort(): Promise<number> {
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

describeWithServices('chat serve --roles gateway while Kafka is away', ['SCHEMA_REGISTRY_URL', 'REDIS_URL'], (env) => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-roles-readiness-'));
  const keyPrefix = testKeyPrefix('roles-readiness');
  const subjectPrefix = uniqueSubjectPrefix('roles-readiness');
  let redis: Redis;

  beforeAll(async () => {
    redis = await openRedis(env('REDIS_URL'));
  });

  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await deleteKeys(redis, keyPrefix);
    await redis.quit();
    await deleteSubjects(env('SCHEMA_REGISTRY_URL'), await subjectsWithPrefix(env('SCHEMA_REGISTRY_URL'), subjectPrefix).catch(() => []));
  });

  it('answers 503 at once, naming the log that is not connected and the gateway that does not accept connections yet', async () => {
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'serve', '--roles', 'gateway', '--port', String(port)], {
      cwd: root,
      env: {
        ...process.env,
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        // Nothing listens on port 1: every connection is refused at once.
        EVENT_LOG: 'kafka',
        KAFKA_BROKERS: '127.0.0.1:1',
        SCHEMA_REGISTRY: 'confluent',
        SCHEMA_REGISTRY_URL: env('SCHEMA_REGISTRY_URL'),
        SCHEMA_SUBJECT_PREFIX: subjectPrefix,
        REDIS_URL: env('REDIS_URL'),
        REDIS_KEY_PREFIX: keyPrefix,
        PERSONAL_DATA_KEYS: 'redis',
        JWT_SECRET: 'roles-readiness-secret-long-enough-0123456789',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const http = new HttpClient(`http://127.0.0.1:${port}`);
      let health: Awaited<ReturnType<HttpClient['get']>> | undefined;
      // Waits for the port to open (the process first loads its code and registers the schemas).
      for (let attempt = 0; attempt < 600 && health === undefined && child.exitCode === null; attempt += 1) {
        health = await http.get('/api/health').catch(() => undefined);
        if (health === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(health, output).toBeDefined();
      expect(health?.status).toBe(503);
      expect(health?.body).toMatchObject({
        status: 'unavailable',
        roles: ['gateway'],
        checks: {
          eventLog: { status: 'failing', detail: expect.stringMatching(/^not ready: .*Kafka at 127\.0\.0\.1:1/) },
          historyProjection: { status: 'ok' },
          gateway: { status: 'failing', detail: 'not accepting connections' },
        },
      });
      expect(output).not.toContain('chat service listening');

      // Signals during start-up: the first one waits for the start to be over, a second one ends it at once.
      child.kill('SIGTERM');
      for (let attempt = 0; attempt < 100 && !output.includes('shutting down once start-up is over'); attempt += 1) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(child.exitCode).toBeNull();
      child.kill('SIGTERM');
      expect(await exited).toBe(1);
      expect(output).toContain('second signal during start-up: exiting at once');
    } finally {
      child.kill('SIGKILL');
      await exited;
    }
  });
});
