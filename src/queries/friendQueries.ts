import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { FriendshipListKind, HistoryStore, UserView } from '../projections/history/historyStore.js';
import type { RateLimiter } from '../ratelimit/rateLimiter.js';

// The friends read side (docs/clients.md "Friends"): the lists and the email search read the history view only.
// The requests, accepts and removals that change it are FriendCommands' (src/commands/friends).

export interface FriendQueriesDeps {
  history: Pick<HistoryStore, 'getUsers' | 'listFriendships' | 'getUsersByEmail' | 'listBlocks'>;
  /** Budget of email searches per user: a search tells whether an address has an account here. */
  searchLimiter: RateLimiter;
}

/** An entry of a friendship list: the other user's public profile (when the view has it) and since when. */
export interface FriendEntry {
  user: UserView;
  since: string;
}

export class FriendQueries {
  constructor(private readonly deps: FriendQueriesDeps) {}

  /**
   * The user's friends, or pending requests received or sent, oldest first, with public profiles. A request from
   * someone the user blocked never shows (#17): it stays pending on the sender's side, as an unanswered request
   * does, so the sender learns nothing of the block.
   */
  async list(userId: string, kind: FriendshipListKind): Promise<FriendEntry[]> {
    const listed = await this.deps.history.listFriendships(userId, kind);
    const blocked = kind === 'received' ? new Set((await this.deps.history.listBlocks(userId)).map((block) => block.userId)) : undefined;
    const entries = blocked === undefined ? listed : listed.filter((entry) => !blocked.has(entry.userId));
    const users = new Map((await this.deps.history.getUsers(entries.map((entry) => entry.userId))).map((u) => [u.userId, u]));
    // A user row may lag its friendship row (another partition): such an entry shows up on the next read.
    return entries.flatMap((entry) => {
      const user = users.get(entry.userId);
      return user ? [{ user, since: entry.since }] : [];
    });
  }

  /** Users registered with exactly this email (case-insensitive); counted against the searcher's budget. */
  async searchByEmail(actor: AccessPrincipal, email: string): Promise<UserView[]> {
    await this.deps.searchLimiter.consume(actor.userId);
    return this.deps.history.getUsersByEmail(email.trim());
  }
}
