// The embedded search view's tables, in a file of its own (DATA_DIR/search.db), created if absent.
//
// - search_fts: the FTS5 index. Contentless with contentless_delete, so a deleted, edited or erased message's row
//   really leaves it; the current text is kept once, in search_docs, where relevance ranking reads it (relevance.ts). Two columns: `text`, and
//   `room`, one token naming the message's room (roomToken), so a search within a room intersects the room's doclist
//   with the words' inside FTS5 instead of reading every match of a common word. unicode61 with remove_diacritics 2
//   folds case and accents ("Cafe" finds "café"); prefix indexes of 2 and 3 characters keep a short last word quick.
// - search_docs: one row per indexed message; `doc` is the FTS rowid, numbered in the order the index received the
//   messages, which is what date order walks (FTS5 reads rowids backwards without sorting).
// - search_rooms, search_members: who may read what, as of this view's checkpoint.

import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';

export function ensureSearchSchema(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS search_checkpoints (
      partition_no INTEGER PRIMARY KEY,
      position     INTEGER NOT NULL
    );
    CREATE TABLE IF NOT EXISTS search_rooms (
      room_id TEXT PRIMARY KEY,
      public  INTEGER NOT NULL
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS search_members (
      user_id TEXT NOT NULL,
      room_id TEXT NOT NULL,
      PRIMARY KEY (user_id, room_id)
    ) WITHOUT ROWID;
    CREATE TABLE IF NOT EXISTS search_docs (
      doc        INTEGER PRIMARY KEY,
      message_id TEXT NOT NULL UNIQUE,
      room_id    TEXT NOT NULL,
      seq        INTEGER NOT NULL,
      sender_id  TEXT NOT NULL,
      text       TEXT NOT NULL
    );
    CREATE INDEX IF NOT EXISTS search_docs_by_sender ON search_docs (sender_id);
    CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(
      text, room,
      content = '', contentless_delete = 1,
      tokenize = 'unicode61 remove_diacritics 2',
      prefix = '2 3'
    );
  `);
  // FTS5 keeps a deleted row's words in its index segments until they merge; secure-delete removes them at once, so
  // an erased user's words are gone from the file, not only from the answers (a setting kept in the table).
  db.prepare(`INSERT INTO search_fts (search_fts, rank) VALUES ('secure-delete', 1)`).run();
}

/** One alphanumeric token per room (unicode61 would cut an id with hyphens or dots into several). */
export function roomToken(roomId: string): string {
  return `r${createHash('sha256').update(roomId).digest('hex').slice(0, 24)}`;
}
