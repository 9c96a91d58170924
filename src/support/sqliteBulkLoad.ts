// How a SQLite view file is journalled: WAL for a store that is read while it is written, or a bulk load for a
// store nobody reads until it is closed (a rebuild into a new file beside the live one). A bulk load keeps its
// rollback journal in memory and does no syncs (no WAL frames, checksums and checkpoints), and is made an ordinary
// WAL file, synced to disk, when it is closed. A crash meanwhile leaves a half-written file that nothing names yet.

import { closeSync, fsyncSync, openSync } from 'node:fs';
import type Database from 'better-sqlite3';

/** Sets the journal of a freshly opened store: a bulk load, or WAL. */
export function journalFor(db: Database.Database, bulkLoad: boolean): void {
  if (bulkLoad) {
    // MEMORY, not OFF: a failed batch must still roll back.
    db.pragma('journal_mode = MEMORY');
    db.pragma('synchronous = OFF');
    return;
  }
  // WAL lets the query API read while the projector writes; NORMAL sync is safe under WAL (a crash can lose the
  // last transactions, and the checkpoint goes with them, so the projector simply re-applies them).
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
}

/** Closes a bulk-loaded store as an ordinary one: WAL, and every page written so far on disk. */
export function closeBulkLoad(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  const file = db.memory ? undefined : db.name;
  db.close();
  if (file === undefined) return;
  const fd = openSync(file, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
