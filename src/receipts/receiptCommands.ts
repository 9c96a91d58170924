import type { AccessPrincipal } from '../auth/accessTokens.js';
import { ValidationError } from '../domain/errors.js';
import { roomStreamId } from '../domain/ids.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { HistoryStore } from '../projections/history/historyStore.js';
import { roomAccess, type RoomUse } from '../queries/roomAccess.js';
import type { ReceiptRecorder } from './receiptRecorder.js';

/** A read marker is a member's own: in a public room too, an outsider has nothing to mark. */
const MARKING_READ: RoomUse = { publicRoomsOpenTo: 'members', action: 'mark a room read' };

export interface ReceiptCommandsDeps {
  history: HistoryStore;
  log: EventLog;
  recorder: ReceiptRecorder;
}

/**
 * Marking a room read, for REST and the gateway's `chat.read` alike. The receipts stream knows nothing of rooms,
 * so the rules that involve one are checked here before the marker moves: the room exists, the caller is a
 * member, and the seq is a position the room has reached.
 */
export class ReceiptCommands {
  constructor(private readonly deps: ReceiptCommandsDeps) {}

  /** Resolves once the read marker is appended (and the history view shows it: read-your-writes). */
  async markRead(principal: AccessPrincipal, roomId: string, seq: number): Promise<void> {
    const { room } = await roomAccess(this.deps.history, roomId, principal.userId, MARKING_READ);
    if (!Number.isSafeInteger(seq) || seq < 0) {
      throw new ValidationError('seq must be a non-negative integer', { seq });
    }
    // The view can trail the log by a moment (a client may read a message it got live before the projector
    // applied it), so a seq past the view's head is checked against the room stream itself before it is refused.
    if (seq > room.headSeq && seq > (await this.deps.log.streamVersion(roomStreamId(roomId)))) {
      throw new ValidationError(`seq ${seq} is beyond the room's latest event`, { seq, headSeq: room.headSeq });
    }
    await this.deps.recorder.read(principal.userId, roomId, seq);
  }
}
