import type { ChatStreamFrame } from './frames.js';

// Assistants' answers on the page (docs/assistants.md): the text growing as `chat.stream` pieces arrive, handed over
// to the stored message without showing it twice, and the asker's error frames in words.

export interface StreamingAnswer {
  roomId: string;
  senderId: string;
  /** The question (the answer replies to it). */
  replyTo: string | undefined;
  text: string;
  /**
   * Set by the `done` frame of a stored answer: the stored message arrives through the log, on its own path, maybe
   * after that frame; the growing text stays until the timeline holds the message, so nothing blinks away.
   */
  messageId?: string;
}

export type Streams = ReadonlyMap<string, StreamingAnswer>;

/** The streams after one `chat.stream` frame; `stored` says whether the room's timeline holds a message already. */
export function withStreamFrame(streams: Streams, frame: ChatStreamFrame, stored: (messageId: string) => boolean): Map<string, StreamingAnswer> {
  const next = new Map(streams);
  const before = next.get(frame.streamId);
  if (frame.done) {
    // Ended without a message (error, cancel, timeout): drop what was shown. Stored: keep it until the message shows.
    if (frame.messageId === undefined || stored(frame.messageId) || before === undefined) next.delete(frame.streamId);
    else next.set(frame.streamId, { ...before, messageId: frame.messageId });
    return next;
  }
  next.set(frame.streamId, {
    roomId: frame.roomId,
    senderId: frame.senderId,
    replyTo: frame.replyTo,
    text: (before?.text ?? '') + frame.delta,
  });
  return next;
}

/** The streams once a message was stored: the answer it finishes is no longer shown growing. */
export function withoutStored(streams: Streams, messageId: string): Streams {
  const finished = [...streams].filter(([, answer]) => answer.messageId === messageId);
  if (finished.length === 0) return streams;
  const next = new Map(streams);
  for (const [streamId] of finished) next.delete(streamId);
  return next;
}

/**
 * The streams when a room's subscription starts again (a reconnect): the gateway then sends each unfinished answer's
 * whole text so far in one piece, which must replace, not extend, what the page had.
 */
export function withoutUnfinished(streams: Streams, roomId: string): Streams {
  const stale = [...streams].filter(([, answer]) => answer.roomId === roomId && answer.messageId === undefined);
  if (stale.length === 0) return streams;
  const next = new Map(streams);
  for (const [streamId] of stale) next.delete(streamId);
  return next;
}

const REASONS: Readonly<Record<string, string>> = {
  cancelled: 'You stopped the answer; nothing was saved.',
  unreachable: 'The assistant could not reach its AI provider. Try again later.',
  interrupted: 'The answer was interrupted. Ask again.',
  shutdown: 'The server restarted while the assistant was answering. Ask again.',
  'not-configured': 'Assistants are not set up on this server (no AI provider is configured).',
  'empty-answer': 'The assistant had nothing to say. Try asking differently.',
  'not-stored': 'The answer could not be saved. Ask again.',
};

/** An assistant's error frame (or a budget refusal) in words, with its code for support: the asker sees this. */
export function answerErrorText(code: string, message: string, details: Readonly<Record<string, unknown>> = {}): string {
  const reason = typeof details.reason === 'string' ? details.reason : '';
  switch (code) {
    case 'ALREADY_PROCESSING':
      return 'The assistant is still answering your previous question here: wait for it, or stop it first. (ALREADY_PROCESSING)';
    case 'AI_TIMEOUT': {
      const seconds = typeof details.timeoutMs === 'number' ? ` (${Math.round(details.timeoutMs / 1000)} s)` : '';
      return `The assistant took too long to answer${seconds} and was stopped. Ask again. (AI_TIMEOUT)`;
    }
    case 'AI_ERROR': {
      if (reason === 'provider-error') {
        const status = typeof details.status === 'number' ? ` (status ${details.status})` : '';
        return `The assistant's AI provider refused the request${status}. Try again later. (AI_ERROR)`;
      }
      return `${REASONS[reason] ?? `The assistant could not answer: ${message}`} (AI_ERROR)`;
    }
    case 'RATE_LIMIT_EXCEEDED': {
      const wait = typeof details.retryAfterSeconds === 'number' ? ` Try again in ${waitLabel(details.retryAfterSeconds)}.` : '';
      return `Too many requests.${wait} (RATE_LIMIT_EXCEEDED)`;
    }
    default:
      return `${code}: ${message}`;
  }
}

function waitLabel(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}
