import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { BlockChanged, MentionsAdded } from '../historyChanges.js';
import type { BlockView, ListMentionsOptions, MessageView } from '../historyStore.js';
import { withMentions, type MentionRow } from '../mentionViews.js';
import { seqRange } from '../reactionViews.js';
import { isoTime } from '../../../support/isoTime.js';

// Mentions, and the blocks that hide some of them, in the SQLite history view (#17), kept out of sqliteHistoryStore.ts so the feature is one file (as
// sqlitePins.ts). One row per (mentioned user, message), inserted if absent, keyed by the user first: a member's
// mention count in a room is a range of the primary key after their read marker (ROOMS_OF_USER_SQL), and their
// mentions newest first a range of mentions_by_time. user_blocks holds who blocked whom: a blocked sender's
// mentions are neither counted nor listed for the user who blocked them.

export const MENTIONS_SCHEMA = `
CREATE TABLE IF NOT EXISTS message_mentions (
  user_id    TEXT NOT NULL,
  room_id    TEXT NOT NULL,
  seq        INTEGER NOT NULL,
  sender_id  TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  position   INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS mentions_by_time ON message_mentions (user_id, created_at, room_id, seq);
CREATE INDEX IF NOT EXISTS mentions_by_message ON message_mentions (room_id, seq);
CREATE TABLE IF NOT EXISTS user_blocks (
  user_id    TEXT NOT NULL,
  blocked_id TEXT NOT NULL,
  blocked_at INTEGER NOT NULL,
  PRIMARY KEY (user_id, blocked_id)
) WITHOUT ROWID;
`;

/** The mention count of ROOMS_OF_USER_SQL's member `m` after read marker `k`: not deleted, not from a blocked sender. */
export const MENTION_COUNT_SQL = `(SELECT COUNT(*) FROM message_mentions x
      JOIN messages mg ON mg.room_id = x.room_id AND mg.seq = x.seq AND mg.deleted = 0
      WHERE x.user_id = m.user_id AND x.room_id = m.room_id AND x.seq > COALESCE(k.read_seq, 0)
        AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.user_id = x.user_id AND b.blocked_id = x.sender_id)
    ) AS mention_count`;

const mentionRow = z
  .object({ seq: z.number().int(), user_id: z.string() })
  .transform((r): MentionRow => ({ seq: r.seq, userId: r.user_id }));
const placeRow = z.object({ room_id: z.string(), seq: z.number().int() });
const blockRow = z.object({ blocked_id: z.string(), blocked_at: z.number().int() });

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteMentions {
  private readonly insert: Statement;
  private readonly inRange: Statement;
  private readonly newest: Statement;
  private readonly newestBefore: Statement;
  private readonly block: Statement;
  private readonly unblock: Statement;
  private readonly blocks: Statement;

  /** The tables must exist (MENTIONS_SCHEMA), and messages, members and rooms too. */
  constructor(db: Database.Database) {
    const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
    this.insert = p(
      `INSERT INTO message_mentions (user_id, room_id, seq, sender_id, created_at, position)
         VALUES (@userId, @roomId, @seq, @senderId, @at, @position) ON CONFLICT DO NOTHING`,
    );
    this.inRange = p('SELECT seq, user_id FROM message_mentions WHERE room_id = ? AND seq BETWEEN ? AND ? ORDER BY seq, position');
    // Readable now: a member of the room, or a public room. Never a deleted message or a blocked sender's.
    const listed = (cursor: string): string => `SELECT x.room_id, x.seq FROM message_mentions x
      JOIN messages g ON g.room_id = x.room_id AND g.seq = x.seq AND g.deleted = 0
      JOIN rooms r ON r.room_id = x.room_id
      WHERE x.user_id = @userId ${cursor}
        AND (r.kind = 'public' OR EXISTS (SELECT 1 FROM members c WHERE c.room_id = x.room_id AND c.user_id = x.user_id))
        AND NOT EXISTS (SELECT 1 FROM user_blocks b WHERE b.user_id = x.user_id AND b.blocked_id = x.sender_id)
      ORDER BY x.created_at DESC, x.room_id DESC, x.seq DESC LIMIT @limit`;
    this.newest = p(listed(''));
    this.block = p(
      `INSERT INTO user_blocks (user_id, blocked_id, blocked_at) VALUES (@userId, @blockedUserId, @at) ON CONFLICT DO NOTHING`,
    );
    this.unblock = p('DELETE FROM user_blocks WHERE user_id = @userId AND blocked_id = @blockedUserId');
    this.blocks = p('SELECT blocked_id, blocked_at FROM user_blocks WHERE user_id = ? ORDER BY blocked_at, blocked_id');
    this.newestBefore = p(
      listed('AND (x.created_at, x.room_id, x.seq) < (@beforeAt, @beforeRoomId, @beforeSeq)'),
    );
  }

  added(change: MentionsAdded): void {
    const { roomId, seq, senderId, at } = change;
    for (const [position, userId] of change.userIds.entries()) this.insert.run({ userId, roomId, seq, senderId, at, position });
  }

  blockChanged(change: BlockChanged): void {
    const { userId, blockedUserId, at } = change;
    if (change.blocked) this.block.run({ userId, blockedUserId, at });
    else this.unblock.run({ userId, blockedUserId });
  }

  /** The users `userId` blocked, the earliest first. */
  blocksOf(userId: string): BlockView[] {
    return this.blocks.all(userId).map((row) => {
      const { blocked_id, blocked_at } = blockRow.parse(row);
      return { userId: blocked_id, blockedAt: isoTime(blocked_at) };
    });
  }

  /** `messages` (of one room) with whom each mentions. */
  attach(roomId: string, messages: MessageView[]): MessageView[] {
    const range = seqRange(messages);
    if (range === undefined) return messages;
    const rows = this.inRange.all(roomId, range.from, range.to).map((row) => mentionRow.parse(row));
    return withMentions(messages, rows);
  }

  /** Where the user's listable mentions are, newest first: up to `limit` of them before the cursor. */
  placesOf(userId: string, options: ListMentionsOptions & { limit: number }): Array<{ roomId: string; seq: number }> {
    const { before, limit } = options;
    const rows =
      before === undefined
        ? this.newest.all({ userId, limit })
        : this.newestBefore.all({
            userId,
            limit,
            beforeAt: Date.parse(before.createdAt),
            beforeRoomId: before.roomId,
            beforeSeq: before.seq,
          });
    return rows.map((row) => {
      const place = placeRow.parse(row);
      return { roomId: place.room_id, seq: place.seq };
    });
  }
}
