import type { CannonCommand, CannonResult } from './clients/cannon.js';
import { setUpUsersAndRooms, startOurs } from './lib/ours.js';
import { forkTs, stopChild, waitForMessage } from './lib/proc.js';
import type { BenchResult, Row } from './lib/report.js';
import { cpuSeconds } from './lib/report.js';

export interface SendOptions {
  quick: boolean;
  seconds?: number | undefined;
}

const USERS = 20;
const ROOMS = 10;
const CONNECTIONS = 32;

async function cannon(command: CannonCommand): Promise<CannonResult> {
  const worker = forkTs('bench/clients/cannon.ts');
  try {
    worker.send(command);
    return await waitForMessage(
      worker,
      (message) => {
        const reply = message as { result?: CannonResult; failed?: string };
        if (reply.failed) throw new Error(`autocannon: ${reply.failed}`);
        return reply.result;
      },
      (command.durationSeconds + 60) * 1000,
      'autocannon',
    );
  } finally {
    await stopChild(worker, 2_000);
  }
}

export async function runSend(options: SendOptions, log: (line: string) => void): Promise<BenchResult> {
  const seconds = options.seconds ?? (options.quick ? 5 : 15);
  const textBytes = 100;
  const results: { server: string; result: CannonResult; cpuPercent: number }[] = [];

  const ours = await startOurs();
  try {
    log(`send: registering ${USERS} users in ${ROOMS} rooms`);
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
    const cpuBefore = cpuSeconds(ours.child.pid ?? 0);
    const result = await cannon(command);
    results.push({ server: 'ours (embedded)', result, cpuPercent: Math.round(((cpuSeconds(ours.child.pid ?? 0) - cpuBefore) / seconds) * 100) });
    log(`ours: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, statuses ${JSON.stringify(result.statusCodes)}`);
  } finally {
    await ours.stop();
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
    const cpuBefore = cpuSeconds(peer.pid ?? 0);
    const result = await cannon(command);
    results.push({ server: 'express hello-world', result, cpuPercent: Math.round(((cpuSeconds(peer.pid ?? 0) - cpuBefore) / seconds) * 100) });
    log(`express: ${Math.round(result.requestsPerSecond)} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms`);
  } finally {
    await stopChild(peer);
  }

  const rows: Row[] = results.map(({ server, result, cpuPercent }) => ({
    server,
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
  }));
  const oursResult = results[0]?.result;
  const hello = results[1]?.result;
  return {
    settings: { seconds, connections: CONNECTIONS, users: USERS, rooms: ROOMS, textBytes, warmUpSeconds: 2 },
    rows,
    ratios: {
      'req/s ours/express': oursResult && hello ? oursResult.requestsPerSecond / hello.requestsPerSecond : null,
      'p99 ours/express (lower is better)': oursResult && hello ? oursResult.latencyMs.p99 / hello.latencyMs.p99 : null,
    },
    notes: [
      `autocannon in its own process, ${CONNECTIONS} connections, ${seconds} s after a 2 s warm-up; every request a new message (unique clientMessageId) from one of ${USERS} users into one of ${ROOMS} public rooms, rotating.`,
      'ours = `chat serve` embedded (SQLite, synchronous=normal; a 201 comes after the history view applied the message: read-your-writes), send limits raised for the bench (SEND_LIMIT_PER_SECOND=1000000, SEND_LIMIT_PER_MINUTE=60000000).',
      'express = `express.json()` + a 201 JSON answer on the same path with the same bodies: parsing and answering only, the ceiling of a Node HTTP JSON endpoint.',
      'Kafka mode not measured: no Kafka command processor yet.',
      ...(oursResult && oursResult.non2xx > 0 ? [`ours answered non-2xx: ${JSON.stringify(oursResult.statusCodes)}`] : []),
    ],
  };
}
