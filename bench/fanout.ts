import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Endpoint, ServerKind, WorkerCommand, WorkerReply } from './clients/fanoutClient.js';
import { Histogram, type HistogramSummary } from './lib/histogram.js';
import { setUpUsersAndRooms, startOurs } from './lib/ours.js';
import { forkTs, sleep, stopChild, waitForMessage } from './lib/proc.js';
import { topSelfTime, type Hotspot } from './lib/profile.js';
import type { BenchResult, Row } from './lib/report.js';
import { cpuSeconds } from './lib/report.js';

export interface FanoutOptions {
  rooms: number;
  subscribers: number;
  /** Sender connections per room (each a different user): ours handles one connection's frames one at a time. */
  sendersPerRoom: number;
  /** Offered rates, messages per second over all rooms, one step each. */
  rates: number[];
  stepMs: number;
  /** After a step's last send, how long receivers may still deliver it. */
  drainMs: number;
  textBytes: number;
  subWorkers: number;
  servers: ServerKind[];
  /** Run our server under --cpu-prof and report its top self-time functions. */
  profile: boolean;
}

export const FANOUT_DEFAULTS: FanoutOptions = {
  rooms: 10,
  subscribers: 100,
  sendersPerRoom: 2,
  rates: [100, 500, 2000],
  stepMs: 10_000,
  drainMs: 2_000,
  textBytes: 100,
  subWorkers: 2,
  servers: ['ours', 'socketio', 'ws'],
  profile: false,
};

export const FANOUT_QUICK: Partial<FanoutOptions> = { rooms: 5, subscribers: 20, stepMs: 4_000, drainMs: 1_500 };

export interface FanoutStep {
  server: ServerKind;
  offeredPerSecond: number;
  sent: number;
  expected: number;
  delivered: number;
  deliveredPerSecond: number;
  deliveredRatio: number;
  /** Other frames the subscribers received per second (ours: chat.receipt and presence). */
  otherFramesPerSecond: number;
  serverCpuPercent: number;
  latency: HistogramSummary;
  closes: number;
  errors: Record<string, number>;
}

function send(child: ChildProcess, command: WorkerCommand): void {
  child.send(command);
}

function replyOf<T extends WorkerReply['type']>(type: T) {
  return (message: unknown): Extract<WorkerReply, { type: T }> | undefined => {
    const reply = message as WorkerReply;
    if (reply.type === 'failed') throw new Error(`worker failed: ${reply.message}`);
    return reply.type === type ? (reply as Extract<WorkerReply, { type: T }>) : undefined;
  };
}

async function measureServer(kind: ServerKind, options: FanoutOptions, log: (line: string) => void): Promise<{ steps: FanoutStep[]; hotspots?: Hotspot[] }> {
  const children: ChildProcess[] = [];
  let stopServer: () => Promise<void>;
  let serverPid: number;
  let url: string;
  let subEndpoints: Endpoint[];
  let sendEndpoints: Endpoint[];
  const profileDir = options.profile && kind === 'ours' ? mkdtempSync(path.join(tmpdir(), 'chat-bench-prof-')) : undefined;
  if (kind === 'ours') {
    const ours = await startOurs({ nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [] });
    stopServer = () => ours.stop();
    serverPid = ours.child.pid ?? 0;
    url = ours.wsUrl;
    log(`ours: registering ${options.subscribers} users, ${options.rooms} rooms`);
    const fixture = await setUpUsersAndRooms(ours.baseUrl, Math.max(options.subscribers, options.sendersPerRoom), options.rooms);
    subEndpoints = fixture.roomIds.flatMap((room) => fixture.users.slice(0, options.subscribers).map((user) => ({ room, token: user.token })));
    sendEndpoints = fixture.roomIds.flatMap((room) => fixture.users.slice(0, options.sendersPerRoom).map((user) => ({ room, token: user.token })));
  } else {
    const peer = forkTs('bench/servers/peer.ts', [kind]);
    const { port } = await waitForMessage(peer, (m) => (m as { ready?: boolean; port?: number }).ready ? (m as { port: number }) : undefined, 30_000, kind);
    stopServer = () => stopChild(peer);
    serverPid = peer.pid ?? 0;
    url = kind === 'ws' ? `ws://127.0.0.1:${port}/ws` : `http://127.0.0.1:${port}`;
    const rooms = Array.from({ length: options.rooms }, (_, index) => `room-${index}`);
    subEndpoints = rooms.flatMap((room) => Array.from({ length: options.subscribers }, () => ({ room })));
    sendEndpoints = rooms.flatMap((room) => Array.from({ length: options.sendersPerRoom }, () => ({ room })));
  }
  const steps: FanoutStep[] = [];
  try {
    const subs = Array.from({ length: options.subWorkers }, () => forkTs('bench/clients/fanoutClient.ts'));
    const sender = forkTs('bench/clients/fanoutClient.ts');
    children.push(...subs, sender);
    await Promise.all(
      subs.map((worker, index) => {
        send(worker, { cmd: 'init', role: 'sub', kind, url, endpoints: subEndpoints.filter((_, i) => i % options.subWorkers === index) });
        return waitForMessage(worker, replyOf('ready'), 120_000, `${kind} subscribers`);
      }),
    );
    send(sender, { cmd: 'init', role: 'send', kind, url, endpoints: sendEndpoints });
    await waitForMessage(sender, replyOf('ready'), 60_000, `${kind} senders`);
    log(`${kind}: ${subEndpoints.length} subscribers and ${sendEndpoints.length} senders connected`);

    // Step 0 warms the JIT and the connections up at the lowest rate; it is not reported.
    const plan = [{ rate: options.rates[0] ?? 100, ms: Math.min(2_000, options.stepMs), report: false }, ...options.rates.map((rate) => ({ rate, ms: options.stepMs, report: true }))];
    for (const [index, { rate, ms, report }] of plan.entries()) {
      for (const worker of subs) send(worker, { cmd: 'step', step: index });
      await sleep(50);
      const cpuBefore = cpuSeconds(serverPid);
      send(sender, { cmd: 'send', step: index, ratePerSecond: rate, durationMs: ms, textBytes: options.textBytes });
      const sent = await waitForMessage(sender, replyOf('sent'), ms + 30_000, `${kind} send`);
      await sleep(options.drainMs);
      const cpuAfter = cpuSeconds(serverPid);
      const histogram = new Histogram();
      let delivered = 0;
      let closes = 0;
      let otherFrames = 0;
      const errors: Record<string, number> = { ...sent.errors };
      for (const worker of subs) {
        send(worker, { cmd: 'collect' });
        const collected = await waitForMessage(worker, replyOf('collected'), 30_000, `${kind} collect`);
        histogram.merge(collected.histogram);
        delivered += collected.delivered;
        otherFrames += collected.otherFrames;
        closes += collected.closes;
        for (const [code, count] of Object.entries(collected.errors)) errors[code] = (errors[code] ?? 0) + count;
      }
      if (!report) continue;
      const expected = sent.sent * options.subscribers;
      const step: FanoutStep = {
        server: kind,
        offeredPerSecond: rate,
        sent: sent.sent,
        expected,
        delivered,
        deliveredPerSecond: Math.round(delivered / (ms / 1000)),
        deliveredRatio: expected ? delivered / expected : 0,
        otherFramesPerSecond: Math.round(otherFrames / ((ms + options.drainMs) / 1000)),
        serverCpuPercent: Math.round(((cpuAfter - cpuBefore) / ((ms + options.drainMs + 500) / 1000)) * 100),
        latency: histogram.summary(),
        closes,
        errors,
      };
      steps.push(step);
      log(`${kind} @ ${rate}/s: ${step.deliveredPerSecond} delivered/s (${(step.deliveredRatio * 100).toFixed(1)} %), p50 ${step.latency.p50Ms} ms, p99 ${step.latency.p99Ms} ms, p99.9 ${step.latency.p999Ms} ms, server CPU ${step.serverCpuPercent} %`);
    }
  } finally {
    await Promise.all(children.map((child) => stopChild(child, 2_000)));
    await stopServer();
  }
  // The profile is written when the server exits, so it is read only after stopServer().
  return profileDir ? { steps, hotspots: topSelfTime(profileDir) } : { steps };
}

/** Highest offered rate at which a server delivered ≥ 99 % of the expected messages with p99 under 500 ms. */
function sustainable(steps: FanoutStep[]): FanoutStep | undefined {
  return steps.filter((step) => step.deliveredRatio >= 0.99 && step.latency.p99Ms < 500).sort((a, b) => b.offeredPerSecond - a.offeredPerSecond)[0];
}

export async function runFanout(options: FanoutOptions, log: (line: string) => void): Promise<BenchResult & { steps: FanoutStep[] }> {
  const steps: FanoutStep[] = [];
  let hotspots: Hotspot[] | undefined;
  for (const kind of options.servers) {
    const result = await measureServer(kind, options, log);
    steps.push(...result.steps);
    if (result.hotspots) hotspots = result.hotspots;
  }
  const rows: Row[] = steps.map((step) => ({
    server: step.server,
    'offered msg/s': step.offeredPerSecond,
    'delivered msg/s': step.deliveredPerSecond,
    'delivered %': Math.round(step.deliveredRatio * 1000) / 10,
    'p50 ms': step.latency.p50Ms,
    'p99 ms': step.latency.p99Ms,
    'p99.9 ms': step.latency.p999Ms,
    'max ms': step.latency.maxMs,
    'server CPU %': step.serverCpuPercent,
    'other frames/s': step.otherFramesPerSecond,
    errors: Object.entries(step.errors).map(([code, count]) => `${code}:${count}`).join(' ') || '',
  }));
  const ratios: Record<string, number | null> = {};
  const at = (kind: ServerKind, rate: number) => steps.find((step) => step.server === kind && step.offeredPerSecond === rate);
  for (const rate of options.rates) {
    const ours = at('ours', rate);
    for (const peer of ['socketio', 'ws'] as const) {
      const other = at(peer, rate);
      if (!ours || !other) continue;
      ratios[`delivered/s ours/${peer} @ ${rate}/s offered`] = other.deliveredPerSecond ? ours.deliveredPerSecond / other.deliveredPerSecond : null;
      ratios[`p99 latency ours/${peer} @ ${rate}/s offered (lower is better)`] = other.latency.p99Ms ? ours.latency.p99Ms / other.latency.p99Ms : null;
    }
  }
  const best = Object.fromEntries(options.servers.map((kind) => [kind, sustainable(steps.filter((step) => step.server === kind))]));
  for (const peer of ['socketio', 'ws'] as const) {
    const ours = best.ours;
    const other = best[peer];
    if (ours && other) ratios[`highest sustainable delivered/s ours/${peer}`] = ours.deliveredPerSecond / other.deliveredPerSecond;
  }
  const notes = [
    `Each server: ${options.rooms} rooms × ${options.subscribers} subscriber connections (one connection per room and user), ${options.sendersPerRoom} sender connections per room, ${options.textBytes}-character texts; ${options.subWorkers} subscriber processes and 1 sender process, separate from the server's.`,
    `Latency: the sender's CLOCK_MONOTONIC (µs) in the text vs the receiver's, same host. Each step offers a fixed rate for ${options.stepMs / 1000} s, then ${options.drainMs / 1000} s of drain; a 2 s warm-up step is not reported. "delivered %" = delivered / (sent × subscribers).`,
    'ours = `chat serve` (embedded mode: SQLite log, history view, receipts, persistence on) with the per-user send limits raised (SEND_LIMIT_PER_SECOND=1000000, SEND_LIMIT_PER_MINUTE=60000000), AUTH_RATE_LIMIT_PER_MINUTE and MAX_ROOM_MEMBERS raised; sends are WS chat.send frames. Peers keep nothing and check nothing.',
    'Our Kafka mode is not measured: the Kafka command processor does not exist yet (the Kafka event log is being written at the same time), so there is no Kafka-backed `chat serve` to run.',
    '"other frames/s": frames besides the messages that reached the subscribers (ours: chat.receipt for the delivered markers, presence), per second of step + drain.',
    `Highest sustainable offered rate (≥ 99 % delivered, p99 < 500 ms) among the steps: ${Object.entries(best).map(([kind, step]) => `${kind} ${step ? `${step.offeredPerSecond}/s (${step.deliveredPerSecond} delivered/s)` : 'none'}`).join(', ')}.`,
  ];
  return {
    settings: { ...options },
    rows,
    ratios,
    notes,
    steps,
    extra: { steps, ...(hotspots ? { oursCpuProfileTopSelfTime: hotspots } : {}) },
  };
}
