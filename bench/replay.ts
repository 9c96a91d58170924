import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kafka, logLevel } from 'kafkajs';
import type { GenerateResult, LogSpec, ReplayCommand, ReplayReply, ReplayResult } from './clients/replayWorker.js';
import { forkTs, stopChild, waitForMessage } from './lib/proc.js';
import { topSelfTime, type Hotspot } from './lib/profile.js';
import type { BenchResult, Row } from './lib/report.js';

export interface ReplayOptions {
  quick: boolean;
  events?: number | undefined;
  /** Run each replay under --cpu-prof and report its top self-time functions. */
  profile: boolean;
  logs?: ('sqlite' | 'kafka')[] | undefined;
}

const TARGET_EVENTS_PER_SECOND = 100_000;

/** Runs one worker command in its own process and returns its answer (the worker exits after answering). */
async function inWorker(command: ReplayCommand, timeoutMs: number, nodeFlags: string[] = []): Promise<ReplayReply> {
  const worker = forkTs('bench/clients/replayWorker.ts', [], { nodeFlags });
  try {
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.send(command);
    const reply = await waitForMessage(worker, (message) => message as ReplayReply, timeoutMs, `replay ${command.cmd}`);
    if ('failed' in reply) throw new Error(`replay worker (${command.cmd}): ${reply.failed}`);
    // Let it exit by itself: a profiled worker writes its .cpuprofile on exit.
    await exited;
    return reply;
  } finally {
    await stopChild(worker, 15_000);
  }
}

async function generateIn(command: Extract<ReplayCommand, { cmd: 'generate' }>, timeoutMs: number): Promise<GenerateResult> {
  const reply = await inWorker(command, timeoutMs);
  if ('generated' in reply) return reply.generated;
  throw new Error(`the generator answered ${JSON.stringify(reply)}`);
}

async function replayIn(command: Extract<ReplayCommand, { cmd: 'replay' }>, timeoutMs: number, nodeFlags: string[]): Promise<ReplayResult> {
  const reply = await inWorker(command, timeoutMs, nodeFlags);
  if ('replayed' in reply) return reply.replayed;
  throw new Error(`the replay worker answered ${JSON.stringify(reply)}`);
}

async function deleteTopic(brokers: string[], topic: string): Promise<void> {
  const admin = new Kafka({ clientId: 'bench-replay-cleanup', brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin.deleteTopics({ topics: [topic] });
  } catch {
    // Best effort: a leftover bench topic is harmless (unique name), and the report must not fail on cleanup.
  } finally {
    await admin.disconnect();
  }
}

export async function runReplay(options: ReplayOptions, log: (line: string) => void): Promise<BenchResult> {
  const events = options.events ?? (options.quick ? 100_000 : 1_000_000);
  const shape = { rooms: options.quick ? 20 : 100, users: options.quick ? 200 : 1000, membersPerRoom: 50 };
  const kafkaBrokers = process.env.KAFKA_BROKERS?.split(',');
  const registryUrl = process.env.SCHEMA_REGISTRY_URL;
  const logs = options.logs ?? ['sqlite', 'kafka'];
  const rows: Row[] = [];
  const notes: string[] = [];
  const hotspots: Record<string, Hotspot[]> = {};
  const generated: Record<string, GenerateResult> = {};
  const timeoutMs = (options.quick ? 5 : 15) * 60_000;

  for (const kind of logs) {
    let spec: LogSpec;
    let cleanup: () => Promise<void>;
    if (kind === 'kafka') {
      if (!kafkaBrokers || !registryUrl) {
        notes.push('Kafka log not measured: KAFKA_BROKERS and SCHEMA_REGISTRY_URL are not set (eval "$(bash scripts/services env)").');
        continue;
      }
      const topic = `bench.replay.${randomUUID()}`;
      spec = { kind, brokers: kafkaBrokers, topic, registryUrl, subjectPrefix: `bench-replay-${randomUUID().slice(0, 8)}.` };
      cleanup = () => deleteTopic(kafkaBrokers, topic);
    } else {
      const dir = mkdtempSync(path.join(tmpdir(), 'chat-bench-replaylog-'));
      spec = { kind, file: path.join(dir, 'events.db') };
      cleanup = async () => rmSync(dir, { recursive: true, force: true });
    }
    try {
      log(`replay ${kind}: generating ${events} events (${shape.users} users, ${shape.rooms} rooms × ${shape.membersPerRoom} members, then messages)`);
      const made = await generateIn({ cmd: 'generate', log: spec, events, ...shape }, timeoutMs);
      generated[kind] = made;
      log(`replay ${kind}: generated ${made.events} events (${made.messages} messages) in ${made.seconds.toFixed(1)} s (${Math.round(made.eventsPerSecond)}/s)`);
      const profileDir = options.profile ? mkdtempSync(path.join(tmpdir(), 'chat-bench-prof-')) : undefined;
      const result = await replayIn({ cmd: 'replay', log: spec, head: made.head, events: made.events, timeoutMs }, timeoutMs, profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []);
      if (profileDir) {
        hotspots[kind] = topSelfTime(profileDir);
        // BENCH_KEEP_PROFILE=1 keeps the .cpuprofile for a closer look (total time per function, callers).
        if (process.env.BENCH_KEEP_PROFILE) log(`replay ${kind}: profile kept in ${profileDir}`);
        else rmSync(profileDir, { recursive: true, force: true });
      }
      for (const pass of result.passes) {
        rows.push({ log: kind, timed: pass.what, events: pass.events, seconds: pass.seconds, 'events/s': pass.eventsPerSecond, 'CPU s': pass.cpuSeconds, 'events/CPU s': pass.eventsPerCpuSecond, 'vs target 100k/s': Math.round((pass.eventsPerSecond / TARGET_EVENTS_PER_SECOND) * 100) / 100 });
        log(`replay ${kind}: ${pass.what}: ${pass.eventsPerSecond} events/s (${pass.seconds} s; ${pass.eventsPerCpuSecond} events per CPU second)`);
      }
      if (result.messageRows !== made.messages) notes.push(`${kind}: the rebuilt store holds ${result.messageRows} messages, the log ${made.messages}: the rebuild is WRONG.`);
      else notes.push(`${kind}: the rebuilt store holds all ${made.messages} messages of the log (checked by count).`);
    } finally {
      await cleanup();
    }
  }
  const ratios: Record<string, number | null> = {};
  for (const row of rows) {
    const timed = String(row.timed);
    if (timed.startsWith('projector') || timed.startsWith('cold')) ratios[`${row.log} ${timed.split(' (')[0]} / target 100k events/s`] = Number(row['events/s']) / TARGET_EVENTS_PER_SECOND;
  }
  notes.unshift(
    `The log: ${shape.users} users (a username claim + a registration each), ${shape.rooms} rooms (80 % public) × ${shape.membersPerRoom} members joined, then every room, concurrently, appends chunks of 50 events (messages of 3–27 words, ~1 % edits, ~0.5 % deletes) and after about every other chunk a member marks it read; appended through EventLog.append (Avro encoding, expected-version check, group commit) by a generator process, once per run.`,
    'Timed in a fresh process: the projector (src/projections/projector.ts) from checkpoint zero into a fresh SQLite history store (a temporary file), until its checkpoint covers the log head; "read + decode only" is the same subscription with a handler that does nothing, i.e. what the log costs without the store.',
    'kafka: a unique topic (12 partitions) on the broker of scripts/services, deleted after; "cold" opens the log with no local index, so it includes consuming the topic into the index (what a new replica or a rebuild on a new machine pays).',
  );
  return {
    settings: { events, ...shape, logs, profile: options.profile },
    rows,
    ratios,
    notes,
    extra: { generated, ...(Object.keys(hotspots).length ? { cpuProfileTopSelfTime: hotspots } : {}) },
  };
}
