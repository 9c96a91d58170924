import { describe, expect, it } from 'vitest';
import { answerErrorText, withoutStored, withoutUnfinished, withStreamFrame, type Streams } from '../src/chat/answers.js';
import type { ChatStreamFrame } from '../src/chat/frames.js';

// The orders the browser test cannot force: the stored message before or after the `done` frame, a reconnect's
// catch-up mid-answer.

const piece = (delta: string, extra: Partial<ChatStreamFrame> = {}): ChatStreamFrame => ({
  type: 'chat.stream', roomId: 'r', streamId: 's', replyTo: 'r.1', senderId: 'bot', delta, done: false, ...extra,
});
const done = (extra: Partial<ChatStreamFrame>) => piece('', { done: true, ...extra });
const none = () => false;

function run(frames: ChatStreamFrame[], stored: (messageId: string) => boolean = none): Streams {
  return frames.reduce<Streams>((streams, frame) => withStreamFrame(streams, frame, stored), new Map());
}

describe("an assistant's answer on the page", () => {
  it('grows piece by piece', () => {
    expect(run([piece('Four'), piece(' is')]).get('s')).toMatchObject({ text: 'Four is', senderId: 'bot', replyTo: 'r.1' });
  });

  it('stays after done until its stored message is in the timeline, then goes', () => {
    const waiting = run([piece('Four'), done({ messageId: 'r.2', seq: 2 })]);
    expect(waiting.get('s')).toMatchObject({ text: 'Four', messageId: 'r.2' });
    expect(withoutStored(waiting, 'r.9')).toBe(waiting);
    expect(withoutStored(waiting, 'r.2').size).toBe(0);
  });

  it('goes at done when the stored message came first', () => {
    expect(run([piece('Four'), done({ messageId: 'r.2', seq: 2 })], (id) => id === 'r.2').size).toBe(0);
  });

  it('goes at once when it ends with an error', () => {
    expect(run([piece('Four'), done({ error: 'AI_ERROR' })]).size).toBe(0);
  });

  it("is replaced, not extended, by a reconnect's catch-up (the whole text so far in one piece)", () => {
    const before = run([piece('Four'), piece(' is')]);
    const resubscribed = withoutUnfinished(before, 'r');
    expect(resubscribed.size).toBe(0);
    expect(withStreamFrame(resubscribed, piece('Four is the'), none).get('s')?.text).toBe('Four is the');
    expect(withoutUnfinished(before, 'other room')).toBe(before);
  });
});

describe("an assistant's errors in words", () => {
  it('says what happened, with the code', () => {
    expect(answerErrorText('AI_ERROR', 'provider refused', { reason: 'provider-error', status: 503 })).toBe(
      "The assistant's AI provider refused the request (status 503). Try again later. (AI_ERROR)",
    );
    expect(answerErrorText('AI_ERROR', 'cancelled', { reason: 'cancelled' })).toBe('You stopped the answer; nothing was saved. (AI_ERROR)');
    expect(answerErrorText('AI_TIMEOUT', 'timed out', { timeoutMs: 30_000 })).toContain('(30 s)');
    expect(answerErrorText('ALREADY_PROCESSING', 'busy')).toContain('still answering your previous question');
    expect(answerErrorText('RATE_LIMIT_EXCEEDED', 'spent', { retryAfterSeconds: 7200 })).toBe('Too many requests. Try again in 2 h. (RATE_LIMIT_EXCEEDED)');
    expect(answerErrorText('AI_ERROR', 'something new', { reason: 'brand-new' })).toBe('The assistant could not answer: something new (AI_ERROR)');
    expect(answerErrorText('NOT_MEMBER', 'you are not a member')).toBe('NOT_MEMBER: you are not a member');
  });
});
