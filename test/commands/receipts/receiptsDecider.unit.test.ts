import { describe, expect, it } from 'vitest';
import type { MessagesDelivered, MessagesRead } from '../../../src/events/chatEvents.js';
import type { AdvanceDeliveryMarker, AdvanceReadMarker } from '../../../src/commands/commands.js';
import { markersOf, receiptsDecider } from '../../../src/commands/receipts/receiptsDecider.js';
import { as, recorded, spec, stateAfter } from '../../support/deciderSpecification.js';

const bob = as('u-bob');

const deliver = (seq: number, roomId = 'r-1'): AdvanceDeliveryMarker => ({
  type: 'AdvanceDeliveryMarker',
  userId: 'u-bob',
  roomId,
  seq,
});
const read = (seq: number, roomId = 'r-1'): AdvanceReadMarker => ({
  type: 'AdvanceReadMarker',
  userId: 'u-bob',
  roomId,
  seq,
});
const delivered = (seq: number, roomId = 'r-1'): MessagesDelivered => ({
  type: 'MessagesDelivered',
  data: { userId: 'u-bob', roomId, seq },
});
const wasRead = (seq: number, roomId = 'r-1'): MessagesRead => ({
  type: 'MessagesRead',
  data: { userId: 'u-bob', roomId, seq },
});

describe('AdvanceDeliveryMarker', () => {
  it('records the first delivery in a room', () => {
    spec(receiptsDecider).given([]).when(deliver(3), bob).then([delivered(3)]);
  });

  it('moves the marker forward', () => {
    spec(receiptsDecider).given([delivered(3)]).when(deliver(7), bob).then([delivered(7)]);
  });

  it('ignores an older or equal seq (a late or repeated report), so retries append nothing', () => {
    spec(receiptsDecider).given([delivered(7)]).when(deliver(7), bob).then([]);
    spec(receiptsDecider).given([delivered(7)]).when(deliver(2), bob).then([]);
  });

  it('ignores a delivery of messages already read: reading implies delivery', () => {
    spec(receiptsDecider).given([wasRead(5)]).when(deliver(5), bob).then([]);
    spec(receiptsDecider).given([wasRead(5)]).when(deliver(4), bob).then([]);
    spec(receiptsDecider).given([wasRead(5)]).when(deliver(6), bob).then([delivered(6)]);
  });

  it('keeps rooms apart', () => {
    spec(receiptsDecider).given([delivered(9, 'r-1')]).when(deliver(2, 'r-2'), bob).then([delivered(2, 'r-2')]);
  });

  it('ignores seq 0 (nothing delivered yet)', () => {
    spec(receiptsDecider).given([]).when(deliver(0), bob).then([]);
  });
});

describe('AdvanceReadMarker', () => {
  it('records the first read in a room, without a separate delivery event', () => {
    spec(receiptsDecider).given([]).when(read(4), bob).then([wasRead(4)]);
  });

  it('moves the read marker forward, also past the delivery marker', () => {
    spec(receiptsDecider).given([delivered(2), wasRead(2)]).when(read(5), bob).then([wasRead(5)]);
  });

  it('ignores an older or equal seq', () => {
    spec(receiptsDecider).given([wasRead(5)]).when(read(5), bob).then([]);
    spec(receiptsDecider).given([wasRead(5)]).when(read(1), bob).then([]);
  });

  it('is not held back by a higher delivery marker', () => {
    spec(receiptsDecider).given([delivered(9)]).when(read(3), bob).then([wasRead(3)]);
  });
});

describe('who may move markers', () => {
  it.each([
    ['delivery', deliver(3)],
    ['read', read(3)],
  ])("refuses to move another user's %s marker with FORBIDDEN", (_, command) => {
    spec(receiptsDecider).given([]).when(command, as('u-alice')).thenThrows('FORBIDDEN', { userId: 'u-bob' });
  });

  it('refuses admins too: a receipt speaks for one person', () => {
    spec(receiptsDecider).given([]).when(read(3), as('u-admin', { role: 'admin' })).thenThrows('FORBIDDEN');
  });

  it('refuses before anything else, even a command that would change nothing', () => {
    spec(receiptsDecider).given([wasRead(9)]).when(read(1), as('u-alice')).thenThrows('FORBIDDEN');
  });
});

describe('bad seqs that slipped past the edge', () => {
  it.each([-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses seq %s with VALIDATION_FAILED', (seq) => {
    spec(receiptsDecider).given([]).when(read(seq), bob).thenThrows('VALIDATION_FAILED');
    spec(receiptsDecider).given([]).when(deliver(seq), bob).thenThrows('VALIDATION_FAILED');
  });
});

describe('evolve', () => {
  it('starts with no markers', () => {
    expect(markersOf(stateAfter(receiptsDecider, []), 'r-1')).toEqual({ deliveredSeq: 0, readSeq: 0 });
  });

  it('takes delivered = max(delivered, read) and never moves a marker back', () => {
    const events = [delivered(3), wasRead(5), delivered(4), wasRead(2), delivered(1, 'r-2')];
    const state = stateAfter(receiptsDecider, events);
    expect(markersOf(state, 'r-1')).toEqual({ deliveredSeq: 5, readSeq: 5 });
    expect(markersOf(state, 'r-2')).toEqual({ deliveredSeq: 1, readSeq: 0 });
    expect(state.version).toBe(5);
  });

  it('folding an event the ledger already holds again changes nothing but the version', () => {
    const events = recorded([delivered(3), wasRead(8)]);
    const state = events.reduce(receiptsDecider.evolve, receiptsDecider.initialState());
    const [first] = events;
    if (!first) throw new Error('no event');
    const again = receiptsDecider.evolve(state, first);
    expect(markersOf(again, 'r-1')).toEqual({ deliveredSeq: 8, readSeq: 8 });
  });

  it('decide does not change the state it is given', () => {
    const state = stateAfter(receiptsDecider, [delivered(3)]);
    receiptsDecider.decide(read(6), state, bob);
    receiptsDecider.decide(deliver(9), state, bob);
    expect(markersOf(state, 'r-1')).toEqual({ deliveredSeq: 3, readSeq: 0 });
  });
});
