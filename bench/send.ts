import type { CannonCommand, CannonResult } from './clients/cannon.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { kafkaModeEnv, setUpUsersAndRooms, startKafkaProcessor, startOurs } from './lib/ours.js';
import { topSelfTime, type Hotspot } from './lib/profile.js';
import { askWorker, forkTs, stopChild, waitForMessage } from './lib/proc.js';
import type { BenchResult, Row } from './lib/report.js';
import { cpuSeconds } from './lib/report.js';

export interface SendOptions {
  quick: boolean;
  seconds?: number | undefined;
  /** Run our server under --cpu-prof and report its top self-time functions. */
  profile?: boolean;
  /**
   * Which of our modes to measure (the express hello-world always runs). Default: embedded and Kafka (when
   * exported). ours-kafka-split: Kafka mode with the command processor in a second process.
   */
  ours?: ('ours' | 'ours-kafka' | 'ours-kafka-split')[];
}

const USERS = 20;
const ROOMS = 10;
const CONNECTIONS = 32;
/** A second pass with one connection: the latency of one send at a time (issue #14's first row). */
const ONE_AT_A_TIME = 1;

/** Runs autocannon in its own process (bench/clients/cannon.ts) and returns its summary. */
export function cannon(command: CannonCommand): Promise<CannonResult> {
  return askWorker('bench/clients/cannon.ts', command, (command.durationSeconds + 60) * 1000, 'autocannon');
}

export async function runSend(options: SendOptions, log: (line: string) => void): Promise<BenchResult> {
  const seconds = options.seconds ?? (options.quick ? 5 : 15);
  const textBytes = 100;
  const results: { server: string; connections: number; result: CannonResult; cpuPercent: number; cpuMsPerRequest: number | null }[] = [];

  const hotspots: Record<string, Hotspot[]> = {};
  const notes: string[] = [];
  for (const mode of options.ours ?? ['ours', 'ours-kafka']) {
    const split = mode === 'ours-kafka-split';
    const kafkaEnv = mode === 'ours' ? {} : kafkaModeEnv();
    if (!kafkaEnv) {
      notes.push(`${mode} not measured: KAFKA_BROKERS, SCHEMA_REGISTRY_URL and REDIS_URL are not exported.`);
      continue;
    }
    const env = split ? { ...kafkaEnv, ROLES: 'api,gateway,projector:history,projector:analytics' } : kafkaEnv;
    const label = mode === 'ours' ? 'ours (embedded)' : split ? 'ours (kafka, processor apart)' : 'ours (kafka)';
    const profileDir = options.profile ? mkdtempSync(path.join(tmpdir(), 'chat-bench-prof-')) : undefined;
    const processor = split ? startKafkaProcessor(kafkaEnv) : undefined;
    const ours = await startOurs({ env, nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [], startTimeoutMs: 120_000 });
    // Server CPU is both processes' when the processor runs apart.
    const serverCpu = () => cpuSeconds(ours.child.pid ?? 0) + (processor ? cpuSeconds(processor.child.pid ?? 0) : 0);
    try {
      log(`send ${label}: registering ${USERS} users in ${ROOMS} rooms`);
      const fixture = await setUpUsersAndRooms(ours.baseUrl, USERS, ROOMS);
      const command: CannonCommand = {
        url: ours.baseUrl,
        path: '/api/chat/send',
        connections: CONNECTIONS,
        durationSeconds: seconds,
        tokens: fixture.users.map((user) => user.token),
        roomIds: fixture.roomIds,
        textBytes,
      };
      // A short warm-up (JIT, SQLite page cache) that is not reported.
      await cannon({ ...command, durationSeconds: 2 });
      for (const connections of [CONNECTIONS, ONE_AT_A_TIME]) {
        const cpuBefore = serverCpu();
        const result = await cannon({ ...command, connections });
        const cpu = serverCpu() - cpuBefore;
        results.push({ server: label, connections, result, cpuPercent: Math.round((cpu / seconds) * 100), cpuMsPerRequest: result.requests ? Math.round((cpu * 1e5) / result.requests) / 100 : null });
        log(`${label}, ${connections} connection(s): ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, statuses ${JSON.stringify(result.statusCodes)}`);
      }
    } finally {
      await ours.stop();
      await processor?.stop();
    }
    // The profile is written when the server exits.
    if (profileDir) {
      hotspots[label] = topSelfTime(profileDir);
      // BENCH_KEEP_PROFILE=1 keeps the .cpuprofile for a closer look (total time per function, callers).
      if (process.env.BENCH_KEEP_PROFILE) log(`send ${label}: profile kept in ${profileDir}`);
      else rmSync(profileDir, { recursive: true, force: true });
    }
  }

  const peer = forkTs('bench/servers/peer.ts', ['express']);
  try {
    const { port } = await waitForMessage(peer, (m) => ((m as { ready?: boolean }).ready ? (m as { port: number }) : undefined), 30_000, 'express');
    const command: CannonCommand = {
      url: `http://127.0.0.1:${port}`,
      path: '/api/chat/send',
      connections: CONNECTIONS,
      durationSeconds: seconds,
      tokens: [],
      roomIds: ['room'],
      textBytes,
    };
    await cannon({ ...command, durationSeconds: 2 });
    for (const connections of [CONNECTIONS, ONE_AT_A_TIME]) {
      const cpuBefore = cpuSeconds(peer.pid ?? 0);
      const result = await cannon({ ...command, connections });
      const cpu = cpuSeconds(peer.pid ?? 0) - cpuBefore;
      results.push({ server: 'express hello-world', connections, result, cpuPercent: Math.round((cpu / seconds) * 100), cpuMsPerRequest: result.requests ? Math.round((cpu * 1e5) / result.requests) / 100 : null });
      log(`express, ${connections} connection(s): ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`);
    }
  } finally {
    await stopChild(peer);
  }

  const rows: Row[] = results.map(({ server, connections, result, cpuPercent, cpuMsPerRequest }) => ({
    server,
    connections,
    'req/s': Math.round(result.requestsPerSecond),
    requests: result.requests,
    '2xx': result.ok2xx,
    'non-2xx': result.non2xx,
    errors: result.errors + result.timeouts,
    'p50 ms': result.latencyMs.p50,
    'p90 ms': result.latencyMs.p90,
    'p99 ms': result.latencyMs.p99,
    'p99.9 ms': result.latencyMs.p999,
    'max ms': result.latencyMs.max,
    'server CPU %': cpuPercent,
    // What a request costs the server in CPU, which a loaded shared machine changes far less than req/s.
    'server CPU ms/req': cpuMsPerRequest,
  }));
  // Ratios at the full load (CONNECTIONS); the one-at-a-time rows are read for their latency.
  const loaded = results.filter((entry) => entry.connections === CONNECTIONS);
  const hello = loaded.find((entry) => entry.server === 'express hello-world')?.result;
  const ratios: Record<string, number | null> = {};
  for (const { server, result } of loaded) {
    if (server === 'express hello-world' || !hello) continue;
    const mine = server === 'ours (kafka)' ? 'ours-kafka' : 'ours';
    ratios[`req/s ${mine}/express`] = result.requestsPerSecond / hello.requestsPerSecond;
    ratios[`p99 ${mine}/express (lower is better)`] = result.latencyMs.p99 / hello.latencyMs.p99;
    const oursCpu = loaded.find((entry) => entry.server === server)?.cpuMsPerRequest;
    const helloCpu = loaded.find((entry) => entry.server === 'express hello-world')?.cpuMsPerRequest;
    if (oursCpu && helloCpu) ratios[`server CPU per request ${mine}/express (lower is better)`] = oursCpu / helloCpu;
  }
  return {
    settings: { seconds, connections: CONNECTIONS, users: USERS, rooms: ROOMS, textBytes, warmUpSeconds: 2 },
    rows,
    ratios,
    notes: [
      `autocannon in its own process, ${CONNECTIONS} connections, then ${ONE_AT_A_TIME} (one send at a time: the latency rows), ${seconds} s each after a 2 s warm-up; every request a new message (unique clientMessageId) from one of ${USERS} users into one of ${ROOMS} public rooms, rotating.`,
      'ours = `chat serve` embedded (SQLite, synchronous=normal; a 201 comes after the history view applied the message: read-your-writes), send limits raised for the bench (SEND_LIMIT_PER_SECOND=1000000, SEND_LIMIT_PER_MINUTE=60000000).',
      'express = `express.json()` + a 201 JSON answer on the same path with the same bodies: parsing and answering only, the ceiling of a Node HTTP JSON endpoint.',
      ...((options.ours ?? ['ours', 'ours-kafka']).includes('ours-kafka')
        ? ['ours (kafka) = `chat serve` with EVENT_LOG=kafka, every role in one process (the command goes through the commands topic to the command processor, which appends and replies), Redis stores, unique topics; a 201 still waits for the history view.']
        : ['Our Kafka mode is not in this run (`--servers ours,ours-kafka` adds it).']),
      ...notes,
      ...results.filter(({ server, result }) => server !== 'express hello-world' && result.non2xx > 0).map(({ server, result }) => `${server} answered non-2xx: ${JSON.stringify(result.statusCodes)}`),
    ],
    ...(Object.keys(hotspots).length ? { extra: { cpuProfileTopSelfTime: hotspots } } : {}),
  };
}
