import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { ThreadReplyAdded } from '../historyChanges.js';
import type { MessageView } from '../historyStore.js';
import { seqRange } from '../reactionViews.js';
import { withThreads, type ReplyRow, type ThreadRootRow } from '../threadViews.js';
import { isoTime } from '../../../support/isoTime.js';

// Replies and threads in the SQLite history view (#17), kept out of sqliteHistoryStore.ts so the feature is one file
// (as sqlitePins.ts). message_replies holds one row per reply, inserted if absent; thread_roots holds each root's
// count of standing replies and the time of the latest, counted again from message_replies and messages whenever a
// reply arrives or is deleted, so a re-delivered change never counts twice. Deleting a root touches neither: its
// thread stays readable.

export const THREADS_SCHEMA = `
CREATE TABLE IF NOT EXISTS message_replies (
  room_id      TEXT NOT NULL,
  seq          INTEGER NOT NULL,
  reply_to_seq INTEGER NOT NULL,
  thread_seq   INTEGER NOT NULL,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
-- A thread's page is a range of this index.
CREATE INDEX IF NOT EXISTS message_replies_by_thread ON message_replies (room_id, thread_seq, seq);
CREATE TABLE IF NOT EXISTS thread_roots (
  room_id       TEXT NOT NULL,
  root_seq      INTEGER NOT NULL,
  reply_count   INTEGER NOT NULL,
  last_reply_at INTEGER,
  PRIMARY KEY (room_id, root_seq)
) WITHOUT ROWID;
`;

const replyRow = z
  .object({ seq: z.number().int(), reply_to_seq: z.number().int(), thread_seq: z.number().int() })
  .transform((r): ReplyRow => ({ seq: r.seq, replyToSeq: r.reply_to_seq, threadSeq: r.thread_seq }));
const rootRow = z
  .object({ root_seq: z.number().int(), reply_count: z.number().int(), last_reply_at: z.number().int().nullable() })
  .transform(
    (r): ThreadRootRow => ({
      rootSeq: r.root_seq,
      replyCount: r.reply_count,
      lastReplyAt: r.last_reply_at === null ? null : isoTime(r.last_reply_at),
    }),
  );
const seqRow = z.object({ seq: z.number().int() });

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteThreads {
  private readonly insert: Statement;
  private readonly recount: Statement;
  private readonly threadOf: Statement;
  private readonly repliesInRange: Statement;
  private readonly rootsInRange: Statement;
  private readonly page: Statement;

  /** The tables must exist (THREADS_SCHEMA), and messages too. */
  constructor(db: Database.Database) {
    const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
    this.insert = p(
      `INSERT INTO message_replies (room_id, seq, reply_to_seq, thread_seq)
         VALUES (@roomId, @seq, @replyToSeq, @threadSeq) ON CONFLICT DO NOTHING`,
    );
    this.recount = p(
      `INSERT INTO thread_roots (room_id, root_seq, reply_count, last_reply_at)
         SELECT @roomId, @threadSeq, COUNT(m.seq), MAX(m.created_at)
           FROM message_replies r JOIN messages m ON m.room_id = r.room_id AND m.seq = r.seq AND m.deleted = 0
          WHERE r.room_id = @roomId AND r.thread_seq = @threadSeq
       ON CONFLICT (room_id, root_seq) DO UPDATE SET reply_count = excluded.reply_count, last_reply_at = excluded.last_reply_at`,
    );
    this.threadOf = p('SELECT thread_seq FROM message_replies WHERE room_id = ? AND seq = ?');
    this.repliesInRange = p('SELECT seq, reply_to_seq, thread_seq FROM message_replies WHERE room_id = ? AND seq BETWEEN ? AND ?');
    this.rootsInRange = p(
      'SELECT root_seq, reply_count, last_reply_at FROM thread_roots WHERE room_id = ? AND root_seq BETWEEN ? AND ?',
    );
    this.page = p('SELECT seq FROM message_replies WHERE room_id = ? AND thread_seq = ? AND seq > ? ORDER BY seq LIMIT ?');
  }

  /** Runs after the reply's message row is in. */
  replyAdded(change: ThreadReplyAdded): void {
    const { roomId, seq, replyToSeq, threadSeq } = change;
    this.insert.run({ roomId, seq, replyToSeq, threadSeq });
    this.recount.run({ roomId, threadSeq });
  }

  /** Runs after the message row is marked deleted: a deleted reply no longer counts. */
  messageDeleted(roomId: string, seq: number): void {
    const row = this.threadOf.get(roomId, seq);
    if (row === undefined) return;
    const threadSeq = z.object({ thread_seq: z.number().int() }).parse(row).thread_seq;
    this.recount.run({ roomId, threadSeq });
  }

  /** The seqs of up to `limit` replies of the thread after `after`, oldest first. */
  replySeqs(roomId: string, threadSeq: number, after: number, limit: number): number[] {
    return this.page.all(roomId, threadSeq, after, limit).map((row) => seqRow.parse(row).seq);
  }

  /** `messages` (of one room) with their thread facts. */
  attach(roomId: string, messages: MessageView[]): MessageView[] {
    const range = seqRange(messages);
    if (range === undefined) return messages;
    const replies = this.repliesInRange.all(roomId, range.from, range.to).map((row) => replyRow.parse(row));
    const roots = this.rootsInRange.all(roomId, range.from, range.to).map((row) => rootRow.parse(row));
    return withThreads(messages, replies, roots);
  }
}
