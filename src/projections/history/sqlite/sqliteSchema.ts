// The SQLite history schema, and the upgrades a file made by an earlier release needs. Run at every open: each
// step is idempotent (IF NOT EXISTS, or a look at the columns first), so a current file is left as it is.

import type Database from 'better-sqlite3';

import { addAvatarFileColumn, FILES_SCHEMA } from './sqliteFiles.js';
import { FRIENDSHIPS_SCHEMA } from './sqliteFriendships.js';
import { PINS_SCHEMA } from './sqlitePins.js';
import { REACTIONS_SCHEMA } from './sqliteReactions.js';
import { MENTIONS_SCHEMA } from './sqliteMentions.js';
import { THREADS_SCHEMA } from './sqliteThreads.js';

// Times are INTEGER milliseconds (what events carry); views turn them into ISO strings. Members are deleted when
// they leave, so the members table is "who is there now". Messages keep their row when deleted (the seq stays
// visible in history) with text set to NULL; earlier texts live in message_edits, one row per edit keyed by the
// edit event's stream version so a repeated edit can never add a second row.
const CHECKPOINTS_TABLE = `
CREATE TABLE IF NOT EXISTS projection_checkpoints (
  name      TEXT    NOT NULL,
  partition INTEGER NOT NULL,
  position  INTEGER NOT NULL,
  PRIMARY KEY (name, partition)
) WITHOUT ROWID;
`;

const SCHEMA = `${CHECKPOINTS_TABLE}

CREATE TABLE IF NOT EXISTS users (
  user_id             TEXT PRIMARY KEY,
  username            TEXT NOT NULL,
  username_normalised TEXT NOT NULL,
  email               TEXT,
  display_name        TEXT NOT NULL,
  password_hash       TEXT NOT NULL,
  role                TEXT NOT NULL,
  created_at          INTEGER NOT NULL
) WITHOUT ROWID;
-- Not UNIQUE: the username claim stream already guarantees uniqueness, and a read model must never refuse a
-- recorded fact (a constraint failure here would stall the projector forever).
CREATE INDEX IF NOT EXISTS users_by_username ON users (username_normalised, created_at);

CREATE TABLE IF NOT EXISTS rooms (
  room_id          TEXT PRIMARY KEY,
  name             TEXT NOT NULL,
  kind             TEXT NOT NULL,
  created_by       TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  head_seq         INTEGER NOT NULL,
  last_message_seq INTEGER,
  last_activity_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rooms_by_kind ON rooms (kind, room_id);

CREATE TABLE IF NOT EXISTS members (
  room_id   TEXT NOT NULL,
  user_id   TEXT NOT NULL,
  role      TEXT NOT NULL,
  added_by  TEXT,
  joined_at INTEGER NOT NULL,
  PRIMARY KEY (room_id, user_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id, room_id);

CREATE TABLE IF NOT EXISTS messages (
  room_id           TEXT NOT NULL,
  seq               INTEGER NOT NULL,
  message_id        TEXT NOT NULL,
  sender_id         TEXT NOT NULL,
  text              TEXT,
  client_message_id TEXT NOT NULL,
  created_at        INTEGER NOT NULL,
  edited_at         INTEGER,
  edited_by         TEXT,
  deleted           INTEGER NOT NULL DEFAULT 0,
  deleted_at        INTEGER,
  deleted_by        TEXT,
  PRIMARY KEY (room_id, seq)
) WITHOUT ROWID;
-- No index on message_id: an id is "<roomId>.<seq>" (domain/ids.ts), so the primary key finds a message by it.
-- The unique index it once had was a second B-tree insert per message, the largest single cost of a rebuild.
DROP INDEX IF EXISTS messages_by_id;

CREATE TABLE IF NOT EXISTS message_edits (
  room_id   TEXT NOT NULL,
  seq       INTEGER NOT NULL,
  edit_seq  INTEGER NOT NULL,
  text      TEXT NOT NULL,
  edited_at INTEGER NOT NULL,
  edited_by TEXT NOT NULL,
  PRIMARY KEY (room_id, seq, edit_seq)
) WITHOUT ROWID;

-- From each user's receipts stream. Not deleted when a member leaves: the markers are the user's, and rejoining
-- picks them up again. Rows may also arrive before the room or membership they refer to (another partition).
CREATE TABLE IF NOT EXISTS read_markers (
  user_id       TEXT NOT NULL,
  room_id       TEXT NOT NULL,
  delivered_seq INTEGER NOT NULL,
  read_seq      INTEGER NOT NULL,
  updated_at    INTEGER NOT NULL,
  PRIMARY KEY (user_id, room_id)
) WITHOUT ROWID;
`;

/** Creates the tables a new file lacks and upgrades an older one, in the order the upgrades need. */
export function ensureSchema(db: Database.Database): void {
  migrateCheckpointsToPartitions(db);
  db.exec(SCHEMA);
  addErasedColumn(db);
  addProfileColumns(db);
  addRoomTopicColumn(db);
  db.exec(FRIENDSHIPS_SCHEMA);
  db.exec(REACTIONS_SCHEMA);
  db.exec(PINS_SCHEMA);
  db.exec(FILES_SCHEMA);
  addAvatarFileColumn(db);
  db.exec(THREADS_SCHEMA);
  db.exec(MENTIONS_SCHEMA);
}

/**
 * Stores written before the log had partitions kept one row per projection (name, position); that position is
 * the projection's position in partition 0 (the SQLite log's only one). Done once, in one transaction.
 */
function migrateCheckpointsToPartitions(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('projection_checkpoints')").pluck().all();
  if (columns.length === 0 || columns.includes('partition')) return;
  db.transaction(() => {
    db.exec(`ALTER TABLE projection_checkpoints RENAME TO projection_checkpoints_unpartitioned;
      ${CHECKPOINTS_TABLE}
      INSERT INTO projection_checkpoints (name, partition, position)
        SELECT name, 0, position FROM projection_checkpoints_unpartitioned WHERE position > 0;
      DROP TABLE projection_checkpoints_unpartitioned;`);
  }).immediate();
}

/** Stores made before crypto-shredding have no `erased` column; adding it with its default is all they need. */
function addErasedColumn(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('messages')").pluck().all();
  if (!columns.includes('erased')) db.exec('ALTER TABLE messages ADD COLUMN erased INTEGER NOT NULL DEFAULT 0');
}

/** Stores made before profiles have no status text or avatar columns: a user without them has neither set. */
function addProfileColumns(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('users')").pluck().all();
  if (!columns.includes('status_text')) db.exec("ALTER TABLE users ADD COLUMN status_text TEXT NOT NULL DEFAULT ''");
  if (!columns.includes('avatar_url')) db.exec('ALTER TABLE users ADD COLUMN avatar_url TEXT');
}

/** Stores made before room settings have no topic column: a room without one has no topic. */
function addRoomTopicColumn(db: Database.Database): void {
  const columns = db.prepare<[], unknown>("SELECT name FROM pragma_table_info('rooms')").pluck().all();
  if (!columns.includes('topic')) db.exec("ALTER TABLE rooms ADD COLUMN topic TEXT NOT NULL DEFAULT ''");
}
