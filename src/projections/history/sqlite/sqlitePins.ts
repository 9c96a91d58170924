import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { MessagePinnedChange, MessageUnpinnedChange } from '../historyChanges.js';

// The pinned messages of the SQLite history view, kept out of sqliteHistoryStore.ts so the feature is one file (as
// sqliteFriendships.ts). One row per pinned message, inserted if absent so a re-delivered pin changes nothing;
// pin_seq (the pin event's stream version) orders the list, latest first. Deleting a message deletes its row.

export const PINS_SCHEMA = `
CREATE TABLE IF NOT EXISTS pinned_messages (
  room_id   TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  pinned_by TEXT NOT NULL,
  pin_seq   INTEGER NOT NULL,
  pinned_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
`;

type Statement = Database.Statement<unknown[], unknown>;

export class SqlitePins {
  private readonly insert: Statement;
  private readonly remove: Statement;
  private readonly list: Statement;

  /** The table must exist (PINS_SCHEMA). */
  constructor(db: Database.Database) {
    const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
    this.insert = p(
      `INSERT INTO pinned_messages (room_id, seq, pinned_by, pin_seq, pinned_at)
         VALUES (@roomId, @seq, @pinnedBy, @pinSeq, @at) ON CONFLICT DO NOTHING`,
    );
    this.remove = p('DELETE FROM pinned_messages WHERE room_id = ? AND seq = ?');
    this.list = p('SELECT seq FROM pinned_messages WHERE room_id = ? ORDER BY pin_seq DESC, seq DESC');
  }

  pinned(change: MessagePinnedChange): void {
    const { roomId, seq, pinnedBy, pinSeq, at } = change;
    this.insert.run({ roomId, seq, pinnedBy, pinSeq, at });
  }

  unpinned(change: MessageUnpinnedChange): void {
    this.remove.run(change.roomId, change.seq);
  }

  messageDeleted(roomId: string, seq: number): void {
    this.remove.run(roomId, seq);
  }

  /** The seqs of the room's pinned messages, most recently pinned first. */
  seqsOf(roomId: string): number[] {
    return this.list.all(roomId).map((row) => z.object({ seq: z.number().int() }).parse(row).seq);
  }
}
