import type { DeliveriesEvent, DeliveryMarker } from '../../events/chatEvents.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { CommandRejectedError } from '../../domain/errors.js';
import { MAX_MARKERS_PER_COMMAND, type DeliveriesCommand, type RecordDeliveries } from '../commands.js';
import type { Decider, DecisionContext } from '../decider.js';
import { GATEWAY_REPORTER } from './gatewayReporter.js';

// The `deliveries-<roomId>` stream: every member's delivery marker in one room. The gateway reports what it handed
// to whom once per flush and room, so a flush costs one event per room with traffic instead of one per user online
// (docs/architecture.md "Delivery markers"). Markers only move forward: a late, repeated or out-of-order report is
// no news, and the event carries only the markers that moved.
//
// Read markers stay in each user's receipts stream, which this one does not see: "reading implies delivery" is
// applied where both meet (the history view keeps the larger of the two, the gateway's ReceiptAudience tells no
// one of a delivery already read).

/** The part of the state that grows with the room's members, updated in place by evolve (see evolveDeliveries). */
export interface DeliveriesLedger {
  /** The highest delivered seq per user. */
  readonly delivered: Map<string, number>;
  /** The last stream version folded into this ledger. */
  appliedVersion: number;
}

export interface DeliveriesState {
  /** The stream version; the next event gets version + 1. */
  readonly version: number;
  readonly ledger: DeliveriesLedger;
}

export const initialDeliveriesState = (): DeliveriesState => ({
  version: 0,
  ledger: { delivered: new Map(), appliedVersion: 0 },
});

/** Every message of the room up to this seq reached one of the user's connections (0: none recorded here). */
export function deliveredSeqOf(state: DeliveriesState, userId: string): number {
  return state.ledger.delivered.get(userId) ?? 0;
}

/**
 * Folds one event. Like evolveReceipts, it MUTATES the ledger and returns a fresh top-level object sharing it: a
 * busy room's stream gains an event per flush, so copying the map per event would make loading it quadratic. The
 * ledger's appliedVersion makes folding an already-applied event a no-op, so an older state object that shares the
 * ledger stays harmless; decide never mutates.
 */
export function evolveDeliveries(state: DeliveriesState, event: RecordedEvent<DeliveriesEvent>): DeliveriesState {
  const { ledger } = state;
  if (event.streamVersion > ledger.appliedVersion) {
    apply(ledger, event);
    ledger.appliedVersion = event.streamVersion;
  }
  return { version: event.streamVersion, ledger };
}

/** Max semantics: a marker that would move back (decide never writes one) is no news, not an error. */
function apply(ledger: DeliveriesLedger, event: DeliveriesEvent): void {
  switch (event.type) {
    case 'DeliveriesRecorded':
      for (const { userId, seq } of event.data.markers) {
        ledger.delivered.set(userId, Math.max(ledger.delivered.get(userId) ?? 0, seq));
      }
      return;
    default: {
      const unreachable: never = event.type;
      throw new Error(`unhandled deliveries event ${String(unreachable)}`);
    }
  }
}

/** Only the gateway knows what reached a connection: nobody else, users and admins included, may say so. */
function requireGateway(command: DeliveriesCommand, context: DecisionContext): void {
  if (context.actor.userId !== GATEWAY_REPORTER.userId) {
    throw new CommandRejectedError('FORBIDDEN', 'only the gateway records deliveries', { roomId: command.roomId });
  }
}

/**
 * The commands topic's schema checks these too, but the embedded bus takes commands as they come, and the log keeps
 * whatever is appended forever: a NaN seq (which compares false to everything and would always look like progress),
 * a user named twice (which of the two is the marker?) or an unbounded event are refused here as well.
 */
function requireMarkers(command: RecordDeliveries): void {
  const { roomId, markers } = command;
  if (markers.length > MAX_MARKERS_PER_COMMAND) {
    throw new CommandRejectedError('VALIDATION_FAILED', `at most ${MAX_MARKERS_PER_COMMAND} markers per command`, {
      roomId,
      markers: markers.length,
    });
  }
  const users = new Set<string>();
  for (const { userId, seq } of markers) {
    if (!Number.isSafeInteger(seq) || seq < 1) {
      throw new CommandRejectedError('VALIDATION_FAILED', 'seq must be a positive integer', { roomId, userId });
    }
    if (users.has(userId)) {
      throw new CommandRejectedError('VALIDATION_FAILED', 'a user appears twice in one report', { roomId, userId });
    }
    users.add(userId);
  }
}

function recordDeliveries(command: RecordDeliveries, state: DeliveriesState): DeliveriesEvent[] {
  const moved: DeliveryMarker[] = command.markers
    .filter(({ userId, seq }) => seq > deliveredSeqOf(state, userId))
    .map(({ userId, seq }) => ({ userId, seq }));
  if (moved.length === 0) return [];
  return [{ type: 'DeliveriesRecorded', data: { roomId: command.roomId, markers: moved } }];
}

export function decideDeliveries(
  command: DeliveriesCommand,
  state: DeliveriesState,
  context: DecisionContext,
): DeliveriesEvent[] {
  requireGateway(command, context);
  switch (command.type) {
    case 'RecordDeliveries':
      requireMarkers(command);
      return recordDeliveries(command, state);
    default: {
      const unreachable: never = command.type;
      throw new Error(`unhandled deliveries command ${String(unreachable)}`);
    }
  }
}

export const deliveriesDecider: Decider<DeliveriesCommand, DeliveriesState, DeliveriesEvent> = {
  initialState: initialDeliveriesState,
  evolve: evolveDeliveries,
  decide: decideDeliveries,
};
