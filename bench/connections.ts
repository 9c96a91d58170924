import { execFileSync } from 'node:child_process';
import type { ServerKind, WorkerCommand, WorkerReply } from './clients/fanoutClient.js';
import { setUpUsersAndRooms, startOurs } from './lib/ours.js';
import { forkTs, rssKiB, sleep, stopChild, waitForMessage } from './lib/proc.js';
import type { BenchResult, Row } from './lib/report.js';

export interface ConnectionsOptions {
  quick: boolean;
  connections?: number | undefined;
}

const WORKERS = 2;
const USERS = 100;
const SETTLE_MS = 3_000;

function openFiles(): number {
  // The limit children inherit; each server holds one descriptor per connection, each worker N / WORKERS.
  return Number(execFileSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' }).trim());
}

export async function runConnections(options: ConnectionsOptions, log: (line: string) => void): Promise<BenchResult> {
  const requested = options.connections ?? (options.quick ? 2_000 : 10_000);
  const limit = openFiles();
  const count = Math.min(requested, limit - 500);
  const notes: string[] = [];
  if (count < requested) notes.push(`ulimit -n is ${limit}: measured ${count} connections instead of ${requested}.`);
  const rows: Row[] = [];
  const perConnection: Partial<Record<ServerKind, number>> = {};

  for (const kind of ['ours', 'socketio', 'ws'] as const) {
    let pid: number;
    let url: string;
    let stop: () => Promise<void>;
    let tokens: (string | undefined)[] = [undefined];
    if (kind === 'ours') {
      const ours = await startOurs();
      pid = ours.child.pid ?? 0;
      url = ours.wsUrl;
      stop = () => ours.stop();
      const fixture = await setUpUsersAndRooms(ours.baseUrl, USERS, 1);
      tokens = fixture.users.map((user) => user.token);
    } else {
      const peer = forkTs('bench/servers/peer.ts', [kind]);
      const { port } = await waitForMessage(peer, (m) => ((m as { ready?: boolean }).ready ? (m as { port: number }) : undefined), 30_000, kind);
      pid = peer.pid ?? 0;
      url = kind === 'ws' ? `ws://127.0.0.1:${port}/ws` : `http://127.0.0.1:${port}`;
      stop = () => stopChild(peer);
    }
    const workers = Array.from({ length: WORKERS }, () => forkTs('bench/clients/fanoutClient.ts'));
    try {
      await sleep(SETTLE_MS);
      const before = rssKiB(pid);
      const started = Date.now();
      // Two halves: RSS after each, so the slope over the second half (KiB per extra connection) is free of
      // whatever the start-up or the fixture left for the garbage collector, which skews a single delta.
      const half = Math.floor(count / 2);
      let opened = 0;
      const open = async (total: number) => {
        const from = opened;
        await Promise.all(
          workers.map((worker, index) => {
            const endpoints: { room: string; token?: string }[] = [];
            for (let i = from + index; i < from + total; i += WORKERS) {
              const token = tokens[i % tokens.length];
              endpoints.push(token ? { room: 'none', token } : { room: 'none' });
            }
            // role "send" opens the connections (authenticated for ours) and joins nothing: idle connections.
            const command: WorkerCommand = { cmd: 'init', role: 'send', kind, url, endpoints };
            worker.send(command);
            return waitForMessage(worker, (m) => ((m as WorkerReply).type === 'ready' ? m : undefined), 300_000, `${kind} connect`);
          }),
        );
        opened += total;
      };
      await open(half);
      await sleep(SETTLE_MS);
      const middle = rssKiB(pid);
      await open(count - half);
      const connectSeconds = (Date.now() - started) / 1000 - SETTLE_MS / 1000;
      await sleep(SETTLE_MS);
      const after = rssKiB(pid);
      const perConnectionKiB = (after - middle) / (count - half);
      perConnection[kind] = perConnectionKiB;
      rows.push({
        server: kind,
        connections: count,
        'RSS before MiB': Math.round((before / 1024) * 10) / 10,
        'RSS at N/2 MiB': Math.round((middle / 1024) * 10) / 10,
        'RSS at N MiB': Math.round((after / 1024) * 10) / 10,
        'KiB/conn (N/2→N)': Math.round(perConnectionKiB * 100) / 100,
        'KiB/conn (0→N)': Math.round(((after - before) / count) * 100) / 100,
        'connect s': Math.round(connectSeconds * 10) / 10,
      });
      log(`${kind}: ${count} connections, ${perConnectionKiB.toFixed(2)} KiB each over the second half (RSS ${before} → ${middle} → ${after} KiB)`);
    } finally {
      await Promise.all(workers.map((worker) => stopChild(worker, 5_000)));
      await stop();
    }
  }
  notes.push(
    `RSS of the server process (from /proc, no hook), ${SETTLE_MS / 1000} s after start-up, after N/2 and after N connections. The headline (ratios) is the slope N/2→N: RSS delta / connections over the second half; 0→N is also shown but includes the collection of start-up garbage (ours registers ${USERS} users with argon2 first). No forced GC: RSS is what the machine pays.`,
    `Idle connections from ${WORKERS} separate worker processes, opened 50 at a time. ours: each sends its auth frame (tokens of ${USERS} users, rotating) and waits for auth.success, no room subscribed; socketio: websocket transport, connected; ws: open.`,
  );
  const ratio = (peer: ServerKind) => (perConnection.ours !== undefined && perConnection[peer] ? perConnection.ours / (perConnection[peer] ?? 1) : null);
  return {
    settings: { connections: count, requested, ulimitN: limit, workers: WORKERS, users: USERS },
    rows,
    ratios: { 'memory per connection ours/ws (lower is better)': ratio('ws'), 'memory per connection ours/socketio (lower is better)': ratio('socketio') },
    notes,
  };
}
