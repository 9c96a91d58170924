import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AccessPrincipal } from '../../src/auth/accessTokens.js';
import { SqliteHistoryStore } from '../../src/projections/history/sqlite/sqliteHistoryStore.js';
import { SqliteSearchStore } from '../../src/projections/search/sqlite/sqliteSearchStore.js';
import { isSearchText, parseSearchText, type SearchText } from '../../src/projections/search/searchText.js';
import { SearchQueries } from '../../src/queries/searchQueries.js';
import { RateLimiter } from '../../src/ratelimit/rateLimiter.js';
import { RecordedEventLog } from '../support/recordedEvents.js';

// The two views follow the log each at its own pace. Here the search view is left behind on purpose: what it still
// finds, the history view as it is now must hide (a left room, a deleted message, an erased sender).

const principal = (userId: string): AccessPrincipal => ({ userId, role: 'user', jti: 'j', familyId: 'f', expiresAt: 0, issuedAt: 0 });

function words(q: string): SearchText {
  const parsed = parseSearchText(q);
  if (!isSearchText(parsed)) throw new Error(q);
  return parsed;
}

describe('SearchQueries: the history view has the last word', () => {
  let history: SqliteHistoryStore;
  let search: SqliteSearchStore;
  let log: RecordedEventLog;
  let queries: SearchQueries;

  beforeEach(() => {
    history = new SqliteHistoryStore({ filename: ':memory:' });
    search = new SqliteSearchStore({ filename: ':memory:' });
    log = new RecordedEventLog();
    queries = new SearchQueries({ search, history, limiter: new RateLimiter('search-test', [{ points: 3, durationSeconds: 60 }]) });
    log.registerUser('u-alice', 'alice');
    log.registerUser('u-bob', 'bob');
    log.createRoom('r-priv', 'Private', 'private', 'u-alice');
    log.join('r-priv', 'u-bob');
  });
  afterEach(async () => {
    await history.close();
    await search.close();
  });

  it('drops hits in a room the caller has left, deleted messages and erased senders, though the search view still has them', async () => {
    const kept = log.send('r-priv', 'u-alice', 'otter one');
    const deleted = log.send('r-priv', 'u-alice', 'otter two');
    log.send('r-priv', 'u-bob', 'otter three');
    await search.applyBatch(log.since());
    log.delete('r-priv', deleted.seq, 'u-alice');
    log.erasePersonalData('u-bob');
    await history.applyBatch(log.since());
    const found = await queries.search(principal('u-alice'), { text: words('otter '), order: 'date', limit: 10 });
    expect(found.messages.map((message) => message.messageId)).toEqual([kept.messageId]);

    log.leave('r-priv', 'u-alice');
    await history.applyBatch(log.since(await history.checkpoint()));
    expect((await queries.search(principal('u-alice'), { text: words('otter '), order: 'date', limit: 10 })).messages).toEqual([]);
    await expect(queries.search(principal('u-alice'), { text: words('otter '), roomId: 'r-priv', order: 'date', limit: 10 })).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    // The fourth search of the minute is over this test's budget of three.
    await expect(queries.search(principal('u-alice'), { text: words('otter '), order: 'date', limit: 10 })).rejects.toMatchObject({
      code: 'RATE_LIMIT_EXCEEDED',
    });
  });

  it('refuses a room the caller may not read, or that does not exist, before searching it', async () => {
    log.send('r-priv', 'u-alice', 'otter');
    await search.applyBatch(log.since());
    await history.applyBatch(log.since());
    await expect(queries.search(principal('u-carol'), { text: words('otter'), roomId: 'r-priv', order: 'date', limit: 10 })).rejects.toMatchObject({
      code: 'NOT_MEMBER',
    });
    await expect(queries.search(principal('u-carol'), { text: words('otter'), roomId: 'r-none', order: 'date', limit: 10 })).rejects.toMatchObject({
      code: 'NO_ROOM',
    });
    expect((await queries.search(principal('u-bob'), { text: words('otter'), roomId: 'r-priv', order: 'relevance', limit: 10 })).messages).toHaveLength(1);
  });
});
