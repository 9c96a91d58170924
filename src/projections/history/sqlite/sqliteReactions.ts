import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ReactionAddedChange, ReactionRemovedChange } from '../historyChanges.js';
import type { MessageView } from '../historyStore.js';
import { seqRange, withReactions, type ReactionRow } from '../reactionViews.js';

// The reaction rows of the SQLite history view, kept out of sqliteHistoryStore.ts so the feature is one file (as
// sqliteFriendships.ts). One row per (message, emoji, user), inserted if absent so a re-delivered event changes
// nothing; reaction_seq (the event's stream version) orders emoji and users. erased_reactors lists the users whose
// personal data was erased: their rows are deleted then, and a reaction of theirs met later (a rebuild reads the
// user stream and the room stream in any order across partitions) is never inserted.

export const REACTIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS message_reactions (
  room_id      TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  emoji        TEXT NOT NULL,
  user_id      TEXT NOT NULL,
  reaction_seq INTEGER NOT NULL,
  reacted_at   INTEGER NOT NULL,
  PRIMARY KEY (room_id, seq, emoji, user_id)
) WITHOUT ROWID;
-- Erasure removes one user's reactions wherever they are.
CREATE INDEX IF NOT EXISTS message_reactions_by_user ON message_reactions (user_id);
CREATE TABLE IF NOT EXISTS erased_reactors (
  user_id TEXT PRIMARY KEY
) WITHOUT ROWID;
`;

const reactionRow = z
  .object({ seq: z.number().int(), emoji: z.string(), user_id: z.string() })
  .transform((r): ReactionRow => ({ seq: r.seq, emoji: r.emoji, userId: r.user_id }));

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteReactions {
  private readonly insert: Statement;
  private readonly remove: Statement;
  private readonly removeOfMessage: Statement;
  private readonly removeOfUser: Statement;
  private readonly noteErased: Statement;
  private readonly inRange: Statement;

  /** The tables must exist (REACTIONS_SCHEMA). */
  constructor(db: Database.Database) {
    const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
    this.insert = p(
      `INSERT INTO message_reactions (room_id, seq, emoji, user_id, reaction_seq, reacted_at)
         SELECT @roomId, @seq, @emoji, @userId, @reactionSeq, @at
         WHERE NOT EXISTS (SELECT 1 FROM erased_reactors WHERE user_id = @userId)
       ON CONFLICT DO NOTHING`,
    );
    this.remove = p(
      'DELETE FROM message_reactions WHERE room_id = @roomId AND seq = @seq AND emoji = @emoji AND user_id = @userId',
    );
    this.removeOfMessage = p('DELETE FROM message_reactions WHERE room_id = ? AND seq = ?');
    this.removeOfUser = p('DELETE FROM message_reactions WHERE user_id = ?');
    this.noteErased = p('INSERT INTO erased_reactors (user_id) VALUES (?) ON CONFLICT DO NOTHING');
    this.inRange = p(
      `SELECT seq, emoji, user_id FROM message_reactions WHERE room_id = ? AND seq BETWEEN ? AND ?
         ORDER BY seq, reaction_seq, user_id`,
    );
  }

  added(change: ReactionAddedChange): void {
    const { roomId, seq, emoji, userId, reactionSeq, at } = change;
    this.insert.run({ roomId, seq, emoji, userId, reactionSeq, at });
  }

  removed(change: ReactionRemovedChange): void {
    const { roomId, seq, emoji, userId } = change;
    this.remove.run({ roomId, seq, emoji, userId });
  }

  messageDeleted(roomId: string, seq: number): void {
    this.removeOfMessage.run(roomId, seq);
  }

  userErased(userId: string): void {
    this.removeOfUser.run(userId);
    this.noteErased.run(userId);
  }

  /** `messages` (of one room) with their reactions. */
  attach(roomId: string, messages: MessageView[]): MessageView[] {
    const range = seqRange(messages);
    if (range === undefined) return messages;
    const rows = this.inRange.all(roomId, range.from, range.to).map((row) => reactionRow.parse(row));
    return withReactions(messages, rows);
  }
}
