import { describe, expect, it } from 'vitest';
import { OrderedAnswers } from '../../src/gateway/orderedAnswers.js';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('OrderedAnswers', () => {
  it('sends answers in the order they were queued, whichever is ready first', async () => {
    const sent: string[] = [];
    const answers = new OrderedAnswers((error, ref) => sent.push(`error ${String(ref)}: ${(error as Error).message}`));
    const first = deferred<void>();
    const second = deferred<void>();
    answers.add(first.promise, () => sent.push('ack 1'), 'one');
    answers.add(second.promise, () => sent.push('ack 2'), 'two');
    answers.add(Promise.reject(new Error('refused at once')), () => sent.push('never'), 'three');
    expect(answers.size).toBe(3);

    second.resolve();
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);

    first.resolve();
    await answers.sent();
    expect(sent).toEqual(['ack 1', 'ack 2', 'error three: refused at once']);
    expect(answers.size).toBe(0);
  });

  it("answers a wait that failed with its error in its turn, and goes on with the next ones", async () => {
    const sent: string[] = [];
    const answers = new OrderedAnswers((error, ref) => sent.push(`error ${String(ref)}: ${(error as Error).message}`));
    const slow = deferred<void>();
    answers.add(slow.promise, () => sent.push('ack 1'), 'one');
    answers.add(Promise.resolve(), () => sent.push('ack 2'), 'two');
    slow.reject(new Error('view did not catch up'));
    await answers.sent();
    expect(sent).toEqual(['error one: view did not catch up', 'ack 2']);
  });

  it('is sent at once when nothing waits', async () => {
    const answers = new OrderedAnswers(() => undefined);
    await expect(answers.sent()).resolves.toBeUndefined();
    expect(answers.size).toBe(0);
  });
});
