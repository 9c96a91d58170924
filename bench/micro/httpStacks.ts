import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import cors from 'cors';
import etag from 'etag';
import express, { type RequestHandler } from 'express';
import helmet from 'helmet';
import { pino } from 'pino';
import { forkTs, stopAll, waitForMessage } from '../lib/proc.js';
import { cpuSeconds } from '../lib/report.js';
import { cannon } from '../send.js';

// What the HTTP stack alone costs a JSON POST, the evidence behind the direct lane (src/http/directRoutes.ts). Four
// servers answer the same send-shaped body with a small JSON, under the send benchmark's load (32 connections,
// bench/clients/cannon.ts), each in its own process whose CPU per request is measured:
//   node     Node's http server: read the body, JSON.parse, answer
//   lane     the same with what the direct lane adds: helmet's and CORS's middleware, a request id, an access-log
//            line (pino, to /dev/null), a weak ETag
//   express  the send benchmark's express hello-world (express.json())
//   app      express with this app's layers in front: the same helmet, CORS and access log, and 120 other routes
//            (the app mounts ~150) before the one asked for
// Run: npx tsx bench/micro/httpStacks.ts [seconds]

type Kind = 'node' | 'lane' | 'express' | 'app';
const KINDS: Kind[] = ['node', 'lane', 'express', 'app'];
const PATH = '/api/chat/send';

function answerOf(body: { roomId?: unknown; text?: unknown }): string {
  return JSON.stringify({ message: { messageId: 'room.1', roomId: body.roomId, seq: 1, text: body.text } });
}

function readJson(req: IncomingMessage, then: (body: { roomId?: unknown; text?: unknown }) => void): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => then(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { roomId?: unknown; text?: unknown }));
}

function serve(kind: Kind): void {
  const log = pino({ level: 'info' }, pino.destination({ dest: '/dev/null', sync: false }));
  const securityHeaders = helmet();
  const crossOrigin = cors({ origin: [], exposedHeaders: ['X-Request-Id'] });
  const accessLog = (req: IncomingMessage, res: ServerResponse): void => {
    const started = performance.now();
    res.setHeader('X-Request-Id', 'bench');
    res.once('finish', () => log.info({ req: { method: req.method, url: req.url }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) }, 'request completed'));
  };
  let listener: (req: IncomingMessage, res: ServerResponse) => void;
  if (kind === 'node' || kind === 'lane') {
    listener = (req, res) => {
      if (kind === 'lane') accessLog(req, res);
      const respond = () =>
        readJson(req, (body) => {
          const bytes = Buffer.from(answerOf(body));
          res.statusCode = 201;
          res.setHeader('Content-Type', 'application/json; charset=utf-8');
          res.setHeader('Content-Length', bytes.length);
          if (kind === 'lane') res.setHeader('ETag', etag(bytes, { weak: true }));
          res.end(bytes);
        });
      if (kind === 'node') respond();
      else securityHeaders(req, res, () => crossOrigin(req, res, respond));
    };
  } else {
    const app = express();
    if (kind === 'app') {
      app.use(((req, res, next) => {
        accessLog(req, res);
        next();
      }) as RequestHandler);
      app.use(securityHeaders);
      app.use(crossOrigin);
      for (let i = 0; i < 120; i++) app.get(`/api/other${i}/:id/things`, (_req, res) => res.json({}));
    }
    app.use(express.json());
    app.post(PATH, (req, res) => {
      res.status(201).type('json').send(answerOf(req.body as { roomId?: unknown; text?: unknown }));
    });
    listener = app;
  }
  const server = createServer(listener);
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send?.({ port: typeof address === 'object' && address !== null ? address.port : 0 });
  });
}

if (process.argv[2] === 'serve') {
  serve(process.argv[3] as Kind);
} else {
  const seconds = Number(process.argv[2] ?? 10);
  console.log('| stack | req/s | server CPU ms/req |\n| --- | --- | --- |');
  try {
    for (const kind of KINDS) {
      const server = forkTs('bench/micro/httpStacks.ts', ['serve', kind]);
      const { port } = await waitForMessage(server, (m) => (typeof m === 'object' && m !== null && 'port' in m ? (m as { port: number }) : undefined), 30_000, kind);
      const command = { url: `http://127.0.0.1:${port}`, path: PATH, connections: 32, durationSeconds: seconds, tokens: [], roomIds: ['room'], textBytes: 100 };
      await cannon({ ...command, durationSeconds: 2 });
      const before = cpuSeconds(server.pid ?? 0);
      const result = await cannon(command);
      const cpu = cpuSeconds(server.pid ?? 0) - before;
      console.log(`| ${kind} | ${Math.round(result.requestsPerSecond)} | ${((cpu * 1000) / Math.max(result.requests, 1)).toFixed(3)} |`);
      server.kill();
    }
  } finally {
    await stopAll();
  }
}
