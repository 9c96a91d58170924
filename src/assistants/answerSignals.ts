import { z } from 'zod';

// What travels between the process that answers a question and every gateway (issue #19). An answer's pieces are
// never events in the log: they go over the answer bus (answerBus.ts) to every gateway, which relays them to its
// subscribers of the room as `chat.stream` frames and keeps the text so far for whoever subscribes mid-answer. Only
// the finished answer is appended, as an ordinary MessageSent, and `done` names it.

const id = z.string().min(1).max(200);

/** One answer in the making: its stream id, where and by whom, and the question it answers. */
export const answerRefSchema = z.strictObject({
  streamId: id,
  roomId: id,
  /** The question's message id. */
  replyTo: id,
  /** The assistant. */
  senderId: id,
  /** Who asked: the one told of failures. */
  askerId: id,
});
export type AnswerRef = z.infer<typeof answerRefSchema>;

/** The codes an asker can be told about an answer (API.md "Assistants"). */
export const ASKER_ERROR_CODES = ['AI_ERROR', 'AI_TIMEOUT', 'ALREADY_PROCESSING', 'RATE_LIMIT_EXCEEDED', 'RATE_LIMIT_UNAVAILABLE'] as const;
export type AskerErrorCode = (typeof ASKER_ERROR_CODES)[number];

export const askerErrorSchema = z.strictObject({
  code: z.enum(ASKER_ERROR_CODES),
  message: z.string().max(1000),
  /** The question's clientMessageId: the `ref` its chat.send was answered with. */
  ref: z.string().max(200).optional(),
  details: z.record(z.string(), z.unknown()),
});
export type AskerError = z.infer<typeof askerErrorSchema>;

export const answerSignalSchema = z.discriminatedUnion('kind', [
  /** An answer began; a gateway that hears nothing more of it by `deadline` tells the asker it failed. */
  z.strictObject({ kind: z.literal('started'), answer: answerRefSchema, deadline: z.number().int() }),
  /** The next piece: `index` counts pieces from 0, so a relay can tell a gap. */
  z.strictObject({ kind: z.literal('piece'), answer: answerRefSchema, index: z.number().int().nonnegative(), delta: z.string() }),
  /** The answer is stored as this message. */
  z.strictObject({ kind: z.literal('done'), answer: answerRefSchema, messageId: id, seq: z.number().int().positive() }),
  /** The answer failed or was cancelled; nothing was stored. */
  z.strictObject({ kind: z.literal('failed'), answer: answerRefSchema, error: askerErrorSchema }),
  /** A question was not taken up (ALREADY_PROCESSING, a budget, no key): only the asker hears of it. */
  z.strictObject({ kind: z.literal('refused'), roomId: id, askerId: id, error: askerErrorSchema }),
  /** The asker stops their answer in the room (`chat.stream.cancel`), or the one with this stream id. */
  z.strictObject({ kind: z.literal('cancel'), roomId: id, userId: id, streamId: id.optional() }),
]);
export type AnswerSignal = z.infer<typeof answerSignalSchema>;

export type AnswerListener = (signal: AnswerSignal) => void;

/** Carries answer signals to every process, the publishing one included, in the order each publisher sent them. */
export interface AnswerBus {
  /** Rejects (UNAVAILABLE) when the signal cannot be carried. */
  publish(signal: AnswerSignal): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: AnswerListener): () => void;
  close(): Promise<void>;
}

/** The embedded mode's bus: one process, so publishing is calling the listeners, synchronously and in order. */
export class InProcessAnswerBus implements AnswerBus {
  private readonly listeners = new Set<AnswerListener>();

  async publish(signal: AnswerSignal): Promise<void> {
    for (const listener of this.listeners) listener(signal);
  }

  subscribe(listener: AnswerListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
