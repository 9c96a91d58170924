import type Database from 'better-sqlite3';
import { z } from 'zod';
import type { FriendshipChanged } from '../historyChanges.js';
import type { FriendshipListKind, FriendshipView } from '../historyStore.js';
import { isoTime } from '../../../support/isoTime.js';

// The friendship rows of the SQLite history view, kept out of sqliteHistoryStore.ts so the feature is one file.
// One row per direction: (user, friend, status) with status 'accepted' on both rows of friends, and 'sent' / 'received'
// on the two rows of a pending request, so "my friends", "requests I received" and "requests I sent" are each one
// look-up on the primary key's prefix. A change replaces whatever the pair had (both rows, in the store's batch
// transaction), so replaying the same event twice leaves the same rows.

export const FRIENDSHIPS_SCHEMA = `
CREATE TABLE IF NOT EXISTS friendships (
  user_id   TEXT NOT NULL,
  friend_id TEXT NOT NULL,
  status    TEXT NOT NULL CHECK (status IN ('accepted', 'sent', 'received')),
  since     INTEGER NOT NULL,
  PRIMARY KEY (user_id, friend_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS friendships_by_status ON friendships (user_id, status, since);
-- The email search compares ASCII-lowercased addresses (SQLite's lower()); without this it reads every user.
CREATE INDEX IF NOT EXISTS users_by_email ON users (lower(email)) WHERE email IS NOT NULL;
`;

const STATUS_OF_KIND: Record<FriendshipListKind, 'accepted' | 'sent' | 'received'> = {
  friends: 'accepted',
  received: 'received',
  sent: 'sent',
};

const friendshipRow = z
  .object({ friend_id: z.string(), since: z.number().int() })
  .transform((r): FriendshipView => ({ userId: r.friend_id, since: isoTime(r.since) }));

type Statement = Database.Statement<unknown[], unknown>;

export class SqliteFriendships {
  private readonly deletePair: Statement;
  private readonly insertRow: Statement;
  private readonly list: Statement;
  private readonly byEmail: Statement;

  /** The tables must exist (FRIENDSHIPS_SCHEMA runs after the users table is made). */
  constructor(db: Database.Database) {
    const p = (sql: string): Statement => db.prepare<unknown[], unknown>(sql);
    this.deletePair = p(
      `DELETE FROM friendships WHERE (user_id = @userId AND friend_id = @friendId)
         OR (user_id = @friendId AND friend_id = @userId)`,
    );
    this.insertRow = p(
      'INSERT INTO friendships (user_id, friend_id, status, since) VALUES (@userId, @friendId, @status, @since)',
    );
    // Oldest first; the id breaks ties so the order is stable.
    this.list = p('SELECT friend_id, since FROM friendships WHERE user_id = ? AND status = ? ORDER BY since, friend_id');
    this.byEmail = p('SELECT user_id FROM users WHERE lower(email) = lower(?) AND email IS NOT NULL ORDER BY user_id');
  }

  apply(change: FriendshipChanged): void {
    const { userId, friendId, at } = change;
    this.deletePair.run({ userId, friendId });
    switch (change.status) {
      case 'none':
        return;
      case 'pending':
        this.insertRow.run({ userId, friendId, status: 'sent', since: at });
        this.insertRow.run({ userId: friendId, friendId: userId, status: 'received', since: at });
        return;
      case 'accepted':
        this.insertRow.run({ userId, friendId, status: 'accepted', since: at });
        this.insertRow.run({ userId: friendId, friendId: userId, status: 'accepted', since: at });
        return;
      default: {
        const unknownStatus: never = change.status;
        throw new Error(`unknown friendship status ${String(unknownStatus)}`);
      }
    }
  }

  listOf(userId: string, kind: FriendshipListKind): FriendshipView[] {
    return this.list.all(userId, STATUS_OF_KIND[kind]).map((row) => friendshipRow.parse(row));
  }

  userIdsWithEmail(email: string): string[] {
    return this.byEmail
      .all(email)
      .map((row) => z.object({ user_id: z.string() }).parse(row).user_id);
  }
}
