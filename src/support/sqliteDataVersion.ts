// Caches in front of a SQLite file that other connections also write (the CLI's `chat users erase` while the
// server runs, a second instance on one DATA_DIR) stay exact by asking `PRAGMA data_version` before each use: its
// value changes exactly when another connection has committed to the file since this connection last asked, and
// never for this connection's own commits (a cache updates itself for those). One call costs about 2 µs, a
// fraction of the indexed read it saves.

import type Database from 'better-sqlite3';

export class OtherConnectionsWatch {
  private readonly dataVersion: Database.Statement<[], number>;
  private seen: number | undefined;

  constructor(db: Database.Database) {
    this.dataVersion = db.prepare<[], number>('PRAGMA data_version').pluck();
  }

  /**
   * True when another connection may have committed since the previous call (always on the first): the caller
   * drops what it cached. Inside a write transaction the answer holds until the commit, as the write lock keeps
   * everyone else out.
   */
  committedSinceLastLook(): boolean {
    const now = this.dataVersion.get() ?? 0;
    if (now === this.seen) return false;
    this.seen = now;
    return true;
  }
}
