import { describe, expect, it } from 'vitest';
import { ReceiptAudience } from '../../src/gateway/receiptAudience.js';

describe('ReceiptAudience', () => {
  it('names the senders of the messages a receipt newly covers, never the reader', () => {
    const audience = new ReceiptAudience();
    audience.noteMessage('r', 1, 'alice');
    audience.noteMessage('r', 2, 'bob');
    audience.noteMessage('r', 3, 'carol');
    expect([...audience.audience('read', 'bob', 'r', 2)]).toEqual(['alice']);
    // Only what the marker adds: seq 3, not 1 and 2 again.
    expect([...audience.audience('read', 'bob', 'r', 3)]).toEqual(['carol']);
    // Nothing new, nobody to tell.
    expect(audience.audience('read', 'bob', 'r', 3).size).toBe(0);
    expect(audience.audience('read', 'bob', 'r', 1).size).toBe(0);
  });

  it('keeps kinds, users and rooms apart', () => {
    const audience = new ReceiptAudience();
    audience.noteMessage('r', 1, 'alice');
    audience.noteMessage('s', 1, 'dave');
    expect([...audience.audience('delivered', 'bob', 'r', 1)]).toEqual(['alice']);
    expect([...audience.audience('read', 'bob', 'r', 1)]).toEqual(['alice']);
    expect([...audience.audience('read', 'carol', 'r', 1)]).toEqual(['alice']);
    expect([...audience.audience('read', 'bob', 's', 1)]).toEqual(['dave']);
  });

  it('tells nobody of a delivery the reader has already read: reading implies delivery', () => {
    const audience = new ReceiptAudience();
    audience.noteMessage('r', 1, 'alice');
    audience.noteMessage('r', 2, 'carol');
    audience.noteMessage('r', 3, 'dave');
    // Reads are in the user's receipts stream and deliveries in the room's: a delivery may be logged after a read.
    expect([...audience.audience('read', 'bob', 'r', 2)].sort()).toEqual(['alice', 'carol']);
    expect(audience.audience('delivered', 'bob', 'r', 2).size).toBe(0);
    expect(audience.audience('delivered', 'bob', 'r', 1).size).toBe(0);
    // Only what lies beyond the read is news.
    expect([...audience.audience('delivered', 'bob', 'r', 3)]).toEqual(['dave']);
    // Another reader's marker is their own.
    expect([...audience.audience('delivered', 'erin', 'r', 2)].sort()).toEqual(['alice', 'carol']);
  });

  it('remembers a bounded number of recent messages per room', () => {
    const audience = new ReceiptAudience(2);
    audience.noteMessage('r', 1, 'alice');
    audience.noteMessage('r', 2, 'bob');
    audience.noteMessage('r', 3, 'carol');
    // seq 1 fell out of the window: its sender is no longer known to this gateway.
    expect([...audience.audience('read', 'erin', 'r', 3)].sort()).toEqual(['bob', 'carol']);
  });

  it('names exactly the senders of the range a receipt adds, wherever it lies in a full window', () => {
    const audience = new ReceiptAudience(1000);
    for (let seq = 1; seq <= 1200; seq++) audience.noteMessage('r', seq, `user-${seq % 50}`);
    // (700, 705]: seqs 701..705, senders user-1 .. user-5.
    audience.audience('delivered', 'zoe', 'r', 700);
    expect([...audience.audience('delivered', 'zoe', 'r', 705)].sort()).toEqual(['user-1', 'user-2', 'user-3', 'user-4', 'user-5']);
    // A message noted twice (a replayed batch) is not counted twice, and an older one does not rewind the window.
    audience.noteMessage('r', 1200, 'someone-else');
    audience.noteMessage('r', 3, 'late');
    expect([...audience.audience('read', 'zoe', 'r', 1200)]).not.toContain('someone-else');
    expect([...audience.audience('read', 'amy', 'r', 3)]).not.toContain('late');
  });
});
