import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A local server that speaks the OpenAI chat-completions wire format (issue #19), for tests that drive the service
// against a model without a network: `POST /v1/chat/completions` with `stream: true` answers Server-Sent Events of
// `chat.completion.chunk` objects closed by `data: [DONE]`, exactly as api.openai.com does (a first chunk with the
// role, one chunk per piece, a last one with `finish_reason`, and with `stream_options.include_usage` a chunk with
// empty `choices` and the `usage`); failures answer OpenAI's error body `{error: {message, type, param, code}}` with
// its status. Each request takes the next scripted reply, or the default one.

export interface FakeUsage {
  prompt_tokens: number;
  completion_tokens: number;
}

export type FakeReply =
  | {
      kind: 'stream';
      pieces: string[];
      /** Wait before each piece (after the headers). */
      delayMs?: number;
      /** The usage chunk's counts; defaults to characters / 4 of the prompt and of the pieces. */
      usage?: FakeUsage;
      /** Send no usage chunk even when asked (llama.cpp's older servers, some proxies). */
      omitUsage?: boolean;
      /** Cut the connection after this many pieces, without finish_reason or [DONE] (a provider crash). */
      dropAfter?: number;
    }
  | { kind: 'error'; status: number; type: string; code: string | null; message: string }
  /** Accept the request and never answer: for timeouts and cancels. */
  | { kind: 'hang' };

export interface FakeRequest {
  authorization: string | undefined;
  body: {
    model?: string;
    stream?: boolean;
    messages?: { role: string; content: string }[];
    stream_options?: { include_usage?: boolean };
    max_completion_tokens?: number;
  };
  /** Set once the client went away before the answer was complete (an abort). */
  aborted: boolean;
}

export class FakeOpenAi {
  readonly requests: FakeRequest[] = [];
  private readonly script: FakeReply[] = [];
  private fallback: FakeReply = { kind: 'stream', pieces: ['Hello', ', ', 'world', '.'] };

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
  ) {}

  static async start(): Promise<FakeOpenAi> {
    const holder: { fake?: FakeOpenAi } = {};
    const server = createServer((request, response) => {
      void holder.fake?.handle(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    holder.fake = new FakeOpenAi(server, `http://127.0.0.1:${port}/v1`);
    return holder.fake;
  }

  /** The replies of the next requests, in order. */
  next(...replies: FakeReply[]): void {
    this.script.push(...replies);
  }

  /** The reply of any request the script has none for. */
  setDefault(reply: FakeReply): void {
    this.fallback = reply;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    if (request.method !== 'POST' || request.url !== '/v1/chat/completions') {
      sendError(response, 404, 'invalid_request_error', 'unknown_url', `Unknown request URL: ${request.method} ${request.url}.`);
      return;
    }
    let body: FakeRequest['body'];
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as FakeRequest['body'];
    } catch {
      sendError(response, 400, 'invalid_request_error', null, 'We could not parse the JSON body of your request.');
      return;
    }
    const recorded: FakeRequest = { authorization: request.headers.authorization, body, aborted: false };
    this.requests.push(recorded);
    let finished = false;
    response.on('close', () => {
      if (!finished) recorded.aborted = true;
    });
    const reply = this.script.shift() ?? this.fallback;
    switch (reply.kind) {
      case 'error':
        finished = true;
        sendError(response, reply.status, reply.type, reply.code, reply.message);
        return;
      case 'hang':
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        response.flushHeaders();
        return;
      case 'stream':
        finished = await stream(response, body, reply);
        return;
    }
  }
}

function sendError(response: ServerResponse, status: number, type: string, code: string | null, message: string): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ error: { message, type, param: null, code } }));
}

/** Streams the pieces; returns whether the answer went out whole. */
async function stream(response: ServerResponse, body: FakeRequest['body'], reply: Extract<FakeReply, { kind: 'stream' }>): Promise<boolean> {
  const id = `chatcmpl-fake${Math.random().toString(36).slice(2, 10)}`;
  const created = Math.floor(Date.now() / 1000);
  const model = body.model ?? 'unknown';
  const withUsage = body.stream_options?.include_usage === true && reply.omitUsage !== true;
  const chunk = (choices: unknown[], usage?: unknown) =>
    `data: ${JSON.stringify({
      id,
      object: 'chat.completion.chunk',
      created,
      model,
      system_fingerprint: 'fp_fake',
      choices,
      ...(withUsage ? { usage: usage ?? null } : {}),
    })}\n\n`;
  const choice = (delta: Record<string, unknown>, finish: string | null) => ({ index: 0, delta, logprobs: null, finish_reason: finish });
  response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
  response.write(chunk([choice({ role: 'assistant', content: '', refusal: null }, null)]));
  for (const [index, piece] of reply.pieces.entries()) {
    if (reply.dropAfter !== undefined && index >= reply.dropAfter) {
      response.destroy();
      return false;
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    if (response.destroyed) return false;
    response.write(chunk([choice({ content: piece }, null)]));
  }
  response.write(chunk([choice({}, 'stop')]));
  if (withUsage) {
    const promptChars = (body.messages ?? []).reduce((sum, message) => sum + message.content.length, 0);
    const usage = reply.usage ?? {
      prompt_tokens: Math.ceil(promptChars / 4),
      completion_tokens: Math.ceil(reply.pieces.join('').length / 4),
    };
    response.write(chunk([], { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens }));
  }
  response.end('data: [DONE]\n\n');
  return true;
}
