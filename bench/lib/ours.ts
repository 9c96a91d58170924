import type { ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, spawnNode, stopChild, waitForHttp } from './proc.js';

/**
 * The settings every benchmark runs our service with, and why. The defaults protect a real deployment from one
 * abusive user (5 sends/s, 30 logins per IP per minute, 100 members per room); a benchmark drives many messages
 * from few users on one IP, so those limits are raised here and the report says so. Everything else (SQLite
 * synchronous=normal, group commit, read-your-writes, receipts) stays as shipped.
 */
export const BENCH_SERVICE_ENV: Record<string, string> = {
  SEND_LIMIT_PER_SECOND: '1000000',
  SEND_LIMIT_PER_MINUTE: '60000000',
  AUTH_RATE_LIMIT_PER_MINUTE: '1000000',
  MAX_ROOM_MEMBERS: '100000',
  ACCESS_TOKEN_TTL_SECONDS: '7200',
  LOG_LEVEL: 'warn',
  JWT_SECRET: 'bench-secret-that-is-long-enough-for-hs256-0123456789',
};

export const PASSWORD = 'Correct-Horse-9-battery';

export interface OursServer {
  child: ChildProcess;
  baseUrl: string;
  wsUrl: string;
  dataDir: string;
  /** Stops the server and removes its DATA_DIR, unless `keepData` (a restart on the same data follows). */
  stop(options?: { keepData?: boolean }): Promise<void>;
}

/**
 * BENCH_NODE_FLAGS: more flags for our server's node, e.g. `--perf-basic-prof` for `perf record -p <pid>`, whose
 * profile counts CPU where V8's sampling profiler (--profile) over-counts functions that make system calls.
 */
function extraNodeFlags(): string[] {
  return (process.env.BENCH_NODE_FLAGS ?? '').split(/\s+/).filter((flag) => flag !== '');
}

/**
 * BENCH_SERVER_STDOUT=<path>: our server's stdout goes to `<path>.<pid>` instead of nowhere, for what V8 prints
 * there (`BENCH_NODE_FLAGS=--trace-gc-nvp`: every garbage collection's pause and phases).
 */
function keepStdout(child: ChildProcess): void {
  const file = process.env.BENCH_SERVER_STDOUT;
  if (file && child.stdout && child.pid !== undefined) child.stdout.pipe(createWriteStream(`${file}.${child.pid}`));
}

/**
 * `chat serve` (embedded mode) as a child process with a fresh DATA_DIR. BENCH_SERVICE_ROOT points at another
 * checkout of the service (e.g. `git archive` of a commit, with node_modules linked) to measure that instead of this
 * work tree, which may hold someone's unfinished change.
 */
export async function startOurs(options: { nodeFlags?: string[]; env?: Record<string, string>; dataDir?: string; startTimeoutMs?: number } = {}): Promise<OursServer> {
  // A DATA_DIR prepared by the caller (e.g. an events.db written beforehand) is used, and removed on stop like ours.
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'chat-bench-'));
  const port = await freePort();
  const child = spawnNode(['src/cli/main.ts', 'serve', '--port', String(port), '--data-dir', dataDir], {
    env: { HOST: '127.0.0.1', ...BENCH_SERVICE_ENV, ...options.env },
    nodeFlags: [...(options.nodeFlags ?? []), ...extraNodeFlags()],
    ...(process.env.BENCH_SERVICE_ROOT ? { cwd: process.env.BENCH_SERVICE_ROOT } : {}),
  });
  keepStdout(child);
  const baseUrl = `http://127.0.0.1:${port}`;
  // A server that exits at start-up (bad configuration) fails the benchmark at once, not after the health timeout.
  const exited = new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`chat serve exited with ${code} during start-up`))));
  exited.catch(() => undefined);
  await Promise.race([waitForHttp(`${baseUrl}/api/health`, options.startTimeoutMs ?? 60_000), exited]);
  return {
    child,
    baseUrl,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    dataDir,
    async stop(stopOptions: { keepData?: boolean } = {}) {
      await stopChild(child, 10_000);
      if (!stopOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A command processor in a process of its own (src/cli/processorProcess.ts), beside a `chat serve` that runs every
 * other role with the same Kafka-mode settings: the distributed mode on two processes, so on two cores.
 */
export function startKafkaProcessor(env: Record<string, string>): { child: ChildProcess; stop(): Promise<void> } {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-bench-processor-'));
  const child = spawnNode(['src/cli/processorProcess.ts'], {
    env: { ...BENCH_SERVICE_ENV, ...env, DATA_DIR: dataDir },
    ...(process.env.BENCH_SERVICE_ROOT ? { cwd: process.env.BENCH_SERVICE_ROOT } : {}),
  });
  return {
    child,
    async stop(stopOptions: { keepData?: boolean } = {}) {
      await stopChild(child, 10_000);
      if (!stopOptions.keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as unknown) : undefined };
}

export function field(value: unknown, ...keys: string[]): string {
  let current = value;
  for (const key of keys) {
    if (typeof current !== 'object' || current === null || !(key in current)) throw new Error(`no ${keys.join('.')} in ${JSON.stringify(value)}`);
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current !== 'string') throw new Error(`${keys.join('.')} is not a string in ${JSON.stringify(value)}`);
  return current;
}

/** Runs tasks with bounded concurrency (argon2 hashing on 2 cores: more in flight only queues). */
async function pool<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results = new Array<T>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

export interface Fixture {
  users: { userId: string; token: string }[];
  roomIds: string[];
}

/** Registers and logs in `users` users, then `rooms` public rooms that every user joins, over REST. */
export async function setUpUsersAndRooms(baseUrl: string, userCount: number, roomCount: number): Promise<Fixture> {
  const runId = Math.random().toString(36).slice(2, 8);
  const users = await pool(userCount, 4, async (index) => {
    const username = `b${runId}u${index}`;
    const registered = await postJson(`${baseUrl}/api/auth/register`, { username, password: PASSWORD });
    if (registered.status !== 201) throw new Error(`register ${username}: ${registered.status} ${JSON.stringify(registered.body)}`);
    const login = await postJson(`${baseUrl}/api/auth/login`, { username, password: PASSWORD });
    if (login.status !== 200) throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
    return { userId: field(registered.body, 'user', 'userId'), token: field(login.body, 'accessToken') };
  });
  const owner = users[0];
  if (!owner) throw new Error('at least one user');
  const roomIds = await pool(roomCount, 4, async (index) => {
    const created = await postJson(`${baseUrl}/api/chat/rooms`, { name: `bench-${runId}-${index}`, kind: 'public' }, owner.token);
    if (created.status !== 201) throw new Error(`create room: ${created.status} ${JSON.stringify(created.body)}`);
    return field(created.body, 'room', 'roomId');
  });
  const joins = roomIds.flatMap((roomId) => users.slice(1).map((user) => ({ roomId, user })));
  await pool(joins.length, 8, async (index) => {
    const join = joins[index];
    if (!join) return;
    const joined = await postJson(`${baseUrl}/api/chat/rooms/${join.roomId}/join`, {}, join.user.token);
    if (joined.status >= 300) throw new Error(`join: ${joined.status} ${JSON.stringify(joined.body)}`);
  });
  return { users, roomIds };
}

/**
 * Our service in its distributed mode, every role in one process: the Kafka event log with its command processor
 * (unique topics per run, so runs never share a stream), the schema registry and Redis of `scripts/services`
 * (unique key and subject prefixes), Redis for presence, rate limits, tokens, analytics, typing and personal data
 * keys. Undefined when the services' variables are not exported.
 */
export function kafkaModeEnv(): Record<string, string> | undefined {
  const brokers = process.env.KAFKA_BROKERS;
  const registry = process.env.SCHEMA_REGISTRY_URL;
  const redis = process.env.REDIS_URL;
  if (!brokers || !registry || !redis) return undefined;
  const run = `bench-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}`;
  return {
    // The one switch: the Kafka log, the shared registry and every store in Redis (JWT_SECRET is in BENCH_SERVICE_ENV).
    RUN_MODE: 'distributed',
    KAFKA_BROKERS: brokers,
    KAFKA_CLIENT_ID: run,
    KAFKA_EVENTS_TOPIC: `${run}.events`,
    KAFKA_COMMANDS_TOPIC: `${run}.commands`,
    KAFKA_REPLIES_TOPIC: `${run}.replies`,
    SCHEMA_REGISTRY_URL: registry,
    SCHEMA_SUBJECT_PREFIX: `${run}.`,
    REDIS_URL: redis,
    REDIS_KEY_PREFIX: `${run}:`,
  };
}
