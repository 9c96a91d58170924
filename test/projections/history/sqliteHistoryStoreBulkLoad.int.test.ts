// A store filled as a bulk load (what `chat projections rebuild history` writes into a new file) must read exactly
// like one filled the ordinary way and be an ordinary WAL store once closed (the store contract also runs on one:
// sqliteHistoryStore.int.test.ts).

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';

import { SqliteHistoryStore } from '../../../src/projections/history/sqlite/sqliteHistoryStore.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

function someHistory(): RecordedEventLog {
  const log = new RecordedEventLog({ startAt: Date.UTC(2025, 0, 1) });
  log.registerUser('u-alice', 'alice');
  log.registerUser('u-bob', 'bob');
  log.createRoom('r-one', 'One', 'public', 'u-alice');
  log.join('r-one', 'u-bob');
  const first = log.send('r-one', 'u-alice', 'hello');
  log.send('r-one', 'u-bob', 'hi');
  log.edit('r-one', first.seq, 'hello all', 'u-alice');
  log.read('u-bob', 'r-one', first.seq);
  return log;
}

async function views(store: SqliteHistoryStore) {
  return {
    room: await store.getRoom('r-one'),
    messages: await store.getMessages('r-one', { limit: 50 }),
    checkpoint: await store.checkpoint(),
  };
}

describe('SqliteHistoryStore bulk load', () => {
  const dirs: string[] = [];
  const fileIn = (name: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'history-bulk-'));
    dirs.push(dir);
    return path.join(dir, name);
  };

  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('reads, once closed and opened again, exactly like a store filled the ordinary way, and is a WAL store', async () => {
    const events = someHistory().events;
    const ordinary = new SqliteHistoryStore({ filename: fileIn('ordinary.db') });
    await ordinary.applyBatch(events);
    const expected = await views(ordinary);
    await ordinary.close();

    const file = fileIn('bulk.db');
    const bulk = new SqliteHistoryStore({ filename: file, bulkLoad: true });
    const whileLoading = new Database(file, { readonly: true, fileMustExist: true });
    expect(whileLoading.pragma('journal_mode', { simple: true })).not.toBe('wal');
    whileLoading.close();
    await bulk.applyBatch(events.slice(0, 3));
    await bulk.applyBatch(events.slice(3));
    await bulk.close();

    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    const reopened = new SqliteHistoryStore({ filename: file });
    try {
      expect(await views(reopened)).toEqual(expected);
    } finally {
      await reopened.close();
    }
  });
});
