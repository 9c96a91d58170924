import type { Statement } from './sqliteStatements.js';

// Room-row moves of the batch in progress, written once per room instead of once per event: every message also
// moved its room's head and last message, which was two UPDATEs of the same row per message and the largest share
// of a rebuild's time. MAX semantics make the merged write equal to the sequence of writes it replaces.

interface RoomMove {
  headSeq: number;
  at: number;
  lastMessageSeq: number;
}

export class SqliteRoomMoves {
  private readonly pending = new Map<string, RoomMove>();

  constructor(
    private readonly advanceRoom: Statement,
    private readonly noteLastMessage: Statement,
  ) {}

  /** Merges one move into the batch's pending ones (0 = no move of that column). */
  move(roomId: string, headSeq: number, at: number, lastMessageSeq: number): void {
    const move = this.pending.get(roomId);
    if (move === undefined) {
      this.pending.set(roomId, { headSeq, at, lastMessageSeq });
      return;
    }
    move.headSeq = Math.max(move.headSeq, headSeq);
    move.at = Math.max(move.at, at);
    move.lastMessageSeq = Math.max(move.lastMessageSeq, lastMessageSeq);
  }

  /** Writes the pending moves (inside the batch's transaction) and forgets them. */
  write(): void {
    for (const [roomId, move] of this.pending) {
      this.advanceRoom.run({ roomId, headSeq: move.headSeq, at: move.at });
      if (move.lastMessageSeq > 0) this.noteLastMessage.run({ roomId, seq: move.lastMessageSeq });
    }
    this.pending.clear();
  }

  /** Forgets the pending moves (a batch that failed half-way rolled them back). */
  clear(): void {
    this.pending.clear();
  }
}
