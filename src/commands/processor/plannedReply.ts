import type { ErrorCode } from '../../domain/errors.js';
import type { CommandReply, EventPlace } from './commandMessages.js';

/** One command's answer, before the transaction gives its events their places. */
export interface PlannedReply {
  commandId: string;
  streamId: string;
  replayed: boolean;
  outcome:
    | { status: 'accepted'; places: EventPlace[] }
    /** Events of this batch: the first and count of them in the transaction's events send. */
    | { status: 'written'; first: number; count: number }
    | { status: 'rejected'; code: ErrorCode; message: string; details?: Record<string, unknown> };
}

/** A reply already sent (a remembered rejection), planned again to answer a retry of its command. */
export function plannedOf(reply: CommandReply): PlannedReply {
  const { outcome } = reply;
  switch (outcome.status) {
    case 'accepted':
      return { ...reply, outcome: { status: 'accepted', places: outcome.events } };
    case 'rejected':
      return { ...reply, outcome };
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}

/** The reply as sent, once the transaction's events send put the batch's first event at offset `base`. */
export function finalReply(reply: PlannedReply, partition: number, base: number): CommandReply {
  const { commandId, streamId, replayed, outcome } = reply;
  switch (outcome.status) {
    case 'accepted':
      return { v: 1, commandId, streamId, replayed, outcome: { status: 'accepted', events: outcome.places } };
    case 'written': {
      // Kafka position = offset + 1; one send to one partition takes consecutive offsets in order.
      const places = Array.from({ length: outcome.count }, (_, i) => ({ partition, position: base + outcome.first + i + 1 }));
      return { v: 1, commandId, streamId, replayed, outcome: { status: 'accepted', events: places } };
    }
    case 'rejected':
      return { v: 1, commandId, streamId, replayed, outcome };
    default: {
      const unknown: never = outcome;
      throw new Error(`unknown outcome ${JSON.stringify(unknown)}`);
    }
  }
}
