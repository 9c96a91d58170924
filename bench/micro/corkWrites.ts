// Does corking a socket for a batch of WebSocket frames pay? The gateway's question, without the gateway: a ws
// server sends `batch` frames to each of 200 sockets per turn of the event loop, plainly or with the socket corked
// around the batch, and reports its CPU time per frame until a client process (separate) has received them all.
//
//   npx tsx bench/micro/corkWrites.ts [batch]      (default 10; 1 shows the cost of corking for nothing)

import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { WebSocket, WebSocketServer } from 'ws';

const SOCKETS = 200;
const FRAMES_PER_MODE = 1_000_000;

async function client(url: string, count: number): Promise<void> {
  let received = 0;
  for (let i = 0; i < count; i++) new WebSocket(url).on('message', () => (received += 1));
  setInterval(() => process.send?.({ received }), 100);
}

async function server(batch: number): Promise<void> {
  const http = createServer();
  const sockets: { ws: WebSocket; socket: Duplex }[] = [];
  const wss = new WebSocketServer({ noServer: true });
  http.on('upgrade', (req, socket, head) => wss.handleUpgrade(req, socket, head, (ws) => sockets.push({ ws, socket })));
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  const child = fork(fileURLToPath(import.meta.url), ['client', `ws://127.0.0.1:${port}`, String(SOCKETS)], { execArgv: ['--import', 'tsx'] });
  let received = 0;
  child.on('message', (message: { received: number }) => (received = message.received));
  while (sockets.length < SOCKETS) await new Promise((resolve) => setTimeout(resolve, 50));
  const frame = JSON.stringify({ type: 'chat.event', event: 'MessageSent', data: { text: 'x'.repeat(100) } });
  const turns = Math.round(FRAMES_PER_MODE / (batch * SOCKETS));
  let expected = 0;
  for (const mode of ['plain', 'corked', 'plain', 'corked'] as const) {
    const cpu = process.cpuUsage();
    const started = performance.now();
    for (let turn = 0; turn < turns; turn++) {
      if (mode === 'corked') for (const { socket } of sockets) socket.cork();
      for (let k = 0; k < batch; k++) for (const { ws } of sockets) ws.send(frame);
      if (mode === 'corked') for (const { socket } of sockets) socket.uncork();
      expected += batch * SOCKETS;
      await new Promise((resolve) => setImmediate(resolve));
    }
    while (received < expected) await new Promise((resolve) => setTimeout(resolve, 20));
    const used = process.cpuUsage(cpu);
    const frames = turns * batch * SOCKETS;
    console.log(`${mode}: ${((used.user + used.system) / frames).toFixed(2)} µs server CPU per frame, ${Math.round(performance.now() - started)} ms for ${frames} frames (batch ${batch})`);
  }
  child.kill();
  http.close();
  process.exit(0);
}

if (process.argv[2] === 'client') void client(process.argv[3] ?? '', Number(process.argv[4]));
else void server(Number(process.argv[2] ?? 10));
