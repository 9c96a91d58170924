// The events table of the embedded log and the statements the log runs on it. Append-only is enforced by the
// table itself (triggers), not only by the code, so a sqlite3 shell cannot rewrite history either.
//
// A stream's version is read from the UNIQUE (stream_id, stream_version) index (one index seek) instead of a
// separate streams table: measured on 200k appends over 1000 streams, the extra upsert of a streams table cost
// about 10% of append throughput and bought nothing the index does not already give.

import type Database from 'better-sqlite3';
import type { StoredEvent } from '../storedEventReader.js';

/** The SQLite log is one partition: every event is in partition 0, its position the row id. */
export const PARTITION = 0;

/**
 * An event as the read statements return it: raw, [global_position, body], not an object per row (a replay reads
 * hundreds of thousands of rows a second, and better-sqlite3 builds each object property by property).
 */
export type EventRow = [globalPosition: number, body: Buffer];

export interface StoredRow {
  global_position: number;
  stream_id: string;
  stream_version: number;
  body: Buffer;
}

export interface TipRow {
  stream_version: number;
  body: Buffer;
}

export const EVENTS_SCHEMA = `
CREATE TABLE IF NOT EXISTS events (
  global_position INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_id       TEXT    NOT NULL,
  stream_version  INTEGER NOT NULL,
  event_id        TEXT    NOT NULL UNIQUE,
  type            TEXT    NOT NULL,
  command_id      TEXT    NOT NULL,
  occurred_at     INTEGER NOT NULL,
  body            BLOB    NOT NULL,
  UNIQUE (stream_id, stream_version)
);
CREATE INDEX IF NOT EXISTS events_by_command_id ON events (command_id);
CREATE TRIGGER IF NOT EXISTS events_are_never_updated BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: an appended event cannot be updated'); END;
CREATE TRIGGER IF NOT EXISTS events_are_never_deleted BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'events are append-only: an appended event cannot be deleted'); END;
-- INSERT OR REPLACE removes the rows it conflicts with without firing DELETE triggers on a connection that has not
-- turned recursive_triggers on (ours does; a sqlite3 shell does not): refuse any insert that would conflict.
CREATE TRIGGER IF NOT EXISTS events_are_never_replaced BEFORE INSERT ON events
WHEN EXISTS (SELECT 1 FROM events WHERE global_position = NEW.global_position OR event_id = NEW.event_id
             OR (stream_id = NEW.stream_id AND stream_version = NEW.stream_version))
BEGIN SELECT RAISE(ABORT, 'events are append-only: an appended event cannot be replaced'); END;
`;

// Row types are stated here rather than checked per row: they follow from the SQL and the table definition
// above, and replay reads hundreds of thousands of rows a second.
export interface EventStatements {
  readonly insertEvent: Database.Statement<[string, number, string, string, string, number, Buffer]>;
  readonly selectVersion: Database.Statement<[string], number>;
  readonly selectTip: Database.Statement<[string], TipRow>;
  readonly selectStream: Database.Statement<[string, number, number], EventRow>;
  readonly selectAll: Database.Statement<[number, number], EventRow>;
  readonly selectByCommand: Database.Statement<[string], EventRow>;
  readonly selectHead: Database.Statement<[], number | null>;
  readonly selectStoredStream: Database.Statement<[string, number, number], StoredRow>;
  readonly selectStoredAll: Database.Statement<[number, number], StoredRow>;
  readonly selectStoredOfStream: Database.Statement<[string, number, number], StoredRow>;
}

export function prepareEventStatements(db: Database.Database): EventStatements {
  const storedColumns = 'global_position, stream_id, stream_version, body';
  return {
    insertEvent: db.prepare(
      `INSERT INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    selectVersion: db
      .prepare<[string], number>(
        'SELECT stream_version FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1',
      )
      .pluck(),
    selectTip: db.prepare(
      'SELECT stream_version, body FROM events WHERE stream_id = ? ORDER BY stream_version DESC LIMIT 1',
    ),
    selectStream: db
      .prepare<[string, number, number], EventRow>(
        `SELECT global_position, body FROM events WHERE stream_id = ? AND stream_version >= ?
         ORDER BY stream_version LIMIT ?`,
      )
      .raw(),
    selectAll: db
      .prepare<[number, number], EventRow>(
        'SELECT global_position, body FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?',
      )
      .raw(),
    selectByCommand: db
      .prepare<[string], EventRow>('SELECT global_position, body FROM events WHERE command_id = ? ORDER BY global_position')
      .raw(),
    selectHead: db.prepare<[], number | null>('SELECT max(global_position) FROM events').pluck(),
    selectStoredStream: db.prepare(
      `SELECT ${storedColumns} FROM events WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version LIMIT ?`,
    ),
    selectStoredAll: db.prepare(
      `SELECT ${storedColumns} FROM events WHERE global_position > ? ORDER BY global_position LIMIT ?`,
    ),
    selectStoredOfStream: db.prepare(
      `SELECT ${storedColumns} FROM events WHERE stream_id = ? AND global_position > ? ORDER BY global_position LIMIT ?`,
    ),
  };
}

export function storedEventOf(row: StoredRow): StoredEvent {
  return {
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    partition: PARTITION,
    position: row.global_position,
    body: row.body,
  };
}
