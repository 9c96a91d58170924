import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { SqliteSearchStore } from '../../../src/projections/search/sqlite/sqliteSearchStore.js';
import { searchStoreContract } from './searchStoreContract.js';

searchStoreContract('SQLite FTS5 in memory', async () => {
  const store = new SqliteSearchStore({ filename: ':memory:' });
  return { store, cleanup: () => store.close() };
});

searchStoreContract('SQLite FTS5 file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'search-store-'));
  const store = new SqliteSearchStore({ filename: join(dir, 'search.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});
