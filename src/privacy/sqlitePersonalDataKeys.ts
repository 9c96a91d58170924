// The embedded key store: its own SQLite file (DATA_DIR/keys.db), never the log's, so a copy of the log carries no
// key. The server and the CLI (`chat users erase`) open it at the same time; WAL plus a busy timeout serialises
// their writes. Key states are cached, and the cache is dropped whenever another connection has committed to the
// file (support/sqliteDataVersion.ts), so the server's next read still sees a key the CLI destroyed. Every send
// seals its text and every reader opens it: uncached, that was a statement and a row check each time.

import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { OtherConnectionsWatch } from '../support/sqliteDataVersion.js';
import { KEY_BYTES, type KeyState, type PersonalDataKeys } from './personalDataKeys.js';
import { PersonalDataErasedError, checkKeyOwner } from './privacyErrors.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS personal_data_keys (
  user_id      TEXT PRIMARY KEY,
  -- NULL once destroyed: the row stays as the tombstone that stops a new key from being made for the user.
  key          BLOB,
  created_at   INTEGER NOT NULL,
  destroyed_at INTEGER
) WITHOUT ROWID;
`;

const keyRow = z.object({ user_id: z.string(), key: z.instanceof(Buffer).nullable() });

/** Users whose key state is cached; when full, the cache starts over (it refills from one read per user). */
const MAX_CACHED_USERS = 10_000;

export class SqlitePersonalDataKeys implements PersonalDataKeys {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement<[string, Buffer, number], unknown>;
  private readonly select: Database.Statement<[string], unknown>;
  private readonly selectMany: Database.Statement<[string], unknown>;
  private readonly destroyRow: Database.Transaction<(userId: string, at: number) => boolean>;
  private closed = false;
  private readonly states = new Map<string, KeyState>();
  private readonly otherWriters: OtherConnectionsWatch;

  constructor(filename: string) {
    this.db = new Database(filename);
    this.otherWriters = new OtherConnectionsWatch(this.db);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    // Overwrite freed content with zeros, so a destroyed key's bytes do not linger in free pages of the file.
    this.db.pragma('secure_delete = ON');
    this.db.exec(SCHEMA);
    this.insert = this.db.prepare('INSERT INTO personal_data_keys (user_id, key, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.select = this.db.prepare('SELECT user_id, key FROM personal_data_keys WHERE user_id = ?');
    this.selectMany = this.db.prepare(
      'SELECT user_id, key FROM personal_data_keys WHERE user_id IN (SELECT value FROM json_each(?))',
    );
    const existing = this.db.prepare<[string], unknown>('SELECT key FROM personal_data_keys WHERE user_id = ?');
    const tombstone = this.db.prepare<{ userId: string; at: number }, unknown>(
      `INSERT INTO personal_data_keys (user_id, key, created_at, destroyed_at) VALUES (@userId, NULL, @at, @at)
       ON CONFLICT (user_id) DO UPDATE SET key = NULL, destroyed_at = COALESCE(destroyed_at, @at)`,
    );
    this.destroyRow = this.db.transaction((userId: string, at: number) => {
      const row = z.object({ key: z.instanceof(Buffer).nullable() }).optional().parse(existing.get(userId));
      tombstone.run({ userId, at });
      return row === undefined || row.key !== null;
    });
  }

  async keyFor(userId: string): Promise<Buffer> {
    checkKeyOwner(userId);
    const known = this.cached().get(userId);
    if (known?.state === 'present') return known.key;
    if (known?.state === 'destroyed') throw new PersonalDataErasedError(userId);
    // Read first: after the first message a user's key exists, and a read takes no write lock. Otherwise INSERT ...
    // DO NOTHING then read again: of two processes creating the first key at once, both read the winner's.
    let found: unknown = this.select.get(userId);
    if (found === undefined) {
      this.insert.run(userId, randomBytes(KEY_BYTES), Date.now());
      found = this.select.get(userId);
    }
    const row = keyRow.parse(found);
    this.remember(userId, row.key === null ? { state: 'destroyed' } : { state: 'present', key: row.key });
    if (row.key === null) throw new PersonalDataErasedError(userId);
    return row.key;
  }

  async lookup(userIds: readonly string[]): Promise<Map<string, KeyState>> {
    const states = new Map<string, KeyState>();
    if (userIds.length === 0) return states;
    const cached = this.cached();
    const unknown: string[] = [];
    for (const id of userIds) {
      const known = cached.get(id);
      if (known === undefined) unknown.push(id);
      else states.set(id, known);
    }
    if (unknown.length === 0) return states;
    for (const id of unknown) states.set(id, { state: 'absent' });
    for (const raw of this.selectMany.all(JSON.stringify([...new Set(unknown)]))) {
      const row = keyRow.parse(raw);
      states.set(row.user_id, row.key === null ? { state: 'destroyed' } : { state: 'present', key: row.key });
    }
    for (const id of unknown) {
      const state = states.get(id);
      if (state !== undefined) this.remember(id, state);
    }
    return states;
  }

  async destroy(userId: string, at: number): Promise<{ destroyedNow: boolean }> {
    checkKeyOwner(userId);
    const destroyedNow = this.destroyRow.immediate(userId, at);
    this.remember(userId, { state: 'destroyed' });
    // Move the WAL into the main file and truncate it, so the old page with the key is not left in the WAL.
    this.db.pragma('wal_checkpoint(TRUNCATE)');
    return { destroyedNow };
  }

  /** The cached states, emptied first if another connection has committed to the file since the last look. */
  private cached(): Map<string, KeyState> {
    if (this.otherWriters.committedSinceLastLook()) this.states.clear();
    return this.states;
  }

  private remember(userId: string, state: KeyState): void {
    if (this.states.size >= MAX_CACHED_USERS) this.states.clear();
    this.states.set(userId, state);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
