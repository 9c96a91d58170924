import type { ChildProcess } from 'node:child_process';
import jwt from 'jsonwebtoken';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Endpoint, ServerKind, WorkerCommand, WorkerReply } from './clients/fanoutClient.js';
import { Histogram, type HistogramSummary } from './lib/histogram.js';
import { kafkaModeEnv, setUpUsersAndRooms, startOurs } from './lib/ours.js';
import { forkTs, sleep, stopChild, waitForMessage } from './lib/proc.js';
import { centrifugoAvailable, CENTRIFUGO_NAMESPACE, CENTRIFUGO_TOKEN_SECRET, CENTRIFUGO_VERSION, startCentrifugo } from './servers/centrifugo.js';
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
  /** After the fixed steps, search the highest sustainable offered rate (doubling, then bisection). */
  search: boolean;
  /** Length of each search probe. */
  probeMs: number;
  /** Bisection probes after the doubling found a failing rate. */
  bisections: number;
  /** A rate is sustained when ≥ 99 % is delivered and p99 stays under this. */
  p99BoundMs: number;
  /** After an overloaded step, wait at most this long for the backlog to stop arriving. */
  quiesceMs: number;
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
  // ours-kafka runs when the services' variables are exported (scripts/services env), and is left out, with a
  // note saying so, when they are not. centrifugo is built on first use (minutes) and left out, with a note, when
  // there is neither its binary nor a Go toolchain.
  servers: ['ours', 'ours-kafka', 'socketio', 'ws', 'centrifugo'],
  profile: false,
  search: true,
  probeMs: 5_000,
  bisections: 3,
  p99BoundMs: 500,
  quiesceMs: 30_000,
};

export const FANOUT_QUICK: Partial<FanoutOptions> = { rooms: 5, subscribers: 20, stepMs: 4_000, drainMs: 1_500, probeMs: 3_000, bisections: 1, quiesceMs: 8_000 };

/** The servers ours is compared with in the ratios, when they are in the run. */
const PEERS = ['socketio', 'ws', 'centrifugo'] as const;

/** The search never offers more than this (the single sender process tops out around there anyway). */
const SEARCH_CEILING = 64_000;

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
  /** Server CPU time per message delivered to a subscriber: what the server pays per delivery, whatever the load. */
  serverCpuMicrosPerDelivered: number | null;
  latency: HistogramSummary;
  closes: number;
  errors: Record<string, number>;
  /** A step of the highest-rate search rather than one of the fixed rates. */
  probe: boolean;
  /** Messages per second the sender process actually got out (below the offered rate: the generator's limit). */
  sentPerSecond: number;
}

/** Whether a server sustained a step: ≥ 99 % delivered, p99 under the bound, and the offered rate really sent. */
export function sustained(step: FanoutStep, p99BoundMs: number): boolean {
  return step.deliveredRatio >= 0.99 && step.latency.p99Ms < p99BoundMs && step.sentPerSecond >= step.offeredPerSecond * 0.95;
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

async function measureServer(kind: ServerKind, options: FanoutOptions, log: (line: string) => void): Promise<{ steps: FanoutStep[]; hotspots?: Hotspot[]; searchNote?: string }> {
  const children: ChildProcess[] = [];
  let stopServer: () => Promise<void>;
  let serverPid: number;
  let url: string;
  let subEndpoints: Endpoint[];
  let sendEndpoints: Endpoint[];
  const profileDir = options.profile && (kind === 'ours' || kind === 'ours-kafka') ? mkdtempSync(path.join(tmpdir(), 'chat-bench-prof-')) : undefined;
  if (kind === 'ours' || kind === 'ours-kafka') {
    const env = kind === 'ours-kafka' ? kafkaModeEnv() : {};
    if (!env) throw new Error('ours-kafka needs KAFKA_BROKERS, SCHEMA_REGISTRY_URL and REDIS_URL (eval "$(bash scripts/services env)")');
    const ours = await startOurs({ nodeFlags: profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [], env, startTimeoutMs: 120_000 });
    stopServer = () => ours.stop();
    serverPid = ours.child.pid ?? 0;
    url = ours.wsUrl;
    log(`${kind}: registering ${options.subscribers} users, ${options.rooms} rooms`);
    const fixture = await setUpUsersAndRooms(ours.baseUrl, Math.max(options.subscribers, options.sendersPerRoom), options.rooms);
    subEndpoints = fixture.roomIds.flatMap((room) => fixture.users.slice(0, options.subscribers).map((user) => ({ room, token: user.token })));
    sendEndpoints = fixture.roomIds.flatMap((room) => fixture.users.slice(0, options.sendersPerRoom).map((user) => ({ room, token: user.token })));
  } else if (kind === 'centrifugo') {
    const centrifugo = await startCentrifugo(log);
    stopServer = () => centrifugo.stop();
    serverPid = centrifugo.child.pid ?? 0;
    url = centrifugo.wsUrl;
    // One user per subscriber index (as ours: user i subscribes to every room, users 0..sendersPerRoom-1 send), each
    // with an HS256 connection token; the room is a channel of the namespace with history and recovery.
    const tokens = Array.from({ length: Math.max(options.subscribers, options.sendersPerRoom) }, (_, index) => jwt.sign({ sub: `user-${index}` }, CENTRIFUGO_TOKEN_SECRET, { algorithm: 'HS256', expiresIn: '2h' }));
    const rooms = Array.from({ length: options.rooms }, (_, index) => `${CENTRIFUGO_NAMESPACE}:room-${index}`);
    subEndpoints = rooms.flatMap((room) => tokens.slice(0, options.subscribers).map((token) => ({ room, token })));
    sendEndpoints = rooms.flatMap((room) => tokens.slice(0, options.sendersPerRoom).map((token) => ({ room, token })));
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
  let searchNote: string | undefined;
  try {
    let subs: ChildProcess[] = [];
    let sender: ChildProcess | undefined;
    /** Fresh load processes, every connection opened (and, for ours, authenticated and subscribed) again. */
    const connectClients = async () => {
      await Promise.all(children.splice(0).map((child) => stopChild(child, 2_000)));
      subs = Array.from({ length: options.subWorkers }, () => forkTs('bench/clients/fanoutClient.ts'));
      const newSender = forkTs('bench/clients/fanoutClient.ts');
      sender = newSender;
      children.push(...subs, newSender);
      await Promise.all(
        subs.map((worker, index) => {
          send(worker, { cmd: 'init', role: 'sub', kind, url, endpoints: subEndpoints.filter((_, i) => i % options.subWorkers === index) });
          return waitForMessage(worker, replyOf('ready'), 120_000, `${kind} subscribers`);
        }),
      );
      send(newSender, { cmd: 'init', role: 'send', kind, url, endpoints: sendEndpoints });
      await waitForMessage(newSender, replyOf('ready'), 60_000, `${kind} senders`);
      log(`${kind}: ${subEndpoints.length} subscribers and ${sendEndpoints.length} senders connected`);
    };
    await connectClients();
    /** Subscriber connections closed so far (by the server: ours closes slow consumers) in the current workers. */
    let closedSoFar = 0;

    let stepIndex = 0;
    /** One step: offer `rate` msg/s for `ms`, drain, collect from every subscriber process. */
    const runStep = async (rate: number, ms: number, probe: boolean): Promise<FanoutStep> => {
      // A server that closed connections in an overloaded step (ours: slow consumers) would deliver to fewer
      // subscribers in every later step: start the next one from a full set of connections.
      if (closedSoFar > 0) {
        log(`${kind}: ${closedSoFar} connections were closed by the server; reconnecting every client`);
        await connectClients();
        closedSoFar = 0;
      }
      const index = stepIndex++;
      if (!sender) throw new Error('no sender process');
      const senderNow = sender;
      for (const worker of subs) send(worker, { cmd: 'step', step: index });
      await sleep(50);
      const cpuBefore = cpuSeconds(serverPid);
      send(senderNow, { cmd: 'send', step: index, ratePerSecond: rate, durationMs: ms, textBytes: options.textBytes });
      const sent = await waitForMessage(senderNow, replyOf('sent'), ms + 30_000, `${kind} send`);
      await sleep(options.drainMs);
      const cpuAfter = cpuSeconds(serverPid);
      const histogram = new Histogram();
      let delivered = 0;
      let closes = 0;
      let otherFrames = 0;
      const errors: Record<string, number> = { ...sent.errors };
      for (const collected of await collectAll()) {
        histogram.merge(collected.histogram);
        delivered += collected.delivered;
        otherFrames += collected.otherFrames;
        closes += collected.closes;
        for (const [code, count] of Object.entries(collected.errors)) errors[code] = (errors[code] ?? 0) + count;
      }
      // Cumulative in the workers, which are fresh whenever an earlier step closed any: this step's closes. The
      // sender's count too: a sender connection the server closed (ours: no pong read while its reading was paused
      // for backpressure) sends into nothing.
      closes += sent.closes;
      closedSoFar = closes;
      const expected = sent.sent * options.subscribers;
      return {
        server: kind,
        offeredPerSecond: rate,
        sent: sent.sent,
        expected,
        delivered,
        deliveredPerSecond: Math.round(delivered / (ms / 1000)),
        deliveredRatio: expected ? delivered / expected : 0,
        otherFramesPerSecond: Math.round(otherFrames / ((ms + options.drainMs) / 1000)),
        serverCpuPercent: Math.round(((cpuAfter - cpuBefore) / ((ms + options.drainMs + 500) / 1000)) * 100),
        serverCpuMicrosPerDelivered: delivered ? Math.round(((cpuAfter - cpuBefore) * 1e6) / delivered) : null,
        latency: histogram.summary(),
        closes,
        errors,
        probe,
        sentPerSecond: Math.round(sent.sent / (ms / 1000)),
      };
    };
    const collectAll = async () => {
      const replies = [];
      for (const worker of subs) {
        send(worker, { cmd: 'collect' });
        replies.push(await waitForMessage(worker, replyOf('collected'), 30_000, `${kind} collect`));
      }
      return replies;
    };
    /** After an overloaded step, waits (up to quiesceMs) until the backlog stops arriving, so it does not load the next step. */
    const quiesce = async () => {
      let previous = -1;
      for (let waited = 0; waited < options.quiesceMs; waited += 1_000) {
        const total = (await collectAll()).reduce((sum, collected) => sum + collected.messagesOfAnyStep, 0);
        if (total === previous) return;
        previous = total;
        await sleep(1_000);
      }
    };
    const report = (step: FanoutStep) => {
      steps.push(step);
      log(`${kind} @ ${step.offeredPerSecond}/s${step.probe ? ' (search)' : ''}: ${step.deliveredPerSecond} delivered/s (${(step.deliveredRatio * 100).toFixed(1)} %), sent ${step.sentPerSecond}/s, p50 ${step.latency.p50Ms} ms, p99 ${step.latency.p99Ms} ms, p99.9 ${step.latency.p999Ms} ms, server CPU ${step.serverCpuPercent} %`);
    };

    // A warm-up step (JIT, connections) at the lowest rate; not reported.
    await runStep(options.rates[0] ?? 100, Math.min(2_000, options.stepMs), false);
    for (const rate of options.rates) {
      const step = await runStep(rate, options.stepMs, false);
      report(step);
      if (!sustained(step, options.p99BoundMs)) await quiesce();
    }

    if (options.search) {
      // Doubling from the highest fixed rate sustained (or down from the lowest), then bisection between the last
      // rate sustained and the first that was not. Each probe is a fresh step of probeMs after the backlog settled.
      const fixed = steps.filter((step) => sustained(step, options.p99BoundMs)).map((step) => step.offeredPerSecond);
      let good = fixed.length ? Math.max(...fixed) : 0;
      let bad = steps.filter((step) => !sustained(step, options.p99BoundMs) && step.offeredPerSecond > good).map((step) => step.offeredPerSecond).sort((a, b) => a - b)[0];
      const probe = async (rate: number): Promise<boolean> => {
        const step = await runStep(rate, options.probeMs, true);
        report(step);
        const ok = sustained(step, options.p99BoundMs);
        if (!ok) await quiesce();
        return ok;
      };
      if (good === 0) {
        // Not even the lowest fixed rate: quarter until one holds (or give up below 10 msg/s).
        let rate = Math.floor((options.rates[0] ?? 100) / 4);
        bad = options.rates[0] ?? 100;
        while (rate >= 10 && !(await probe(rate))) {
          bad = rate;
          rate = Math.floor(rate / 4);
        }
        good = rate >= 10 ? rate : 0;
      }
      while (bad === undefined && good > 0) {
        const rate = good * 2;
        if (rate > SEARCH_CEILING) break;
        if (await probe(rate)) good = rate;
        else bad = rate;
      }
      for (let i = 0; i < options.bisections && bad !== undefined && good > 0 && bad - good > Math.max(10, good * 0.05); i++) {
        const rate = Math.round((good + bad) / 2);
        if (await probe(rate)) good = rate;
        else bad = rate;
      }
      searchNote = good > 0 ? `${kind}: highest sustained ${good}/s offered${bad !== undefined ? `, not sustained at ${bad}/s` : ` (search stopped at the ${SEARCH_CEILING}/s ceiling)`}` : `${kind}: no rate ≥ 10/s sustained`;
      log(`search ${searchNote}`);
    }
  } finally {
    await Promise.all(children.map((child) => stopChild(child, 2_000)));
    await stopServer();
  }
  // The profile is written when the server exits, so it is read only after stopServer().
  const result = { steps, ...(searchNote ? { searchNote } : {}) };
  return profileDir ? { ...result, hotspots: topSelfTime(profileDir) } : result;
}

/** The step with the highest offered rate a server sustained (fixed steps and search probes alike). */
function sustainable(steps: FanoutStep[], p99BoundMs: number): FanoutStep | undefined {
  return steps.filter((step) => sustained(step, p99BoundMs)).sort((a, b) => b.offeredPerSecond - a.offeredPerSecond)[0];
}

export async function runFanout(options: FanoutOptions, log: (line: string) => void): Promise<BenchResult & { steps: FanoutStep[] }> {
  const steps: FanoutStep[] = [];
  let hotspots: Hotspot[] | undefined;
  const searchNotes: string[] = [];
  const skipped: string[] = [];
  for (const kind of options.servers) {
    if (kind === 'ours-kafka' && !kafkaModeEnv()) {
      skipped.push('ours-kafka not measured: KAFKA_BROKERS, SCHEMA_REGISTRY_URL and REDIS_URL are not exported (eval "$(bash scripts/services env)").');
      continue;
    }
    if (kind === 'centrifugo' && !centrifugoAvailable()) {
      skipped.push(`centrifugo not measured: no binary in .services/centrifugo/${CENTRIFUGO_VERSION}/ and no Go toolchain to build it (GO=/path/to/go).`);
      continue;
    }
    const result = await measureServer(kind, options, log);
    steps.push(...result.steps);
    if (result.hotspots) hotspots = result.hotspots;
    if (result.searchNote) searchNotes.push(result.searchNote);
  }
  const rows: Row[] = steps.map((step) => ({
    server: step.server,
    step: step.probe ? 'search' : 'fixed',
    'offered msg/s': step.offeredPerSecond,
    'sent msg/s': step.sentPerSecond,
    'delivered msg/s': step.deliveredPerSecond,
    'delivered %': Math.round(step.deliveredRatio * 1000) / 10,
    'p50 ms': step.latency.p50Ms,
    'p99 ms': step.latency.p99Ms,
    'p99.9 ms': step.latency.p999Ms,
    'max ms': step.latency.maxMs,
    'server CPU %': step.serverCpuPercent,
    'server CPU µs/delivery': step.serverCpuMicrosPerDelivered,
    'other frames/s': step.otherFramesPerSecond,
    'closed by server': step.closes,
    errors: Object.entries(step.errors).map(([code, count]) => `${code}:${count}`).join(' ') || '',
  }));
  const ratios: Record<string, number | null> = {};
  const at = (kind: ServerKind, rate: number) => steps.find((step) => step.server === kind && !step.probe && step.offeredPerSecond === rate);
  for (const rate of options.rates) {
    for (const mine of ['ours', 'ours-kafka'] as const) {
      const ours = at(mine, rate);
      for (const peer of PEERS) {
        const other = at(peer, rate);
        if (!ours || !other) continue;
        ratios[`delivered/s ${mine}/${peer} @ ${rate}/s offered`] = other.deliveredPerSecond ? ours.deliveredPerSecond / other.deliveredPerSecond : null;
        ratios[`p99 latency ${mine}/${peer} @ ${rate}/s offered (lower is better)`] = other.latency.p99Ms ? ours.latency.p99Ms / other.latency.p99Ms : null;
      }
    }
  }
  const best = Object.fromEntries(options.servers.map((kind) => [kind, sustainable(steps.filter((step) => step.server === kind), options.p99BoundMs)]));
  for (const mine of ['ours', 'ours-kafka'] as const) {
    for (const peer of PEERS) {
      const ours = best[mine];
      const other = best[peer];
      if (ours && other) ratios[`highest sustainable delivered/s ${mine}/${peer}`] = ours.deliveredPerSecond / other.deliveredPerSecond;
    }
  }
  const notes = [
    `Each server: ${options.rooms} rooms × ${options.subscribers} subscriber connections (one connection per room and user), ${options.sendersPerRoom} sender connections per room, ${options.textBytes}-character texts; ${options.subWorkers} subscriber processes and 1 sender process, separate from the server's.`,
    `Latency: the sender's CLOCK_MONOTONIC (µs) in the text vs the receiver's, same host. Each step offers a fixed rate for ${options.stepMs / 1000} s, then ${options.drainMs / 1000} s of drain; a 2 s warm-up step is not reported. "delivered %" = delivered / (sent × subscribers).`,
    'ours = `chat serve` (embedded mode: SQLite log, history view, receipts, persistence on) with the per-user send limits raised (SEND_LIMIT_PER_SECOND=1000000, SEND_LIMIT_PER_MINUTE=60000000), AUTH_RATE_LIMIT_PER_MINUTE and MAX_ROOM_MEMBERS raised; sends are WS chat.send frames. The socketio and ws peers keep nothing and check nothing.',
    ...(options.servers.includes('ours-kafka')
      ? ['ours-kafka = `chat serve` with EVENT_LOG=kafka (a unique events/commands/replies topic set on the broker of scripts/services), every role in the one process, Redis for presence, rate limits, tokens, analytics and typing; otherwise as ours.']
      : ['Our Kafka mode is not in this run (`--servers ours,ours-kafka,socketio,ws,centrifugo` adds it).']),
    ...(options.servers.includes('centrifugo')
      ? [`centrifugo = Centrifugo ${CENTRIFUGO_VERSION} (Go, memory engine, built from source by bench/servers/centrifugo.ts), HS256 connection JWTs, room channels in a namespace with history (1000 messages, 300 s) and forced positioning and recovery; subscribers use the \`centrifuge\` JS client with positioned + recoverable subscriptions (reconnect and recover by themselves); senders publish { text } client-side (allow_publish_for_client) and count the publish replies as acks. It keeps each channel's recent history in memory and checks tokens, but writes nothing to disk.`]
      : []),
    '"other frames/s": frames besides the messages that reached the subscribers (ours: chat.receipt for the delivered markers, presence), per second of step + drain.',
    ...skipped,
    ...(options.search
      ? [`Search for the highest sustainable rate: after the fixed steps, doubling from the highest fixed rate sustained, then ${options.bisections} bisection probes of ${options.probeMs / 1000} s; after a probe that failed, the next waits until the backlog stopped arriving (at most ${options.quiesceMs / 1000} s). ${searchNotes.join('; ')}.`]
      : []),
    `Highest sustainable offered rate (≥ 99 % delivered, p99 < ${options.p99BoundMs} ms, ≥ 95 % of the offered rate actually sent) among all steps: ${Object.entries(best).map(([kind, step]) => `${kind} ${step ? `${step.offeredPerSecond}/s (${step.deliveredPerSecond} delivered/s)` : 'none'}`).join(', ')}.`,
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
