import OpenAI, { APIConnectionError, APIError, APIUserAbortError } from 'openai';
import { ChatError } from '../domain/errors.js';

// The model, reached through the OpenAI-compatible chat-completions API with streaming (issue #19), over the official
// `openai` client: OPENAI_BASE_URL points it at OpenAI, Azure OpenAI's v1 endpoint, llama.cpp's or vLLM's server.
// One request per answer, aborted by the answer's own signal (a cancel, the timeout, shutdown). Failures become
// ModelError with AI_ERROR or AI_TIMEOUT; their details carry the provider's status, error type and code, never its
// message (which can quote the key) nor the prompt.

export type ModelRole = 'system' | 'user' | 'assistant';

export interface ModelMessage {
  role: ModelRole;
  content: string;
}

export interface ModelRequest {
  model: string;
  messages: ModelMessage[];
  maxAnswerTokens: number;
  /** Aborts the request: the caller's cancel or timeout. */
  signal: AbortSignal;
  /** Called with each piece of the answer, in order, as it arrives. */
  onPiece: (delta: string) => void;
}

export interface ModelUsage {
  promptTokens: number;
  completionTokens: number;
}

export interface ModelAnswer {
  text: string;
  /** As the server counted them (`stream_options.include_usage`), or estimated when it sent none. */
  usage: ModelUsage;
  /** Whether `usage` came from the server. */
  usageReported: boolean;
}

/** What the answering needs of a model: one streamed completion. */
export interface ModelClient {
  /** Whether a key is configured: without one no assistant answers. */
  readonly configured: boolean;
  complete(request: ModelRequest): Promise<ModelAnswer>;
}

export type ModelErrorReason = 'not-configured' | 'provider-error' | 'unreachable' | 'aborted' | 'empty-answer';

/** A model request that failed; `details` are safe to show the asker. */
export class ModelError extends ChatError {
  constructor(
    readonly reason: ModelErrorReason,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super('AI_ERROR', message, { reason, ...details });
    if (options && 'cause' in options) this.cause = options.cause;
  }
}

export interface OpenAiModelSettings {
  baseUrl: string | undefined;
  apiKey: string | undefined;
}

/** Rough token count of a text: characters / 4, the rule of thumb for English with OpenAI's tokenizers. */
export function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

export class OpenAiModelClient implements ModelClient {
  private readonly client: OpenAI | undefined;

  constructor(settings: OpenAiModelSettings) {
    this.client =
      settings.apiKey === undefined
        ? undefined
        : new OpenAI({
            apiKey: settings.apiKey,
            ...(settings.baseUrl === undefined ? {} : { baseURL: settings.baseUrl }),
            // A retried stream would repeat pieces the room has already seen; the asker asks again instead.
            maxRetries: 0,
            // The answer's own signal carries ASSISTANT_TIMEOUT_MS; this only bounds a server that never answers.
            timeout: 10 * 60 * 1000,
          });
  }

  get configured(): boolean {
    return this.client !== undefined;
  }

  async complete(request: ModelRequest): Promise<ModelAnswer> {
    const client = this.client;
    if (!client) throw new ModelError('not-configured', 'assistants are not configured on this server (no OPENAI_API_KEY)');
    let text = '';
    let usage: ModelUsage | undefined;
    let finished = false;
    try {
      const stream = await client.chat.completions.create(
        {
          model: request.model,
          messages: request.messages,
          stream: true,
          stream_options: { include_usage: true },
          max_completion_tokens: request.maxAnswerTokens,
        },
        { signal: request.signal },
      );
      for await (const chunk of stream) {
        if (chunk.usage) usage = { promptTokens: chunk.usage.prompt_tokens, completionTokens: chunk.usage.completion_tokens };
        if (chunk.choices[0]?.finish_reason) finished = true;
        const delta = chunk.choices[0]?.delta?.content;
        if (typeof delta === 'string' && delta.length > 0) {
          text += delta;
          request.onPiece(delta);
        }
      }
    } catch (error) {
      throw modelError(error, request.signal);
    }
    // A stream cut without an error (some servers just close) still ends here: what arrived is not an answer.
    if (request.signal.aborted) throw modelError(request.signal.reason, request.signal);
    if (!finished) throw new ModelError('provider-error', 'the model server ended the answer before it was complete', { cut: true });
    if (text.trim().length === 0) throw new ModelError('empty-answer', 'the model answered nothing');
    const estimated = {
      promptTokens: request.messages.reduce((sum, message) => sum + estimateTokens(message.content), 0),
      completionTokens: estimateTokens(text),
    };
    return { text, usage: usage ?? estimated, usageReported: usage !== undefined };
  }
}

/** The failure as the asker may see it: the provider's status, type and code; never its message or our request. */
function modelError(error: unknown, signal: AbortSignal): ModelError {
  if (error instanceof ModelError) return error;
  if (signal.aborted || error instanceof APIUserAbortError) {
    return new ModelError('aborted', 'the model request was stopped', {}, { cause: error });
  }
  if (error instanceof APIConnectionError) {
    return new ModelError('unreachable', 'the model server could not be reached', {}, { cause: error });
  }
  if (error instanceof APIError) {
    const details: Record<string, unknown> = {};
    if (error.status !== undefined) details.status = error.status;
    if (typeof error.type === 'string') details.type = error.type;
    if (typeof error.code === 'string') details.code = error.code;
    const status = error.status === undefined ? '' : ` (${error.status})`;
    return new ModelError('provider-error', `the model server refused the request${status}`, details, { cause: error });
  }
  return new ModelError('provider-error', 'the model server answered something that is not a chat completion', {}, { cause: error });
}
