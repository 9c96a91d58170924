import { describe, expect, it } from 'vitest';
import { PendingSends } from '../src/chat/pendingSends.js';

function counter(): () => string {
  let next = 0;
  return () => `c-${++next}`;
}

describe('pending sends (a message stored once, never lost unseen)', () => {
  it('keeps the id of a send whose outcome is unknown for the same text to the same room, and only for it', () => {
    const sends = new PendingSends(counter());
    const first = { roomId: 'r-1', text: 'hello', clientMessageId: sends.idFor('r-1', 'hello') };
    sends.settled(first, 'unknown');
    expect(sends.idFor('r-1', 'hello')).toBe(first.clientMessageId);
    expect(sends.idFor('r-1', 'hello again')).not.toBe(first.clientMessageId);
    expect(sends.idFor('r-2', 'hello')).not.toBe(first.clientMessageId);
  });

  it('gives a new id after a send was stored or refused: the same text again is a new message', () => {
    const sends = new PendingSends(counter());
    const stored = { roomId: 'r-1', text: 'ok', clientMessageId: sends.idFor('r-1', 'ok') };
    sends.settled(stored, 'stored');
    expect(sends.idFor('r-1', 'ok')).not.toBe(stored.clientMessageId);
    const refused = { roomId: 'r-1', text: 'ok', clientMessageId: sends.idFor('r-1', 'ok') };
    sends.settled(refused, 'unknown');
    sends.settled(refused, 'refused');
    expect(sends.idFor('r-1', 'ok')).not.toBe(refused.clientMessageId);
  });

  it('answers a socket send with its ack or refusal, and says when none came in time', async () => {
    const sends = new PendingSends(counter(), 30);
    const acked = sends.answerOf('c-1');
    const refused = sends.answerOf('c-2');
    const unanswered = sends.answerOf('c-3');
    sends.answered('c-1', 'acked');
    sends.answered('c-2', 'refused');
    sends.answered(undefined, 'acked');
    sends.answered('c-9', 'acked');
    expect(await acked).toBe('acked');
    expect(await refused).toBe('refused');
    expect(await unanswered).toBe('unanswered');
    // An answer after the time limit changes nothing.
    sends.answered('c-3', 'acked');
  });

  it('answers every socket send still waiting as unanswered the moment the socket is lost, and no later answer counts', async () => {
    const sends = new PendingSends(counter(), 60_000);
    const first = sends.answerOf('c-1');
    const second = sends.answerOf('c-2');
    sends.socketLost();
    sends.answered('c-1', 'acked');
    expect(await first).toBe('unanswered');
    expect(await second).toBe('unanswered');
    // A send made on the next socket waits for its own answer.
    const next = sends.answerOf('c-3');
    sends.answered('c-3', 'acked');
    expect(await next).toBe('acked');
  });
});
