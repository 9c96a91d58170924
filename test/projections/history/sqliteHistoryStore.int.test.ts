import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';

import { mergeCheckpoints } from '../../../src/eventlog/checkpoint.js';
import { SqliteHistoryStore } from '../../../src/projections/history/sqlite/sqliteHistoryStore.js';
import { ROOMS_OF_USER_SQL } from '../../../src/projections/history/sqlite/sqliteStatements.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';
import { historyStoreContract } from './historyStoreContract.js';

historyStoreContract('SQLite in memory', async () => {
  const store = new SqliteHistoryStore({ filename: ':memory:' });
  return { store, cleanup: () => store.close() };
});

historyStoreContract('SQLite file', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'history-store-'));
  const store = new SqliteHistoryStore({ filename: join(dir, 'history.db') });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

// A store being rebuilt (`chat projections rebuild history`) is written as a bulk load: it must behave the same.
historyStoreContract('SQLite file, loaded in bulk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'history-store-bulk-'));
  const store = new SqliteHistoryStore({ filename: join(dir, 'history.db'), bulkLoad: true });
  return {
    store,
    cleanup: async () => {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

const planStep = z.object({ detail: z.string() });

describe('SqliteHistoryStore on a file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'history-store-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function scenario(): RecordedEventLog {
    const log = new RecordedEventLog();
    log.registerUser('u-alice', 'Alice');
    log.createRoom('r-1', 'One', 'public', 'u-alice');
    const sent = log.send('r-1', 'u-alice', 'hello');
    log.edit('r-1', sent.seq, 'hello again', 'u-alice');
    return log;
  }

  it('keeps views and checkpoint across a reopen, and goes on from the checkpoint', async () => {
    const filename = join(dir, 'history.db');
    const log = scenario();
    const first = new SqliteHistoryStore({ filename });
    await first.applyBatch(log.events);
    const room = await first.getRoom('r-1');
    const messages = await first.getMessages('r-1', { limit: 10 });
    const edits = await first.getEditHistory('r-1', 3);
    await first.close();

    const reopened = new SqliteHistoryStore({ filename });
    try {
      expect(await reopened.checkpoint()).toEqual(log.head);
      expect(await reopened.getRoom('r-1')).toEqual(room);
      expect(await reopened.getMessages('r-1', { limit: 10 })).toEqual(messages);
      expect(await reopened.getEditHistory('r-1', 3)).toEqual(edits);
      expect((await reopened.getUserByUsername('ALICE'))?.userId).toBe('u-alice');

      // Re-delivery after a restart changes nothing; new events apply.
      await reopened.applyBatch(log.events);
      expect(await reopened.getEditHistory('r-1', 3)).toEqual(edits);
      log.send('r-1', 'u-alice', 'after restart');
      await reopened.applyBatch(log.events);
      expect((await reopened.getMessages('r-1', { limit: 10 })).messages.map((m) => m.text)).toEqual([
        'hello again',
        'after restart',
      ]);
    } finally {
      await reopened.close();
    }
  });

  it('keeps separate checkpoints per projection name in one file', async () => {
    const filename = join(dir, 'history.db');
    const log = scenario();
    const a = new SqliteHistoryStore({ filename, projectionName: 'history' });
    await a.applyBatch(log.events);
    await a.close();
    const b = new SqliteHistoryStore({ filename, projectionName: 'history-v2' });
    try {
      expect(await b.checkpoint()).toEqual({});
    } finally {
      await b.close();
    }
  });

  it('keeps a row per partition, and a store from before partitions resumes at its position in partition 0', async () => {
    const filename = join(dir, 'history.db');
    // The table as stores created before partitioned positions have it: one position per projection.
    const old = new Database(filename);
    old.exec(`CREATE TABLE projection_checkpoints (name TEXT PRIMARY KEY, position INTEGER NOT NULL) WITHOUT ROWID;
      INSERT INTO projection_checkpoints VALUES ('history', 41), ('history-v2', 0);`);
    old.close();

    const migrated = new SqliteHistoryStore({ filename });
    try {
      expect(await migrated.checkpoint()).toEqual({ 0: 41 });
      const log = new RecordedEventLog({ partitions: 3, firstPosition: 50 });
      log.registerUser('u-alice', 'Alice');
      log.createRoom('r-1', 'One', 'public', 'u-alice');
      await migrated.applyBatch(log.events);
      expect(await migrated.checkpoint()).toEqual(mergeCheckpoints({ 0: 41 }, log.head));
    } finally {
      await migrated.close();
    }
    const raw = new Database(filename, { readonly: true });
    try {
      const rows = raw.prepare('SELECT name, partition, position FROM projection_checkpoints ORDER BY partition').all();
      expect(rows.length).toBeGreaterThan(1);
      expect(rows).toContainEqual({ name: 'history', partition: 0, position: expect.any(Number) });
    } finally {
      raw.close();
    }
    // Opening again finds the new table and leaves it alone.
    const again = new SqliteHistoryStore({ filename, projectionName: 'history-v2' });
    try {
      expect(await again.checkpoint()).toEqual({});
    } finally {
      await again.close();
    }
  });

  it('uses WAL so readers do not wait for the projector', async () => {
    const filename = join(dir, 'history.db');
    const store = new SqliteHistoryStore({ filename });
    await store.close();
    const db = new Database(filename, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      db.close();
    }
  });

  it("counts unread messages with a range search on the messages key, never a scan of a room's history", async () => {
    const filename = join(dir, 'history.db');
    const store = new SqliteHistoryStore({ filename });
    await store.close();
    const db = new Database(filename, { readonly: true });
    try {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN ${ROOMS_OF_USER_SQL}`)
        .all('u-alice', '', 10)
        .map((step) => planStep.parse(step).detail);
      expect(plan).toContain('SEARCH g USING PRIMARY KEY (room_id=? AND seq>?)');
      // So is the mention count (#17): the member's mentions in the room after the marker.
      expect(plan).toContain('SEARCH x USING PRIMARY KEY (user_id=? AND room_id=? AND seq>?)');
      expect(plan.filter((detail) => detail.startsWith('SCAN'))).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('closes idempotently', async () => {
    const store = new SqliteHistoryStore({ filename: join(dir, 'history.db') });
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
  });
});
