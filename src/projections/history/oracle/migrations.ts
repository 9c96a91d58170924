// The Oracle history schema as an ordered list of migrations. Each runs once, in order, and is recorded in the
// schema_migrations table; the planning below is pure (tested without a database), the runner is
// migrationRunner.ts. Oracle commits every DDL statement on its own, so a migration interrupted half way leaves
// some objects behind: the runner re-runs it whole and treats "already exists" as done, which makes every
// migration idempotent without IF NOT EXISTS (absent before Oracle 23ai).
//
// Type choices (DESIGN.md "Oracle tables"):
// - Message text is VARCHAR2(1000 CHAR): the service's limit is 1000 code points (MAX_MESSAGE_LENGTH, which the
//   config refuses to raise above 1000 with HISTORY_STORE=oracle). In AL32UTF8, which the store checks at start,
//   a code point is one CHAR and at most 4 bytes, so 1000 CHAR is at most 4000 bytes: within VARCHAR2's limit
//   without MAX_STRING_SIZE=EXTENDED, and without a CLOB's cost on every page read.
// - Ids are VARCHAR2(200 BYTE): ASCII (UUIDs, `<roomId>.<seq>`), so bytes are characters.
// - seqs and log positions are NUMBER(19): a 64-bit range, like Kafka offsets; JavaScript reads them as numbers,
//   exact up to 2^53, which checkpoint.ts already requires of every position.
// - Times are TIMESTAMP(3) WITH TIME ZONE, written and read as UTC milliseconds (oracleSql.ts), so neither the
//   session's nor the server's time zone can shift them.
// - Names and display names may be empty in events (a direct room has no name), and Oracle stores '' as NULL, so
//   those columns are nullable and the reader turns NULL back into ''.
// - No UNIQUE on usernames and no CHECK on enums: a read model must never refuse a recorded fact (it would stall
//   the projector forever); the log's own streams already guarantee uniqueness.

import type { OracleTables } from './oracleTables.js';
import { SEARCH_INDEX_MIGRATION } from './searchMigration.js';

export interface Migration {
  version: number;
  name: string;
  statements: (t: OracleTables) => string[];
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'history tables',
    statements: (t) => [
      `CREATE TABLE ${t.checkpoints} (
        projection   VARCHAR2(100 CHAR) NOT NULL,
        partition_no NUMBER(10) NOT NULL,
        position     NUMBER(19) NOT NULL,
        CONSTRAINT ${t.prefix}checkpoints_pk PRIMARY KEY (projection, partition_no)
      ) ORGANIZATION INDEX`,
      `CREATE TABLE ${t.users} (
        user_id             VARCHAR2(200 BYTE) NOT NULL,
        username            VARCHAR2(256 CHAR) NOT NULL,
        username_normalised VARCHAR2(256 CHAR) NOT NULL,
        email               VARCHAR2(320 CHAR),
        display_name        VARCHAR2(256 CHAR),
        password_hash       VARCHAR2(512 BYTE) NOT NULL,
        role                VARCHAR2(16 BYTE) NOT NULL,
        created_at          TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}users_pk PRIMARY KEY (user_id)
      )`,
      `CREATE INDEX ${t.prefix}users_by_username ON ${t.users} (username_normalised, created_at)`,
      `CREATE TABLE ${t.rooms} (
        room_id          VARCHAR2(200 BYTE) NOT NULL,
        name             VARCHAR2(256 CHAR),
        kind             VARCHAR2(16 BYTE) NOT NULL,
        created_by       VARCHAR2(200 BYTE) NOT NULL,
        created_at       TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        head_seq         NUMBER(19) NOT NULL,
        last_message_seq NUMBER(19),
        last_activity_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}rooms_pk PRIMARY KEY (room_id)
      )`,
      `CREATE INDEX ${t.prefix}rooms_by_kind ON ${t.rooms} (kind, room_id)`,
      `CREATE TABLE ${t.members} (
        room_id   VARCHAR2(200 BYTE) NOT NULL,
        user_id   VARCHAR2(200 BYTE) NOT NULL,
        role      VARCHAR2(16 BYTE) NOT NULL,
        added_by  VARCHAR2(200 BYTE),
        joined_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}members_pk PRIMARY KEY (room_id, user_id)
      )`,
      `CREATE INDEX ${t.prefix}members_by_user ON ${t.members} (user_id, room_id)`,
      // The primary key (room_id, seq) is what keyset pagination walks, in either direction.
      `CREATE TABLE ${t.messages} (
        room_id           VARCHAR2(200 BYTE) NOT NULL,
        seq               NUMBER(19) NOT NULL,
        message_id        VARCHAR2(200 BYTE) NOT NULL,
        sender_id         VARCHAR2(200 BYTE) NOT NULL,
        text              VARCHAR2(1000 CHAR),
        client_message_id VARCHAR2(200 CHAR) NOT NULL,
        created_at        TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        edited_at         TIMESTAMP(3) WITH TIME ZONE,
        edited_by         VARCHAR2(200 BYTE),
        deleted           NUMBER(1) DEFAULT 0 NOT NULL,
        deleted_at        TIMESTAMP(3) WITH TIME ZONE,
        deleted_by        VARCHAR2(200 BYTE),
        CONSTRAINT ${t.prefix}messages_pk PRIMARY KEY (room_id, seq)
      )`,
      `CREATE UNIQUE INDEX ${t.prefix}messages_by_id ON ${t.messages} (message_id)`,
      `CREATE TABLE ${t.edits} (
        room_id   VARCHAR2(200 BYTE) NOT NULL,
        seq       NUMBER(19) NOT NULL,
        edit_seq  NUMBER(19) NOT NULL,
        text      VARCHAR2(1000 CHAR) NOT NULL,
        edited_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        edited_by VARCHAR2(200 BYTE) NOT NULL,
        CONSTRAINT ${t.prefix}edits_pk PRIMARY KEY (room_id, seq, edit_seq)
      )`,
      // Receipts arrive from other partitions, possibly before the room or the membership: no foreign keys.
      `CREATE TABLE ${t.markers} (
        user_id       VARCHAR2(200 BYTE) NOT NULL,
        room_id       VARCHAR2(200 BYTE) NOT NULL,
        delivered_seq NUMBER(19) NOT NULL,
        read_seq      NUMBER(19) NOT NULL,
        updated_at    TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}markers_pk PRIMARY KEY (user_id, room_id)
      ) ORGANIZATION INDEX`,
    ],
  },
  {
    version: 2,
    name: 'unread count index',
    // An unread count is COUNT(*) over (room_id, seq > read marker) filtered on deleted and sender_id. With those
    // two in the index it is an index-only range scan whose cost is the messages after the marker, never a
    // visit to each row's table block (whose text makes rows wide).
    statements: (t) => [`CREATE INDEX ${t.prefix}messages_unread ON ${t.messages} (room_id, seq, deleted, sender_id)`],
  },
  {
    version: 3,
    name: 'crypto-shredding: erased messages',
    // An erasure blanks every text of one sender: the erased flag says so in the view, Oracle's '' is NULL so an
    // erased edit-history text must be allowed to be NULL, and the sender index finds a user's messages without a
    // full scan.
    statements: (t) => [
      `ALTER TABLE ${t.messages} ADD (erased NUMBER(1) DEFAULT 0 NOT NULL)`,
      `ALTER TABLE ${t.edits} MODIFY (text NULL)`,
      `CREATE INDEX ${t.prefix}messages_by_sender ON ${t.messages} (sender_id)`,
    ],
  },
  {
    version: 4,
    name: 'user profiles: status text and avatar',
    // 140 code points may take up to 560 bytes, so CHAR semantics; an avatar URL is printable ASCII (profileRules.ts).
    // NULL means none set (Oracle stores '' as NULL).
    statements: (t) => [`ALTER TABLE ${t.users} ADD (status_text VARCHAR2(140 CHAR), avatar_url VARCHAR2(2048 BYTE))`],
  },
  {
    version: 5,
    name: 'friendships and the email search',
    // One row per direction (see sqliteFriendships.ts): 'accepted' twice for friends, 'sent' and 'received' for a
    // pending request; each list is a range of the primary key. The email search compares LOWER(email).
    statements: (t) => [
      `CREATE TABLE ${t.friendships} (
        user_id   VARCHAR2(200 BYTE) NOT NULL,
        friend_id VARCHAR2(200 BYTE) NOT NULL,
        status    VARCHAR2(8 BYTE) NOT NULL CONSTRAINT ${t.prefix}friendships_status
          CHECK (status IN ('accepted', 'sent', 'received')),
        since     TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}friendships_pk PRIMARY KEY (user_id, friend_id)
      ) ORGANIZATION INDEX`,
      `CREATE INDEX ${t.prefix}users_by_email ON ${t.users} (LOWER(email))`,
    ],
  },
  {
    version: 6,
    name: 'reactions',
    // One row per (message, emoji, user), as in sqliteReactions.ts; reaction_seq orders emoji and users, and a page
    // of messages reads its reactions as one range of the primary key. An emoji is at most 16 code points or a
    // 34-character short name: 64 CHAR. erased_reactors keeps erased users' reactions out of the view for good.
    statements: (t) => [
      `CREATE TABLE ${t.reactions} (
        room_id      VARCHAR2(200 BYTE) NOT NULL,
        seq          NUMBER(19) NOT NULL,
        emoji        VARCHAR2(64 CHAR) NOT NULL,
        user_id      VARCHAR2(200 BYTE) NOT NULL,
        reaction_seq NUMBER(19) NOT NULL,
        reacted_at   TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}reactions_pk PRIMARY KEY (room_id, seq, emoji, user_id)
      ) ORGANIZATION INDEX`,
      `CREATE INDEX ${t.prefix}reactions_by_user ON ${t.reactions} (user_id)`,
      `CREATE TABLE ${t.erasedReactors} (
        user_id VARCHAR2(200 BYTE) NOT NULL,
        CONSTRAINT ${t.prefix}erased_reactors_pk PRIMARY KEY (user_id)
      ) ORGANIZATION INDEX`,
    ],
  },
  {
    version: 7,
    name: 'room topics',
    // 250 code points may take up to 1000 bytes, so CHAR semantics; NULL is no topic (Oracle stores '' as NULL).
    statements: (t) => [`ALTER TABLE ${t.rooms} ADD (topic VARCHAR2(250 CHAR))`],
  },
  {
    version: 8,
    name: 'pinned messages',
    // One row per pinned message (as sqlitePins.ts); a room's list is a range of the primary key, at most 50 rows.
    statements: (t) => [
      `CREATE TABLE ${t.pins} (
        room_id   VARCHAR2(200 BYTE) NOT NULL,
        seq       NUMBER(19) NOT NULL,
        pinned_by VARCHAR2(200 BYTE) NOT NULL,
        pin_seq   NUMBER(19) NOT NULL,
        pinned_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}pins_pk PRIMARY KEY (room_id, seq)
      ) ORGANIZATION INDEX`,
    ],
  },
  {
    version: 9,
    name: 'files and images',
    // Issue #16. Only metadata: the bytes are in the file store (docs/architecture.md says why not BLOBs here). A
    // name may be empty (Oracle's '' is NULL, and an erased name is NULL); sizes are NUMBER(19) like seqs. A
    // message's attachments keep what its MessageSent recorded, so it lists its files before their uploads are
    // projected (another partition); the file's row adds whether the uploader was erased. SIZE and POSITION are
    // Oracle keywords: the columns are byte_size and item_no.
    statements: (t) => [
      `CREATE TABLE ${t.files} (
        file_id      VARCHAR2(200 BYTE) NOT NULL,
        uploaded_by  VARCHAR2(200 BYTE) NOT NULL,
        name         VARCHAR2(255 CHAR),
        content_type VARCHAR2(200 BYTE) NOT NULL,
        byte_size    NUMBER(19) NOT NULL,
        sha256       VARCHAR2(64 BYTE) NOT NULL,
        width        NUMBER(10),
        height       NUMBER(10),
        thumbnail    NUMBER(1) DEFAULT 0 NOT NULL,
        uploaded_at  TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        erased       NUMBER(1) DEFAULT 0 NOT NULL,
        discarded_at TIMESTAMP(3) WITH TIME ZONE,
        CONSTRAINT ${t.prefix}files_pk PRIMARY KEY (file_id)
      )`,
      `CREATE INDEX ${t.prefix}files_by_uploader ON ${t.files} (uploaded_by, sha256)`,
      `CREATE INDEX ${t.prefix}files_by_age ON ${t.files} (uploaded_at)`,
      `CREATE TABLE ${t.attachments} (
        room_id      VARCHAR2(200 BYTE) NOT NULL,
        seq          NUMBER(19) NOT NULL,
        item_no      NUMBER(3) NOT NULL,
        file_id      VARCHAR2(200 BYTE) NOT NULL,
        name         VARCHAR2(255 CHAR),
        content_type VARCHAR2(200 BYTE) NOT NULL,
        byte_size    NUMBER(19) NOT NULL,
        sha256       VARCHAR2(64 BYTE) NOT NULL,
        width        NUMBER(10),
        height       NUMBER(10),
        thumbnail    NUMBER(1) DEFAULT 0 NOT NULL,
        CONSTRAINT ${t.prefix}attachments_pk PRIMARY KEY (room_id, seq, item_no)
      ) ORGANIZATION INDEX`,
      `CREATE INDEX ${t.prefix}attachments_by_file ON ${t.attachments} (file_id, room_id, seq)`,
      `ALTER TABLE ${t.users} ADD (avatar_file_id VARCHAR2(200 BYTE))`,
      `CREATE INDEX ${t.prefix}users_by_avatar_file ON ${t.users} (avatar_file_id)`,
    ],
  },
  {
    version: 10,
    name: 'threads, mentions and blocks',
    // One row per reply (as sqliteThreads.ts), a thread's page a range of its index; each root's count of standing
    // replies and the time of the latest, counted again whenever a reply arrives or is deleted. One row per mentioned
    // user and message (as sqliteMentions.ts), keyed by the user: a room's mention count is a range after the read
    // marker, the user's mentions newest first a range of mentions_by_time. Who blocked whom (#17).
    statements: (t) => [
      `CREATE TABLE ${t.replies} (
        room_id      VARCHAR2(200 BYTE) NOT NULL,
        seq          NUMBER(19) NOT NULL,
        reply_to_seq NUMBER(19) NOT NULL,
        thread_seq   NUMBER(19) NOT NULL,
        CONSTRAINT ${t.prefix}replies_pk PRIMARY KEY (room_id, seq)
      ) ORGANIZATION INDEX`,
      `CREATE INDEX ${t.prefix}replies_by_thread ON ${t.replies} (room_id, thread_seq, seq)`,
      `CREATE TABLE ${t.threadRoots} (
        room_id       VARCHAR2(200 BYTE) NOT NULL,
        root_seq      NUMBER(19) NOT NULL,
        reply_count   NUMBER(10) NOT NULL,
        last_reply_at TIMESTAMP(3) WITH TIME ZONE,
        CONSTRAINT ${t.prefix}thread_roots_pk PRIMARY KEY (room_id, root_seq)
      ) ORGANIZATION INDEX`,
      `CREATE TABLE ${t.mentions} (
        user_id    VARCHAR2(200 BYTE) NOT NULL,
        room_id    VARCHAR2(200 BYTE) NOT NULL,
        seq        NUMBER(19) NOT NULL,
        sender_id  VARCHAR2(200 BYTE) NOT NULL,
        created_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        position   NUMBER(5) NOT NULL,
        CONSTRAINT ${t.prefix}mentions_pk PRIMARY KEY (user_id, room_id, seq)
      ) ORGANIZATION INDEX`,
      `CREATE INDEX ${t.prefix}mentions_by_time ON ${t.mentions} (user_id, created_at, room_id, seq)`,
      `CREATE INDEX ${t.prefix}mentions_by_message ON ${t.mentions} (room_id, seq)`,
      `CREATE TABLE ${t.blocks} (
        user_id    VARCHAR2(200 BYTE) NOT NULL,
        blocked_id VARCHAR2(200 BYTE) NOT NULL,
        blocked_at TIMESTAMP(3) WITH TIME ZONE NOT NULL,
        CONSTRAINT ${t.prefix}blocks_pk PRIMARY KEY (user_id, blocked_id)
      ) ORGANIZATION INDEX`,
    ],
  },
  // 11: the search index (its own file: the search projection owns its tables).
  SEARCH_INDEX_MIGRATION,
];

/** The version a database must be at for this code: the last migration's. */
export function latestVersion(migrations: readonly Migration[] = MIGRATIONS): number {
  return migrations.at(-1)?.version ?? 0;
}

/** The known list must be 1, 2, 3, ... in order: a gap or a reordering is a mistake in this file. */
export function assertWellOrdered(migrations: readonly Migration[]): void {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1) {
      throw new Error(`migration "${migration.name}" has version ${migration.version}, expected ${index + 1}`);
    }
  });
}

export type MigrationPlan =
  | { kind: 'current'; version: number }
  | { kind: 'pending'; from: number; pending: Migration[] }
  /** The database has versions this code does not know: a newer deployment migrated it. Never downgrade. */
  | { kind: 'newer'; databaseVersion: number; codeVersion: number }
  /** The recorded versions are not 1..n (a hand-edited table, or another schema's rows): refuse to guess. */
  | { kind: 'inconsistent'; applied: number[] };

/** What to run, given the versions recorded in schema_migrations (in any order). */
export function planMigrations(applied: readonly number[], migrations: readonly Migration[] = MIGRATIONS): MigrationPlan {
  assertWellOrdered(migrations);
  const sorted = [...applied].sort((a, b) => a - b);
  const codeVersion = latestVersion(migrations);
  if (!sorted.every((version, index) => version === index + 1)) return { kind: 'inconsistent', applied: sorted };
  const databaseVersion = sorted.length;
  if (databaseVersion > codeVersion) return { kind: 'newer', databaseVersion, codeVersion };
  if (databaseVersion === codeVersion) return { kind: 'current', version: codeVersion };
  return { kind: 'pending', from: databaseVersion, pending: migrations.slice(databaseVersion) };
}
