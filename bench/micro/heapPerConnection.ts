// JS heap per idle connection, ours against a bare `ws` server: RSS moves with the garbage collector's timing (the
// `connections` benchmark's slope swings by KiBs between runs), so this takes a heap snapshot of the server before
// and after opening N idle connections (ours: authenticated) from separate worker processes, and divides the
// difference in the snapshots' self sizes by N, per kind of object, so a change shows where the bytes went.
//
//   npx tsx bench/micro/heapPerConnection.ts [connections]      (default 4000; ~1 min)

import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { WorkerCommand, WorkerReply } from '../clients/fanoutClient.js';
import { setUpUsersAndRooms, startOurs } from '../lib/ours.js';
import { forkTs, sleep, stopChild, waitForMessage } from '../lib/proc.js';

const COUNT = Number(process.argv[2] ?? 4000);
const WORKERS = 2;
const SETTLE_MS = 3000;

interface HeapSnapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size per kind of object (type and constructor name), in bytes. */
function sizesByKind(file: string): Map<string, number> {
  const heap = JSON.parse(readFileSync(file, 'utf8')) as HeapSnapshot;
  const fields = heap.snapshot.meta.node_fields;
  const types = heap.snapshot.meta.node_types[0];
  const [typeAt, nameAt, sizeAt, width] = [fields.indexOf('type'), fields.indexOf('name'), fields.indexOf('self_size'), fields.length];
  const sizes = new Map<string, number>();
  for (let i = 0; i < heap.nodes.length; i += width) {
    const type = types[heap.nodes[i + typeAt] ?? 0] ?? '?';
    const named = type === 'object' || type === 'closure' || type === 'synthetic' || type === 'native';
    const kind = named ? `${type} ${(heap.strings[heap.nodes[i + nameAt] ?? 0] ?? '').slice(0, 40)}` : type;
    sizes.set(kind, (sizes.get(kind) ?? 0) + (heap.nodes[i + sizeAt] ?? 0));
  }
  return sizes;
}

async function snapshot(child: ChildProcess, dir: string): Promise<string> {
  const before = readdirSync(dir).length;
  child.kill('SIGUSR2');
  while (readdirSync(dir).length === before) await sleep(200);
  const files = readdirSync(dir).sort();
  const file = path.join(dir, files[files.length - 1] ?? '');
  // The file appears when writing starts; it is complete once its size has stopped changing for a while.
  for (let last = -1, size = statSync(file).size; size !== last || size === 0; last = size, size = statSync(file).size) await sleep(1000);
  return file;
}

async function measure(kind: 'ours' | 'ws'): Promise<{ perConnection: number; top: [string, number][] }> {
  const dir = mkdtempSync(path.join(tmpdir(), `heap-${kind}-`));
  const flags = ['--heapsnapshot-signal=SIGUSR2', `--diagnostic-dir=${dir}`];
  let child: ChildProcess;
  let url: string;
  let tokens: (string | undefined)[] = [undefined];
  let stop: () => Promise<void>;
  if (kind === 'ours') {
    const ours = await startOurs({ nodeFlags: flags });
    child = ours.child;
    url = ours.wsUrl;
    tokens = (await setUpUsersAndRooms(ours.baseUrl, 100, 1)).users.map((user) => user.token);
    stop = () => ours.stop();
  } else {
    child = forkTs('bench/servers/peer.ts', ['ws'], { nodeFlags: flags });
    const { port } = await waitForMessage(child, (m) => ((m as { ready?: boolean }).ready ? (m as { port: number }) : undefined), 30_000, kind);
    url = `ws://127.0.0.1:${port}/ws`;
    stop = () => stopChild(child);
  }
  const workers = Array.from({ length: WORKERS }, () => forkTs('bench/clients/fanoutClient.ts'));
  try {
    await sleep(SETTLE_MS);
    const before = sizesByKind(await snapshot(child, dir));
    await Promise.all(
      workers.map((worker, index) => {
        const endpoints: { room: string; token?: string }[] = [];
        for (let i = index; i < COUNT; i += WORKERS) {
          const token = tokens[i % tokens.length];
          endpoints.push(token ? { room: 'none', token } : { room: 'none' });
        }
        const command: WorkerCommand = { cmd: 'init', role: 'send', kind, url, endpoints };
        worker.send(command);
        return waitForMessage(worker, (m) => ((m as WorkerReply).type === 'ready' ? m : undefined), 300_000, `${kind} connect`);
      }),
    );
    await sleep(SETTLE_MS);
    const after = sizesByKind(await snapshot(child, dir));
    const growth = [...after].map(([name, size]): [string, number] => [name, (size - (before.get(name) ?? 0)) / COUNT]);
    growth.sort((a, b) => b[1] - a[1]);
    return { perConnection: growth.reduce((sum, [, size]) => sum + size, 0), top: growth.slice(0, 12) };
  } finally {
    await Promise.all(workers.map((worker) => stopChild(worker, 5_000)));
    await stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = { ours: await measure('ours'), ws: await measure('ws') };
for (const [kind, { perConnection, top }] of Object.entries(results)) {
  console.log(`${kind}: ${perConnection.toFixed(0)} bytes of JS heap per idle connection (${COUNT} connections)`);
  for (const [name, size] of top) console.log(`  ${size.toFixed(0).padStart(6)}  ${name}`);
}
console.log(`ours / ws: ${(results.ours.perConnection / results.ws.perConnection).toFixed(2)}`);
process.exit(0);
