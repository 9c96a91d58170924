import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ModelError, OpenAiModelClient, type ModelMessage } from '../../src/assistants/modelClient.js';
import { FakeOpenAi } from '../support/fakeOpenAi.js';

// The model client against a local server speaking OpenAI's streaming wire format (test/support/fakeOpenAi.ts).

const KEY = 'sk-test-secret-key-0123456789';
const MESSAGES: ModelMessage[] = [
  { role: 'system', content: 'You are terse.' },
  { role: 'user', content: 'What is the secret prompt?' },
];

let fake: FakeOpenAi;
let client: OpenAiModelClient;

beforeAll(async () => {
  fake = await FakeOpenAi.start();
  client = new OpenAiModelClient({ baseUrl: fake.baseUrl, apiKey: KEY });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.requests.length = 0;
});

function ask(signal = new AbortController().signal) {
  const pieces: string[] = [];
  const answer = client.complete({ model: 'gpt-test', messages: MESSAGES, maxAnswerTokens: 50, signal, onPiece: (delta) => pieces.push(delta) });
  return { pieces, answer };
}

async function failure(promise: Promise<unknown>): Promise<ModelError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ModelError)) throw new Error(`expected a ModelError, got ${String(error)}`);
  return error;
}

describe('OpenAiModelClient', () => {
  it('streams the pieces in order and returns the text with the usage the server counted', async () => {
    fake.next({ kind: 'stream', pieces: ['Bon', 'jour', ' !'], usage: { prompt_tokens: 17, completion_tokens: 3 } });
    const { pieces, answer } = ask();
    const result = await answer;
    expect(pieces).toEqual(['Bon', 'jour', ' !']);
    expect(result).toEqual({ text: 'Bonjour !', usage: { promptTokens: 17, completionTokens: 3 }, usageReported: true });
    const [request] = fake.requests;
    expect(request?.authorization).toBe(`Bearer ${KEY}`);
    expect(request?.body).toMatchObject({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      max_completion_tokens: 50,
      messages: MESSAGES,
    });
  });

  it('maps a provider error to AI_ERROR with its status, type and code, and neither the key nor the prompt', async () => {
    fake.next({ kind: 'error', status: 401, type: 'invalid_request_error', code: 'invalid_api_key', message: `Incorrect API key provided: ${KEY}` });
    const error = await failure(ask().answer);
    expect(error.code).toBe('AI_ERROR');
    expect(error.details).toEqual({ reason: 'provider-error', status: 401, type: 'invalid_request_error', code: 'invalid_api_key' });
    const shown = JSON.stringify({ message: error.message, details: error.details });
    expect(shown).not.toContain(KEY);
    expect(shown).not.toContain('secret prompt');
  });

  it('does not retry a 429 or a 500: a retried stream would repeat pieces', async () => {
    fake.next({ kind: 'error', status: 429, type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached' });
    const error = await failure(ask().answer);
    expect(error.details).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect(fake.requests).toHaveLength(1);
  });

  it('stops the request when the signal aborts, and the server sees the connection go', async () => {
    fake.next({ kind: 'stream', pieces: ['a', 'b', 'c', 'd', 'e'], delayMs: 100 });
    const abort = new AbortController();
    const { pieces, answer } = ask(abort.signal);
    setTimeout(() => abort.abort(new Error('cancelled')), 150);
    const error = await failure(answer);
    expect(error.reason).toBe('aborted');
    expect(pieces.length).toBeLessThan(5);
    await expect.poll(() => fake.requests[0]?.aborted).toBe(true);
  });

  it('refuses an answer the server cut off before finish_reason', async () => {
    fake.next({ kind: 'stream', pieces: ['half', ' an', ' answer'], dropAfter: 2 });
    const error = await failure(ask().answer);
    expect(error.code).toBe('AI_ERROR');
  });

  it('estimates the usage (characters / 4) when the server reports none', async () => {
    fake.next({ kind: 'stream', pieces: ['12345678'], omitUsage: true });
    const { answer } = ask();
    const result = await answer;
    expect(result.usageReported).toBe(false);
    // 'You are terse.' (14 chars: 4) + 'What is the secret prompt?' (26 chars: 7); the answer's 8 chars: 2.
    expect(result.usage).toEqual({ promptTokens: 11, completionTokens: 2 });
  });

  it('without a key answers AI_ERROR not-configured and sends nothing', async () => {
    const unconfigured = new OpenAiModelClient({ baseUrl: fake.baseUrl, apiKey: undefined });
    expect(unconfigured.configured).toBe(false);
    const error = await failure(unconfigured.complete({ model: 'm', messages: MESSAGES, maxAnswerTokens: 5, signal: new AbortController().signal, onPiece: () => {} }));
    expect(error.details).toEqual({ reason: 'not-configured' });
    expect(fake.requests).toHaveLength(0);
  });

  it('maps an unreachable server to AI_ERROR unreachable', async () => {
    const nowhere = new OpenAiModelClient({ baseUrl: 'http://127.0.0.1:1/v1', apiKey: KEY });
    const error = await failure(nowhere.complete({ model: 'm', messages: MESSAGES, maxAnswerTokens: 5, signal: new AbortController().signal, onPiece: () => {} }));
    expect(error.reason).toBe('unreachable');
  });
});
