import { randomUUID } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import busboy from 'busboy';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { Server as SocketIoServer } from 'socket.io';
import { WebSocketServer, type WebSocket } from 'ws';

// The peers our service is held against, each a child process on a free loopback port that reports its port over
// IPC. They do what a chat server must do at the least, and nothing more: no auth, no persistence, no validation.
//   ws       a bare `ws` room broadcast: the Node.js ceiling for fan-out
//   socketio a Socket.IO 4 server broadcasting to rooms (websocket transport), what many chat apps start from
//   express  an express hello-world that parses a JSON POST: the ceiling for POST /api/chat/send
//   files    express.static over a folder (GET /files/<name>), and a multipart upload streamed by busboy to a file
//            in it (POST /api/files): the ceiling for our uploads and downloads (no auth, sniffing or log)

const kind = process.argv[2];
const server = createServer();

if (kind === 'ws') {
  const rooms = new Map<string, Set<WebSocket>>();
  const wss = new WebSocketServer({ server, path: '/ws' });
  wss.on('connection', (socket) => {
    const joined = new Set<string>();
    socket.on('message', (data) => {
      const frame = JSON.parse(String(data)) as { type: string; room: string; text?: string };
      if (frame.type === 'join') {
        let members = rooms.get(frame.room);
        if (!members) rooms.set(frame.room, (members = new Set()));
        members.add(socket);
        joined.add(frame.room);
        socket.send(JSON.stringify({ type: 'joined', room: frame.room }));
      } else if (frame.type === 'send') {
        // Encoded once per broadcast, as our gateway does.
        const out = JSON.stringify({ type: 'msg', room: frame.room, text: frame.text });
        for (const member of rooms.get(frame.room) ?? []) member.send(out);
      }
    });
    socket.on('close', () => {
      for (const room of joined) rooms.get(room)?.delete(socket);
    });
  });
} else if (kind === 'socketio') {
  const io = new SocketIoServer(server, { transports: ['websocket'], serveClient: false });
  io.on('connection', (socket) => {
    socket.on('join', (room: string, ack?: () => void) => {
      void socket.join(room);
      ack?.();
    });
    socket.on('send', (message: { room: string; text: string }) => {
      io.to(message.room).emit('msg', message);
    });
  });
} else if (kind === 'express') {
  const app = express();
  app.use(express.json());
  app.post('/api/chat/send', (request, response) => {
    response.status(201).json({ ok: true, length: JSON.stringify(request.body).length });
  });
  app.get('/', (_request, response) => {
    response.send('Hello World!');
  });
  server.on('request', app);
} else if (kind === 'files') {
  const folder = mkdtempSync(path.join(tmpdir(), 'chat-bench-static-'));
  process.on('exit', () => rmSync(folder, { recursive: true, force: true }));
  const app = express();
  app.use('/files', express.static(folder));
  app.post('/api/files', (request, response) => {
    const name = randomUUID();
    const parser = busboy({ headers: request.headers, limits: { files: 1 } });
    parser.on('file', (_field, file) => {
      pipeline(file, createWriteStream(path.join(folder, name))).then(
        () => response.status(201).json({ file: { fileId: name } }),
        (error: unknown) => response.status(500).json({ error: String(error) }),
      );
    });
    request.pipe(parser);
  });
  server.on('request', app);
} else {
  console.error(`unknown peer "${kind}": ws | socketio | express | files`);
  process.exit(2);
}

server.listen(0, '127.0.0.1', () => {
  process.send?.({ ready: true, port: (server.address() as AddressInfo).port });
});
process.on('SIGTERM', () => process.exit(0));
