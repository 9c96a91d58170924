import Database from 'better-sqlite3';
import { z } from 'zod';
import type { StreamSnapshot, StreamSnapshots } from './streamSnapshots.js';

// The embedded mode's snapshots (streamSnapshots.ts): one row per stream in their own file beside the log
// (DATA_DIR/snapshots.db), so the log's file stays append-only. Deleting the file is safe at any time the service
// is stopped.

const snapshotRow = z.object({ version: z.number().int(), event_id: z.string(), format: z.string(), state: z.string() });

export class SqliteStreamSnapshots implements StreamSnapshots {
  private readonly db: Database.Database;
  private readonly select: Database.Statement<[string], unknown>;
  private readonly upsert: Database.Statement<[string, number, string, string, string], unknown>;

  constructor(filename: string) {
    this.db = new Database(filename);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(`CREATE TABLE IF NOT EXISTS stream_snapshots (
      stream_id TEXT PRIMARY KEY,
      version   INTEGER NOT NULL,
      event_id  TEXT NOT NULL,
      format    TEXT NOT NULL,
      state     TEXT NOT NULL
    ) WITHOUT ROWID`);
    this.select = this.db.prepare('SELECT version, event_id, format, state FROM stream_snapshots WHERE stream_id = ?');
    this.upsert = this.db.prepare(
      `INSERT INTO stream_snapshots (stream_id, version, event_id, format, state) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (stream_id) DO UPDATE SET version = excluded.version, event_id = excluded.event_id,
         format = excluded.format, state = excluded.state`,
    );
  }

  async read(streamId: string): Promise<StreamSnapshot | undefined> {
    const row = snapshotRow.safeParse(this.select.get(streamId));
    if (!row.success) return undefined;
    let state: unknown;
    try {
      state = JSON.parse(row.data.state);
    } catch {
      return undefined;
    }
    return { version: row.data.version, eventId: row.data.event_id, format: row.data.format, state };
  }

  async write(streamId: string, snapshot: StreamSnapshot): Promise<void> {
    this.upsert.run(streamId, snapshot.version, snapshot.eventId, snapshot.format, JSON.stringify(snapshot.state));
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
