import { createServer, STATUS_CODES, type RequestListener, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import type { ChatError } from '../domain/errors.js';
import { errorBodyOf } from './errorMapping.js';
import { httpParserErrorOf } from './requestErrors.js';

/**
 * The Node HTTP server the app runs in. What Node's parser refuses before express sees it (a request line and headers
 * over the limit, bytes that are not HTTP/1.1, a request too slow to arrive) Node answers with a bare status line and
 * no body; here it gets the same coded error body as every other refusal.
 */
export function createHttpServer(app: RequestListener, logger: Logger): Server {
  // Node would answer an HTTP/1.1 request without Host with an empty 400; the app refuses it with a code instead.
  const server = createServer({ requireHostHeader: false }, app);
  // Sockets with a response under way: a raw answer written into one would corrupt it, so those are only closed.
  const responding = new WeakMap<Duplex, number>();
  server.on('request', (req, res) => {
    const socket = req.socket;
    responding.set(socket, (responding.get(socket) ?? 0) + 1);
    res.once('close', () => responding.set(socket, (responding.get(socket) ?? 1) - 1));
  });
  server.on('clientError', (error, socket) => {
    const refusal = httpParserErrorOf(error);
    if (refusal === undefined || !socket.writable || (responding.get(socket) ?? 0) > 0) {
      socket.destroy();
      return;
    }
    logger.debug({ err: error }, 'refused a request the HTTP parser could not read');
    answer(socket, refusal);
  });
  return server;
}

/** Writes a whole HTTP response to a socket no request object exists for, then hangs up. */
function answer(socket: Duplex, refusal: ChatError): void {
  const { status, body, headers } = errorBodyOf(refusal);
  const json = JSON.stringify(body);
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}`,
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(json)}`,
    'Connection: close',
    ...Object.entries(headers).map(([name, value]) => `${name}: ${value}`),
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${json}`, () => socket.destroy());
}
