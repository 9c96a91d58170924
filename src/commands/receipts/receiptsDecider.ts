import type { AdvanceDeliveryMarker, AdvanceReadMarker, ReceiptCommand } from '../commands.js';
import type { Decider, DecisionContext } from '../decider.js';
import type { ReceiptEvent } from '../../events/chatEvents.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { CommandRejectedError } from '../../domain/errors.js';

// The `receipts-<userId>` stream: one user's delivery and read markers, one pair per room. Markers only move
// forward, so a late, repeated or out-of-order report is simply no news (no events) instead of an error: the
// gateway reports deliveries from several connections and nothing orders them.
//
// Reading implies delivery. A MessagesRead is not accompanied by a MessagesDelivered; instead whoever folds the
// stream (this state, the history projection) takes delivered = max(delivered, read). One event per read keeps
// the stream small, and the rule lives in the meaning of the event rather than in every writer.

export interface ReceiptMarkers {
  /** Every message of the room up to this seq reached one of the user's connections (0: none yet). */
  readonly deliveredSeq: number;
  /** The user has read the room up to this seq (0: nothing yet). Never above deliveredSeq. */
  readonly readSeq: number;
}

export const NO_MARKERS: ReceiptMarkers = { deliveredSeq: 0, readSeq: 0 };

/** The part of the state that grows with the user's rooms, updated in place by evolve (see evolveReceipts). */
export interface ReceiptsLedger {
  readonly rooms: Map<string, ReceiptMarkers>;
  /** The last stream version folded into this ledger. */
  appliedVersion: number;
}

export interface ReceiptsState {
  /** The stream version; the next event gets version + 1. */
  readonly version: number;
  readonly ledger: ReceiptsLedger;
}

export const initialReceiptsState = (): ReceiptsState => ({
  version: 0,
  ledger: { rooms: new Map(), appliedVersion: 0 },
});

export function markersOf(state: ReceiptsState, roomId: string): ReceiptMarkers {
  return state.ledger.rooms.get(roomId) ?? NO_MARKERS;
}

/**
 * Folds one event. Like evolveRoom, it MUTATES the ledger and returns a fresh top-level object sharing it: a
 * receipts stream gains an event per coalesced marker move, so copying the room map per event would make loading
 * a long stream quadratic. The ledger's appliedVersion makes folding an already-applied event a no-op, so an older
 * state object that shares the ledger stays harmless; decide never mutates.
 */
export function evolveReceipts(state: ReceiptsState, event: RecordedEvent<ReceiptEvent>): ReceiptsState {
  const { ledger } = state;
  if (event.streamVersion > ledger.appliedVersion) {
    const { roomId } = event.data;
    ledger.rooms.set(roomId, advance(ledger.rooms.get(roomId) ?? NO_MARKERS, event));
    ledger.appliedVersion = event.streamVersion;
  }
  return { version: event.streamVersion, ledger };
}

/** Max semantics: an event that would move a marker back (decide never writes one) is no news, not an error. */
function advance(current: ReceiptMarkers, event: ReceiptEvent): ReceiptMarkers {
  const { seq } = event.data;
  switch (event.type) {
    case 'MessagesDelivered':
      return { deliveredSeq: Math.max(current.deliveredSeq, seq), readSeq: current.readSeq };
    case 'MessagesRead':
      return { deliveredSeq: Math.max(current.deliveredSeq, seq), readSeq: Math.max(current.readSeq, seq) };
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled receipt event ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Only the user may move their own markers: a receipt says what reached or was read by that person, so nobody
 * else (admins included) can speak for them.
 */
function requireOwnStream(command: ReceiptCommand, context: DecisionContext): void {
  if (context.actor.userId !== command.userId) {
    throw new CommandRejectedError('FORBIDDEN', 'only a user can move their own receipt markers', {
      userId: command.userId,
    });
  }
}

/**
 * The edge validates seqs, but the log keeps whatever is appended forever, so a NaN or a fraction that slipped
 * through (NaN compares false to everything and would always look like progress) is refused here too.
 */
function requireSeq(command: ReceiptCommand): void {
  if (!Number.isSafeInteger(command.seq) || command.seq < 0) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'seq must be a non-negative integer', {
      roomId: command.roomId,
    });
  }
}

function advanceDelivery(command: AdvanceDeliveryMarker, state: ReceiptsState): ReceiptEvent[] {
  // deliveredSeq already covers everything read (evolve applies reading implies delivery).
  if (command.seq <= markersOf(state, command.roomId).deliveredSeq) return [];
  const { userId, roomId, seq } = command;
  return [{ type: 'MessagesDelivered', data: { userId, roomId, seq } }];
}

function advanceRead(command: AdvanceReadMarker, state: ReceiptsState): ReceiptEvent[] {
  if (command.seq <= markersOf(state, command.roomId).readSeq) return [];
  const { userId, roomId, seq } = command;
  return [{ type: 'MessagesRead', data: { userId, roomId, seq } }];
}

export function decideReceipts(
  command: ReceiptCommand,
  state: ReceiptsState,
  context: DecisionContext,
): ReceiptEvent[] {
  requireOwnStream(command, context);
  requireSeq(command);
  switch (command.type) {
    case 'AdvanceDeliveryMarker':
      return advanceDelivery(command, state);
    case 'AdvanceReadMarker':
      return advanceRead(command, state);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled receipt command ${JSON.stringify(unreachable)}`);
    }
  }
}

export const receiptsDecider: Decider<ReceiptCommand, ReceiptsState, ReceiptEvent> = {
  initialState: initialReceiptsState,
  evolve: evolveReceipts,
  decide: decideReceipts,
};
