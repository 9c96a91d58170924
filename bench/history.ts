import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Argon2PasswordHasher } from '../src/auth/passwordHasher.js';
import type { HistoryClientCommand, HistoryClientResult } from './clients/historyClient.js';
import type { FilledRoom, ReplayReply } from './clients/replayWorker.js';
import { Histogram } from './lib/histogram.js';
import { topSelfTime, type Hotspot } from './lib/profile.js';
import { field, PASSWORD, postJson, startOurs } from './lib/ours.js';
import { cpuSeconds, type BenchResult, type Row } from './lib/report.js';
import { forkTs, sleep, stopChild, waitForMessage } from './lib/proc.js';

export interface HistoryOptions {
  quick: boolean;
  /** Messages in the room. */
  messages?: number | undefined;
  /** Seconds of each measured pass. */
  seconds?: number | undefined;
  /** Run the server under --cpu-prof and report its top self-time functions (BENCH_KEEP_PROFILE=1 keeps the file). */
  profile?: boolean;
}

const READ_CONCURRENCY = 4;
const WRITE_RATE = 100;
const TARGET_P99_MS = 5;

async function fill(file: string, messages: number, username: string, passwordHash: string, timeoutMs: number): Promise<FilledRoom> {
  const worker = forkTs('bench/clients/replayWorker.ts');
  try {
    worker.send({ cmd: 'fillRoom', file, messages, username, passwordHash });
    const reply = await waitForMessage(worker, (message) => message as ReplayReply, timeoutMs, 'fill the room');
    if ('filled' in reply) return reply.filled;
    throw new Error(`the fill worker answered ${JSON.stringify(reply)}`);
  } finally {
    await stopChild(worker, 10_000);
  }
}

async function client(command: HistoryClientCommand): Promise<{ result: HistoryClientResult; stop: () => Promise<void> }> {
  const worker = forkTs('bench/clients/historyClient.ts');
  worker.send(command);
  const reply = await waitForMessage(worker, (message) => message as { result?: HistoryClientResult; failed?: string }, (command.seconds + 120) * 1000, `history ${command.role}`);
  if (!reply.result) throw new Error(`history ${command.role}: ${reply.failed ?? 'no result'}`);
  return { result: reply.result, stop: () => stopChild(worker, 2_000) };
}

async function getJson(url: string, token: string): Promise<{ status: number; body: unknown }> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  return { status: response.status, body: (await response.json()) as unknown };
}

function latestSeq(body: unknown): number {
  if (typeof body !== 'object' || body === null || !('messages' in body) || !Array.isArray(body.messages)) return 0;
  const last: unknown = body.messages.at(-1);
  return typeof last === 'object' && last !== null && 'seq' in last && typeof last.seq === 'number' ? last.seq : 0;
}

export async function runHistory(options: HistoryOptions, log: (line: string) => void): Promise<BenchResult> {
  const messages = options.messages ?? (options.quick ? 100_000 : 1_000_000);
  const seconds = options.seconds ?? (options.quick ? 6 : 15);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'chat-bench-history-'));
  const username = `hist${Math.random().toString(36).slice(2, 8)}`;
  const passwordHash = await new Argon2PasswordHasher().hash(PASSWORD);
  log(`history: writing a room of ${messages} messages into a fresh DATA_DIR`);
  const room = await fill(path.join(dataDir, 'events.db'), messages, username, passwordHash, 10 * 60_000);
  log(`history: filled in ${room.seconds.toFixed(1)} s; starting chat serve (its history projector rebuilds from zero)`);
  const serveStarted = Date.now();
  const profileDir = options.profile ? mkdtempSync(path.join(tmpdir(), 'chat-bench-prof-')) : undefined;
  let ours = await startOurs({ dataDir, nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [], startTimeoutMs: 5 * 60_000 });
  const rows: Row[] = [];
  let hotspots: Hotspot[] | undefined;
  const notes: string[] = [];
  try {
    // The owner logs in once the projector has passed its registration; then wait for the whole room.
    const started = Date.now();
    let token = '';
    while (!token) {
      const login = await postJson(`${ours.baseUrl}/api/auth/login`, { username, password: PASSWORD });
      if (login.status === 200) token = field(login.body, 'accessToken');
      else if (Date.now() - started > 5 * 60_000) throw new Error(`login: ${login.status} ${JSON.stringify(login.body)}`);
      else await sleep(500);
    }
    for (;;) {
      const page = await getJson(`${ours.baseUrl}/api/chat/rooms/${room.roomId}/messages?limit=1`, token);
      if (page.status === 200 && latestSeq(page.body) >= room.headSeq) break;
      if (Date.now() - started > 10 * 60_000) throw new Error(`the history view did not reach seq ${room.headSeq}`);
      await sleep(500);
    }
    // From the start of `chat serve`: the service may rebuild part of its views before it answers its health route.
    const catchUpSeconds = (Date.now() - serveStarted) / 1000;
    log(`history: the view holds all ${messages} messages after ${catchUpSeconds.toFixed(1)} s`);
    // The first write loads the room's stream into the command bus (every event of it, once): reported apart, not
    // in the passes.
    const firstStarted = Date.now();
    const first = await postJson(`${ours.baseUrl}/api/chat/send`, { roomId: room.roomId, text: 'warm-up', clientMessageId: `warm-${Date.now()}` }, token);
    if (first.status >= 300) throw new Error(`warm-up send: ${first.status} ${JSON.stringify(first.body)}`);
    const firstSendSeconds = (Date.now() - firstStarted) / 1000;
    log(`history: the first send into the room took ${firstSendSeconds.toFixed(2)} s (the command bus loads its stream)`);
    notes.push(`The first send after the start took ${firstSendSeconds.toFixed(2)} s: the command bus loads the room's stream (${messages} events) to decide it.`);
    // A short read warm-up (JIT, page cache), not reported.
    await (await client({ role: 'read', baseUrl: ours.baseUrl, token, roomId: room.roomId, maxSeq: room.headSeq, concurrency: READ_CONCURRENCY, seconds: 2 })).stop();

    const pid = ours.child.pid ?? 0;
    for (const withWriter of [false, true]) {
      const cpuBefore = cpuSeconds(pid);
      const writer = withWriter ? client({ role: 'write', baseUrl: ours.baseUrl, token, roomId: room.roomId, ratePerSecond: WRITE_RATE, seconds }) : undefined;
      const reader = await client({ role: 'read', baseUrl: ours.baseUrl, token, roomId: room.roomId, maxSeq: room.headSeq, concurrency: READ_CONCURRENCY, seconds });
      const written = writer ? await writer : undefined;
      const cpu = cpuSeconds(pid) - cpuBefore;
      const cpuPercent = Math.round((cpu / seconds) * 100);
      const requests = reader.result.requests + (written?.result.requests ?? 0);
      await reader.stop();
      await written?.stop();
      const reads = new Histogram();
      reads.merge(reader.result.histogram);
      const r = reads.summary();
      const writes = new Histogram();
      if (written) writes.merge(written.result.histogram);
      const w = writes.summary();
      rows.push({
        pass: withWriter ? `reads while a process writes ${WRITE_RATE} msg/s into the room` : 'reads alone',
        'pages/s': Math.round(reader.result.ok / seconds),
        'p50 ms': r.p50Ms,
        'p99 ms': r.p99Ms,
        'p99.9 ms': r.p999Ms,
        'max ms': r.maxMs,
        'failed reads': Object.values(reader.result.failures).reduce((a, b) => a + b, 0) + reader.result.shortPages,
        'writes ok': written ? written.result.ok : null,
        'write p99 ms': written ? w.p99Ms : null,
        'failed writes': written ? Object.values(written.result.failures).reduce((a, b) => a + b, 0) : null,
        'server CPU %': cpuPercent,
        'server CPU ms/req': requests ? Math.round((cpu * 1e5) / requests) / 100 : null,
      });
      log(`history ${withWriter ? 'with writer' : 'alone'}: ${Math.round(reader.result.ok / seconds)} pages/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${written ? `, writes ok ${written.result.ok}, failures ${JSON.stringify(written.result.failures)}` : ''}`);
      if (reader.result.shortPages > 0 || Object.keys(reader.result.failures).length > 0) notes.push(`${withWriter ? 'with writer' : 'alone'}: failed reads ${JSON.stringify(reader.result.failures)}, pages without 50 messages ${reader.result.shortPages}.`);
    }
    // A restart on the same data: the command bus now loads the room from the snapshot its first load took.
    await ours.stop({ keepData: true });
    ours = await startOurs({ dataDir, startTimeoutMs: 5 * 60_000 });
    const againStarted = Date.now();
    const again = await postJson(`${ours.baseUrl}/api/chat/send`, { roomId: room.roomId, text: 'after a restart', clientMessageId: `again-${Date.now()}` }, token);
    if (again.status >= 300) throw new Error(`send after the restart: ${again.status} ${JSON.stringify(again.body)}`);
    const againSeconds = (Date.now() - againStarted) / 1000;
    log(`history: after a restart, the first send took ${againSeconds.toFixed(2)} s`);
    notes.push(`After a restart on the same DATA_DIR, the first send took ${againSeconds.toFixed(2)} s (the room's state loaded from its snapshot, then the events after it).`);
    notes.unshift(
      `A public room of ${messages} messages (3–27 words each) written into a fresh DATA_DIR's events.db through EventLog.append before \`chat serve\` starts; the service's history projector then rebuilt its view from zero (${catchUpSeconds.toFixed(0)} s until the last message was readable).`,
      `Reads: GET /api/chat/rooms/:roomId/messages?before=<uniform random seq>&limit=50 (always a full page), ${READ_CONCURRENCY} keep-alive connections back to back, ${seconds} s per pass, latency from request to last byte in the reader's process (node:http), authenticated with a bearer token like any client.`,
      `Writer: a separate process POSTs /api/chat/send into the same room at ${WRITE_RATE} msg/s (each a new message, read-your-writes 201), during the second pass. Target: read p99 ≤ ${TARGET_P99_MS} ms.`,
    );
  } finally {
    await ours.stop();
  }
  if (profileDir) {
    // The profile covers the whole run, the view's rebuild included.
    hotspots = topSelfTime(profileDir);
    if (process.env.BENCH_KEEP_PROFILE) log(`history: profile kept in ${profileDir}`);
    else rmSync(profileDir, { recursive: true, force: true });
  }
  const withWriter = rows[1];
  return {
    settings: { messages, seconds, readConcurrency: READ_CONCURRENCY, writeRatePerSecond: WRITE_RATE, pageSize: 50 },
    rows,
    ratios: withWriter ? { [`read p99 while writing / target ${TARGET_P99_MS} ms (lower is better)`]: Number(withWriter['p99 ms']) / TARGET_P99_MS } : {},
    notes,
    ...(hotspots ? { extra: { hotspots } } : {}),
  };
}
