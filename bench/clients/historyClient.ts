import { Agent, request } from 'node:http';
import { Histogram, nowUs, type HistogramData } from '../lib/histogram.js';

// The history benchmark's load, in its own process (one per role):
//   read:  GET /api/chat/rooms/:roomId/messages?before=<random seq>&limit=50 over `concurrency` keep-alive
//          connections, back to back, for `seconds`; records each request's latency (send to last byte).
//   write: POST /api/chat/send into the same room at a fixed rate for `seconds` (a new message each time).

export type HistoryClientCommand =
  | { role: 'read'; baseUrl: string; token: string; roomId: string; maxSeq: number; concurrency: number; seconds: number }
  | { role: 'write'; baseUrl: string; token: string; roomId: string; ratePerSecond: number; seconds: number };

export interface HistoryClientResult {
  requests: number;
  ok: number;
  /** Non-2xx answers by status, and transport errors as "error". */
  failures: Record<string, number>;
  /** Read pages that did not hold 50 messages (a wrong page is not a fast page). */
  shortPages: number;
  histogram: HistogramData;
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function call(url: URL, method: 'GET' | 'POST', token: string, body?: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        agent,
        headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } : {}) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function read(command: Extract<HistoryClientCommand, { role: 'read' }>): Promise<HistoryClientResult> {
  const histogram = new Histogram();
  const failures: Record<string, number> = {};
  let requests = 0;
  let ok = 0;
  let shortPages = 0;
  const deadline = Date.now() + command.seconds * 1000;
  await Promise.all(
    Array.from({ length: command.concurrency }, async () => {
      while (Date.now() < deadline) {
        // A random page strictly inside the room: `before` in [53, maxSeq] always has 50 messages under it
        // (seqs 1 and 2 are the room's creation and its owner's join).
        const before = 53 + Math.floor(Math.random() * (command.maxSeq - 52));
        const url = new URL(`/api/chat/rooms/${command.roomId}/messages?before=${before}&limit=50`, command.baseUrl);
        const started = nowUs();
        requests += 1;
        try {
          const answer = await call(url, 'GET', command.token);
          histogram.record(nowUs() - started);
          if (answer.status === 200) {
            ok += 1;
            const page = JSON.parse(answer.text) as { messages?: unknown[] };
            if (page.messages?.length !== 50) shortPages += 1;
          } else failures[answer.status] = (failures[answer.status] ?? 0) + 1;
        } catch {
          failures.error = (failures.error ?? 0) + 1;
        }
      }
    }),
  );
  return { requests, ok, failures, shortPages, histogram: histogram.toData() };
}

async function write(command: Extract<HistoryClientCommand, { role: 'write' }>): Promise<HistoryClientResult> {
  const histogram = new Histogram();
  const failures: Record<string, number> = {};
  let requests = 0;
  let ok = 0;
  const url = new URL('/api/chat/send', command.baseUrl);
  const total = Math.round(command.ratePerSecond * command.seconds);
  const startedUs = nowUs();
  const inFlight = new Set<Promise<void>>();
  const sendOne = (n: number) => {
    const body = JSON.stringify({ roomId: command.roomId, text: `history bench write ${n}`, clientMessageId: `hw-${process.pid}-${startedUs}-${n}` });
    const started = nowUs();
    requests += 1;
    const done = call(url, 'POST', command.token, body)
      .then((answer) => {
        histogram.record(nowUs() - started);
        if (answer.status === 201 || answer.status === 200) ok += 1;
        else failures[answer.status] = (failures[answer.status] ?? 0) + 1;
      })
      .catch(() => {
        failures.error = (failures.error ?? 0) + 1;
      })
      .finally(() => inFlight.delete(done));
    inFlight.add(done);
  };
  let sent = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((nowUs() - startedUs) / 1e6) * command.ratePerSecond));
      while (sent < due) sendOne(sent++);
      if (sent >= total) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  await Promise.all([...inFlight]);
  return { requests, ok, failures, shortPages: 0, histogram: histogram.toData() };
}

process.once('message', (command: HistoryClientCommand) => {
  const run = command.role === 'read' ? read(command) : write(command);
  run
    .then((result) => process.send?.({ result }, () => process.exit(0)))
    .catch((error: unknown) => process.send?.({ failed: error instanceof Error ? error.message : String(error) }, () => process.exit(1)));
});
