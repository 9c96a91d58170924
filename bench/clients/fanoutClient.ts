import { Centrifuge } from 'centrifuge';
import { io, type Socket } from 'socket.io-client';
import { WebSocket } from 'ws';
import { Histogram, nowUs } from '../lib/histogram.js';

// A load worker for the fan-out benchmark, in its own process so that the server's process does no client work.
// The harness sends it commands over IPC. The same worker, with the same payloads, drives every server kind; only
// the few lines that speak each protocol differ (see Link below).
//   role "sub":  opens one connection per (token, room), joins the room, and records for every message of the
//                current step the latency from the sender's timestamp (inside the text) to its arrival.
//   role "send": opens sender connections and sends at a fixed offered rate, spread evenly over time.

/**
 * ours-kafka: our service on the Kafka event log (EVENT_LOG=kafka); same protocol as ours. centrifugo: the Go
 * real-time server with channel history and recovery (bench/servers/centrifugo.ts), driven through its JS client.
 */
export type ServerKind = 'ours' | 'ours-kafka' | 'socketio' | 'ws' | 'centrifugo';

export interface Endpoint {
  /** centrifugo: the channel ("room:<name>"). */
  room: string;
  /** Our service and Centrifugo need a token (ours: an access token; Centrifugo: an HS256 connection JWT); the other peers have no auth. */
  token?: string;
}

export type WorkerCommand =
  | { cmd: 'init'; role: 'sub' | 'send'; kind: ServerKind; url: string; endpoints: Endpoint[] }
  | { cmd: 'step'; step: number }
  | { cmd: 'send'; step: number; ratePerSecond: number; durationMs: number; textBytes: number }
  | { cmd: 'collect' };

export type WorkerReply =
  | { type: 'ready'; connections: number }
  | { type: 'sent'; step: number; sent: number; acks: number; errors: Record<string, number>; closes: number }
  | { type: 'collected'; delivered: number; otherFrames: number; messagesOfAnyStep: number; histogram: ReturnType<Histogram['toData']>; closes: number; errors: Record<string, number> }
  | { type: 'failed'; message: string };

/** One connection, whatever the protocol: join a room, send a text to it, hand every received text to `onText`. */
interface Link {
  send(room: string, text: string, id: string): void;
  close(): void;
}

let role: 'sub' | 'send' = 'sub';
let links: { link: Link; room: string }[] = [];
let step = -1;
let histogram = new Histogram();
let delivered = 0;
let closes = 0;
let acks = 0;
/** Frames that are not the measured messages (ours: chat.receipt, presence) during the current step. */
let otherFrames = 0;
/** Every message received, whatever its step: a backlog still draining after an overloaded step shows here. */
let messagesOfAnyStep = 0;
const errors: Record<string, number> = {};

function reply(message: WorkerReply): void {
  process.send?.(message);
}

function countError(code: string): void {
  errors[code] = (errors[code] ?? 0) + 1;
}

/** Text layout: "<step>|<send time in µs>|<padding>"; only the current step's messages count. */
function onText(text: string | null | undefined): void {
  if (role !== 'sub' || typeof text !== 'string') return;
  messagesOfAnyStep += 1;
  const first = text.indexOf('|');
  const second = text.indexOf('|', first + 1);
  if (first < 0 || second < 0 || Number(text.slice(0, first)) !== step) return;
  histogram.record(nowUs() - Number(text.slice(first + 1, second)));
  delivered += 1;
}

function connectOurs(url: string, endpoint: Endpoint, subscribe: boolean): Promise<Link> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let ready = false;
    ws.on('open', () => ws.send(JSON.stringify({ type: 'auth', token: endpoint.token })));
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as {
        type: string;
        event?: string;
        code?: string;
        data?: { text?: string | null };
      };
      switch (frame.type) {
        case 'chat.event':
          if (frame.event === 'MessageSent') onText(frame.data?.text);
          return;
        case 'chat.ack':
          acks += 1;
          return;
        case 'auth.success':
          if (subscribe) ws.send(JSON.stringify({ type: 'room.subscribe', id: 'sub', roomId: endpoint.room }));
          else done();
          return;
        case 'room.subscribed':
          done();
          return;
        case 'ping':
          // The gateway closes a socket that does not answer its ping (4002).
          ws.send('{"type":"pong"}');
          return;
        case 'chat.error':
          countError(frame.code ?? 'unknown');
          if (!ready) reject(new Error(`ours: ${String(data)}`));
          return;
        default:
          // chat.receipt, presence, chat.typing: part of the service's traffic, not of the latency measurement,
          // but counted: every one is a frame the server had to write next to the messages.
          if (role === 'sub' && step >= 0) otherFrames += 1;
          return;
      }
    });
    ws.on('error', (error) => (ready ? countError('socket') : reject(error)));
    ws.on('close', () => (closes += 1));
    const done = () => {
      ready = true;
      resolve({
        send: (room, text, id) => ws.send(JSON.stringify({ type: 'chat.send', roomId: room, text, clientMessageId: id })),
        close: () => ws.close(),
      });
    };
  });
}

function connectWs(url: string, endpoint: Endpoint, subscribe: boolean): Promise<Link> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let ready = false;
    const link: Link = {
      send: (room, text) => ws.send(JSON.stringify({ type: 'send', room, text })),
      close: () => ws.close(),
    };
    ws.on('open', () => {
      if (subscribe) ws.send(JSON.stringify({ type: 'join', room: endpoint.room }));
      else {
        ready = true;
        resolve(link);
      }
    });
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; text?: string };
      if (frame.type === 'msg') onText(frame.text);
      else if (frame.type === 'joined') {
        ready = true;
        resolve(link);
      }
    });
    ws.on('error', (error) => (ready ? countError('socket') : reject(error)));
    ws.on('close', () => (closes += 1));
  });
}

function connectSocketIo(url: string, endpoint: Endpoint, subscribe: boolean): Promise<Link> {
  return new Promise((resolve, reject) => {
    const socket: Socket = io(url, { transports: ['websocket'], reconnection: false, forceNew: true });
    const link: Link = {
      send: (room, text) => socket.emit('send', { room, text }),
      close: () => socket.close(),
    };
    socket.on('msg', (message: { text?: string }) => onText(message.text));
    socket.on('connect_error', reject);
    socket.on('disconnect', () => (closes += 1));
    socket.on('connect', () => {
      if (subscribe) socket.emit('join', endpoint.room, () => resolve(link));
      else resolve(link);
    });
  });
}

/**
 * Centrifugo through its own JS client (`centrifuge`, JSON protocol over `ws`). A subscriber subscribes to the room's
 * channel asking for a positioned, recoverable subscription (the namespace forces both anyway): after a disconnect
 * the client reconnects by itself and the server replays what it missed from the channel history, so those late
 * deliveries are counted like any other. A sender publishes `{ text }` with a client-side publish, whose reply is
 * the ack. The client's command timeout is raised from 5 s so an overloaded step shows as latency, not as timeouts.
 */
function connectCentrifugo(url: string, endpoint: Endpoint, subscribe: boolean): Promise<Link> {
  return new Promise((resolve, reject) => {
    const client = new Centrifuge(url, { token: endpoint.token ?? '', websocket: WebSocket, timeout: 30_000 });
    let ready = false;
    let connectedOnce = false;
    const link: Link = {
      send: (room, text) => {
        client.publish(room, { text }).then(
          () => (acks += 1),
          (error: { code?: number }) => countError(`centrifugo-${error.code ?? 'unknown'}`),
        );
      },
      close: () => client.disconnect(),
    };
    const done = () => {
      ready = true;
      resolve(link);
    };
    // A connection that drops after it was up (e.g. the server's slow-consumer disconnect) counts as a close;
    // the client reconnects and resubscribes with recovery on its own.
    client.on('connecting', () => {
      if (connectedOnce) closes += 1;
    });
    client.on('connected', () => {
      connectedOnce = true;
      if (!subscribe) done();
    });
    client.on('disconnected', (context) => (ready ? (closes += 1) : reject(new Error(`centrifugo: disconnected ${context.code} ${context.reason}`))));
    client.on('error', (context) => (ready ? countError(`centrifugo-${context.error.code}`) : reject(new Error(`centrifugo: ${context.error.message}`))));
    if (subscribe) {
      const subscription = client.newSubscription(endpoint.room, { positioned: true, recoverable: true });
      subscription.on('publication', (context) => onText((context.data as { text?: string } | null)?.text));
      subscription.on('subscribed', () => {
        if (!ready) done();
      });
      subscription.on('error', (context) => (ready ? countError(`centrifugo-sub-${context.error.code}`) : reject(new Error(`centrifugo subscribe: ${context.error.message}`))));
      subscription.subscribe();
    }
    client.connect();
  });
}

async function init(command: Extract<WorkerCommand, { cmd: 'init' }>): Promise<void> {
  role = command.role;
  const connect =
    command.kind === 'ours' || command.kind === 'ours-kafka' ? connectOurs : command.kind === 'ws' ? connectWs : command.kind === 'centrifugo' ? connectCentrifugo : connectSocketIo;
  const subscribe = command.role === 'sub';
  // In batches: a thousand simultaneous handshakes would measure the accept queue, not the steady state.
  for (let i = 0; i < command.endpoints.length; i += 50) {
    const batch = command.endpoints.slice(i, i + 50);
    const opened = await Promise.all(batch.map(async (endpoint) => ({ link: await connect(command.url, endpoint, subscribe), room: endpoint.room })));
    links.push(...opened);
  }
  reply({ type: 'ready', connections: links.length });
}

/** Sends `ratePerSecond` messages per second for `durationMs`, on a 5 ms tick, round-robin over the connections. */
async function send(command: Extract<WorkerCommand, { cmd: 'send' }>): Promise<void> {
  const startedUs = nowUs();
  const total = Math.round((command.ratePerSecond * command.durationMs) / 1000);
  const padding = 'x'.repeat(command.textBytes);
  let sent = 0;
  acks = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((nowUs() - startedUs) / 1e6) * command.ratePerSecond));
      while (sent < due) {
        const target = links[sent % links.length];
        if (!target) break;
        const text = `${command.step}|${nowUs()}|${padding}`.slice(0, Math.max(command.textBytes, 40));
        target.link.send(target.room, text, `s${command.step}-${process.pid}-${sent}`);
        sent += 1;
      }
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  // Give the last acks a moment (ours and centrifugo) before reporting them.
  await new Promise((resolve) => setTimeout(resolve, 500));
  reply({ type: 'sent', step: command.step, sent, acks, errors: { ...errors }, closes });
}

process.on('message', (raw: WorkerCommand) => {
  const run = async () => {
    switch (raw.cmd) {
      case 'init':
        return init(raw);
      case 'step':
        step = raw.step;
        histogram = new Histogram();
        delivered = 0;
        otherFrames = 0;
        return;
      case 'send':
        return send(raw);
      case 'collect':
        reply({ type: 'collected', delivered, otherFrames, messagesOfAnyStep, histogram: histogram.toData(), closes, errors: { ...errors } });
        return;
    }
  };
  run().catch((error: unknown) => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) }));
});

process.on('SIGTERM', () => {
  for (const { link } of links) link.close();
  links = [];
  process.exit(0);
});
