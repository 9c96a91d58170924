import { describe, expect, it } from 'vitest';
import type { AccessPrincipal } from '../../src/auth/accessTokens.js';
import type { FriendshipListKind, FriendshipView, UserView } from '../../src/projections/history/historyStore.js';
import { FriendQueries, type FriendQueriesDeps } from '../../src/queries/friendQueries.js';
import { RateLimiter } from '../../src/ratelimit/rateLimiter.js';

const user = (userId: string, email: string | null = null): UserView => ({
  userId,
  username: userId,
  email,
  displayName: userId,
  statusText: '',
  avatarUrl: null,
  role: 'user',
  createdAt: '2025-01-01T00:00:00.000Z',
  passwordHash: 'hash',
});

const alice: AccessPrincipal = { userId: 'alice', role: 'user', jti: 'j', familyId: 'f', expiresAt: 0, issuedAt: 0 };

/** A history view holding `users` and alice's friendship lists. */
function historyOf(
  users: UserView[],
  lists: Partial<Record<FriendshipListKind, FriendshipView[]>>,
  blocked: string[] = [],
): FriendQueriesDeps['history'] {
  return {
    getUsers: async (ids) => users.filter((u) => ids.includes(u.userId)),
    listFriendships: async (userId, kind) => (userId === 'alice' ? (lists[kind] ?? []) : []),
    getUsersByEmail: async (email) => users.filter((u) => u.email?.toLowerCase() === email.toLowerCase()),
    listBlocks: async (userId) => (userId === 'alice' ? blocked.map((id) => ({ userId: id, blockedAt: '2025-01-09T00:00:00.000Z' })) : []),
  };
}

describe('FriendQueries', () => {
  it("leaves a blocked user's request out of the received list only: it stays pending on their side (#17)", async () => {
    const since = '2025-01-02T00:00:00.000Z';
    const queries = new FriendQueries({
      history: historyOf(
        [user('bob'), user('carol')],
        { received: [{ userId: 'bob', since }, { userId: 'carol', since }], friends: [{ userId: 'bob', since }] },
        ['bob'],
      ),
      searchLimiter: new RateLimiter('email-search', [{ points: 5, durationSeconds: 1 }]),
    });
    expect((await queries.list('alice', 'received')).map((entry) => entry.user.userId)).toEqual(['carol']);
    expect((await queries.list('alice', 'friends')).map((entry) => entry.user.userId)).toEqual(['bob']);
  });

  it('lists each kind oldest first with the other user, leaving out a user the view does not hold yet', async () => {
    const queries = new FriendQueries({
      history: historyOf([user('bob'), user('carol')], {
        friends: [
          { userId: 'bob', since: '2025-01-02T00:00:00.000Z' },
          { userId: 'lagging', since: '2025-01-03T00:00:00.000Z' },
          { userId: 'carol', since: '2025-01-04T00:00:00.000Z' },
        ],
        sent: [{ userId: 'carol', since: '2025-01-05T00:00:00.000Z' }],
      }),
      searchLimiter: new RateLimiter('email-search', [{ points: 5, durationSeconds: 1 }]),
    });

    expect(await queries.list('alice', 'friends')).toEqual([
      { user: user('bob'), since: '2025-01-02T00:00:00.000Z' },
      { user: user('carol'), since: '2025-01-04T00:00:00.000Z' },
    ]);
    expect(await queries.list('alice', 'sent')).toEqual([{ user: user('carol'), since: '2025-01-05T00:00:00.000Z' }]);
    expect(await queries.list('alice', 'received')).toEqual([]);
  });

  it("finds users by a trimmed email and counts each search against the searcher's budget", async () => {
    const queries = new FriendQueries({
      history: historyOf([user('bob', 'bob@example.com')], {}),
      searchLimiter: new RateLimiter('email-search', [{ points: 2, durationSeconds: 60 }]),
    });

    expect(await queries.searchByEmail(alice, '  BOB@example.com ')).toEqual([user('bob', 'bob@example.com')]);
    expect(await queries.searchByEmail(alice, 'nobody@example.com')).toEqual([]);
    await expect(queries.searchByEmail(alice, 'bob@example.com')).rejects.toMatchObject({ code: 'RATE_LIMIT_EXCEEDED' });
  });
});
