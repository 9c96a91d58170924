import { describe, expect, it } from 'vitest';
import { MAX_MARKERS_PER_COMMAND, type RecordDeliveries } from '../../../src/commands/commands.js';
import { deliveredSeqOf, deliveriesDecider } from '../../../src/commands/deliveries/deliveriesDecider.js';
import { GATEWAY_REPORTER } from '../../../src/commands/deliveries/gatewayReporter.js';
import { DEFAULT_LIMITS } from '../../../src/commands/decider.js';
import type { DeliveriesRecorded, DeliveryMarker } from '../../../src/events/chatEvents.js';
import { as, recorded, spec, stateAfter } from '../../support/deciderSpecification.js';

const gateway = as(GATEWAY_REPORTER.userId);

const report = (...markers: DeliveryMarker[]): RecordDeliveries => ({ type: 'RecordDeliveries', roomId: 'r-1', markers });
const recordedDeliveries = (...markers: DeliveryMarker[]): DeliveriesRecorded => ({
  type: 'DeliveriesRecorded',
  data: { roomId: 'r-1', markers },
});
const bob = (seq: number): DeliveryMarker => ({ userId: 'u-bob', seq });
const carol = (seq: number): DeliveryMarker => ({ userId: 'u-carol', seq });

describe('RecordDeliveries', () => {
  it("records every member's first delivery in one event", () => {
    spec(deliveriesDecider).given([]).when(report(bob(3), carol(2)), gateway).then([recordedDeliveries(bob(3), carol(2))]);
  });

  it('moves markers forward', () => {
    spec(deliveriesDecider).given([recordedDeliveries(bob(3))]).when(report(bob(7)), gateway).then([recordedDeliveries(bob(7))]);
  });

  it('keeps only the markers that move forward', () => {
    spec(deliveriesDecider)
      .given([recordedDeliveries(bob(7), carol(2))])
      .when(report(bob(5), carol(4)), gateway)
      .then([recordedDeliveries(carol(4))]);
  });

  it('appends nothing when no marker moved (a late, repeated or retried report)', () => {
    spec(deliveriesDecider).given([recordedDeliveries(bob(7), carol(2))]).when(report(bob(7), carol(1)), gateway).then([]);
    spec(deliveriesDecider).given([]).when(report(), gateway).then([]);
  });

  it('carries as many markers as one command may', () => {
    const markers = Array.from({ length: MAX_MARKERS_PER_COMMAND }, (_, index) => ({ userId: `u-${index}`, seq: 1 }));
    spec(deliveriesDecider).given([]).when(report(...markers), gateway).then([recordedDeliveries(...markers)]);
  });
});

describe('who may record deliveries', () => {
  it.each([
    ['a user, even for their own marker', as('u-bob')],
    ['an admin', as('u-admin', { role: 'admin' })],
    ['the command line', as('system:cli', { role: 'admin' })],
  ])('refuses %s with FORBIDDEN: only the gateway knows what reached whom', (_, context) => {
    spec(deliveriesDecider).given([]).when(report(bob(3)), context).thenThrows('FORBIDDEN', { roomId: 'r-1' });
  });

  it('refuses before anything else, even a report that would change nothing', () => {
    spec(deliveriesDecider).given([recordedDeliveries(bob(9))]).when(report(bob(1)), as('u-bob')).thenThrows('FORBIDDEN');
  });

  it('accepts the gateway whatever role stands in for it', () => {
    const context = { actor: { ...GATEWAY_REPORTER, role: 'admin' as const }, limits: DEFAULT_LIMITS };
    spec(deliveriesDecider).given([]).when(report(bob(3)), context).then([recordedDeliveries(bob(3))]);
  });
});

describe('bad reports that slipped past the edge', () => {
  it.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('refuses seq %s with VALIDATION_FAILED', (seq) => {
    spec(deliveriesDecider).given([]).when(report(bob(3), carol(seq)), gateway).thenThrows('VALIDATION_FAILED', { userId: 'u-carol' });
  });

  it('refuses a user named twice with VALIDATION_FAILED', () => {
    spec(deliveriesDecider).given([]).when(report(bob(3), bob(4)), gateway).thenThrows('VALIDATION_FAILED', { userId: 'u-bob' });
  });

  it('refuses more markers than one command may carry with VALIDATION_FAILED', () => {
    const markers = Array.from({ length: MAX_MARKERS_PER_COMMAND + 1 }, (_, index) => ({ userId: `u-${index}`, seq: 1 }));
    spec(deliveriesDecider).given([]).when(report(...markers), gateway).thenThrows('VALIDATION_FAILED');
  });

  it('refuses a bad seq even when every other marker is no news', () => {
    spec(deliveriesDecider).given([recordedDeliveries(bob(9))]).when(report(bob(1), carol(-1)), gateway).thenThrows('VALIDATION_FAILED');
  });
});

describe('evolve', () => {
  it('starts with no markers', () => {
    expect(deliveredSeqOf(stateAfter(deliveriesDecider, []), 'u-bob')).toBe(0);
  });

  it('keeps the highest seq per user and never moves a marker back', () => {
    const state = stateAfter(deliveriesDecider, [
      recordedDeliveries(bob(3), carol(5)),
      recordedDeliveries(bob(8)),
      recordedDeliveries(bob(4), carol(2)),
    ]);
    expect(deliveredSeqOf(state, 'u-bob')).toBe(8);
    expect(deliveredSeqOf(state, 'u-carol')).toBe(5);
    expect(deliveredSeqOf(state, 'u-dave')).toBe(0);
    expect(state.version).toBe(3);
  });

  it('folding an event the ledger already holds again changes nothing but the version', () => {
    const events = recorded([recordedDeliveries(bob(3)), recordedDeliveries(bob(8))]);
    const state = events.reduce(deliveriesDecider.evolve, deliveriesDecider.initialState());
    const [first] = events;
    if (!first) throw new Error('no event');
    expect(deliveredSeqOf(deliveriesDecider.evolve(state, first), 'u-bob')).toBe(8);
  });

  it('decide does not change the state it is given', () => {
    const state = stateAfter(deliveriesDecider, [recordedDeliveries(bob(3))]);
    deliveriesDecider.decide(report(bob(9), carol(1)), state, gateway);
    expect(deliveredSeqOf(state, 'u-bob')).toBe(3);
    expect(deliveredSeqOf(state, 'u-carol')).toBe(0);
  });
});
