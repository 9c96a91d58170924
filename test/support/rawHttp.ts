import { connect } from 'node:net';

/** An HTTP answer read off a socket: status, headers (names in lower case) and the body, parsed when it is JSON. */
export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: unknown;
}

/**
 * Sends bytes to an HTTP server exactly as given and reads until the server hangs up: for what fetch refuses to send
 * (TRACE, bytes that are not UTF-8 in a URL or header, a request line that is not HTTP, a lying Content-Length).
 * Send `Connection: close` where the request is well-formed enough for the server to keep the connection.
 */
export function sendRaw(baseUrl: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawAnswer> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within ${timeoutMs} ms`));
    }, timeoutMs);
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    // A server that refuses a request may reset the connection while the rest of it is still being written.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      try {
        resolve(parseAnswer(Buffer.concat(chunks)));
      } catch (error) {
        reject(error);
      }
    });
    socket.write(bytes);
  });
}

/** A request line, headers (Host and Connection: close added) and an optional body, as bytes (strings as Latin-1). */
export function rawRequest(requestLine: string | Buffer, headers: Array<string | Buffer> = [], body: string | Buffer = ''): Buffer {
  const lines = [requestLine, 'Host: 127.0.0.1', ...headers, 'Connection: close'];
  const head = lines.flatMap((line) => [typeof line === 'string' ? Buffer.from(line, 'latin1') : line, Buffer.from('\r\n')]);
  return Buffer.concat([...head, Buffer.from('\r\n'), typeof body === 'string' ? Buffer.from(body, 'latin1') : body]);
}

function parseAnswer(bytes: Buffer): RawAnswer {
  const end = bytes.indexOf('\r\n\r\n');
  if (end < 0) throw new Error(`not an HTTP answer: ${JSON.stringify(bytes.toString('latin1').slice(0, 200))}`);
  const [statusLine = '', ...headerLines] = bytes.subarray(0, end).toString('latin1').split('\r\n');
  const status = /^HTTP\/1\.[01] (\d{3}) /.exec(statusLine)?.[1];
  if (status === undefined) throw new Error(`not an HTTP status line: ${statusLine}`);
  const headers: Record<string, string> = {};
  for (const line of headerLines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const text = bytes.subarray(end + 4).toString('utf8');
  let body: unknown = text.length > 0 ? text : undefined;
  try {
    if (text.length > 0) body = JSON.parse(text);
  } catch {
    // Not JSON: the test says what it expected.
  }
  return { status: Number(status), headers, body };
}
