// The SQLite log chains every event to the stored bytes of its stream's previous event (events/hashChain.ts).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SqliteEventLog } from '../../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventCodec } from '../../../src/events/eventCodec.js';
import { GENESIS_HASH, eventHash } from '../../../src/events/hashChain.js';
import { sampleMessages } from '../../support/sampleEvents.js';
import { createTestCodec } from '../../support/testCodecs.js';

interface Row {
  stream_version: number;
  body: Buffer;
}

describe('SqliteEventLog hash chain', () => {
  let dir: string;
  let file: string;
  let codec: EventCodec;
  let log: SqliteEventLog;

  beforeAll(async () => {
    codec = await createTestCodec();
  });

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eventlog-chain-'));
    file = join(dir, 'events.db');
    log = SqliteEventLog.open({ file, codec });
  });

  afterEach(async () => {
    await log.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** The stream as stored, read past the log through a connection of the test's own. */
  const storedRows = (streamId: string): Row[] => {
    const db = new Database(file, { readonly: true });
    try {
      return db
        .prepare<[string], Row>('SELECT stream_version, body FROM events WHERE stream_id = ? ORDER BY stream_version')
        .all(streamId);
    } finally {
      db.close();
    }
  };

  /** previousHash as recorded in each stored body, decoded. */
  const recordedHashes = (rows: Row[]) =>
    rows.map((row, i) => codec.decode(row.body, { partition: 0, position: i + 1 }).previousHash);

  const expectedHashes = (rows: Row[]) => rows.map((_, i) => (i === 0 ? GENESIS_HASH : eventHash(rows[i - 1]?.body ?? Buffer.alloc(0))));

  it('chains across appends, within an append and within one group commit, stream by stream', async () => {
    await log.append('room-a', 'no-stream', sampleMessages(2, 'a'));
    // Same turn: one transaction holding two appends to room-a and one to room-b.
    const [third, , otherStream] = await Promise.all([
      log.append('room-a', 2, sampleMessages(2, 'a', 'x')),
      log.append('room-a', 4, sampleMessages(1, 'a', 'y')),
      log.append('room-b', 'no-stream', sampleMessages(2, 'b')),
    ]);
    expect(log.stats().transactions).toBe(2);

    const rows = storedRows('room-a');
    expect(rows.map((row) => row.stream_version)).toEqual([1, 2, 3, 4, 5]);
    expect(recordedHashes(rows)).toEqual(expectedHashes(rows));
    // What append returns and what reads decode are what was stored.
    expect(third.events.map((event) => event.previousHash)).toEqual(expectedHashes(rows).slice(2, 4));
    expect((await log.readStream('room-a')).map((event) => event.previousHash)).toEqual(expectedHashes(rows));

    const other = storedRows('room-b');
    expect(recordedHashes(other)).toEqual(expectedHashes(other));
    expect(otherStream.events[0]?.previousHash).toBe(GENESIS_HASH);
  });

  it('chains the first new event of an old stream to the stored bytes of its last event from before chains', async () => {
    // An event written before hash chains existed: same codec, previousHash null, inserted as the old log did.
    const [legacy] = sampleMessages(1, 'old');
    if (legacy === undefined) throw new Error('no sample');
    const legacyBody = codec.encode({ ...legacy, streamId: 'room-old', streamVersion: 1, previousHash: null });
    const db = new Database(file);
    db.prepare(
      `INSERT INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
       VALUES ('room-old', 1, ?, ?, ?, ?, ?)`,
    ).run(legacy.eventId, legacy.type, legacy.metadata.commandId, legacy.metadata.occurredAt, legacyBody);
    db.close();

    const { events } = await log.append('room-old', 1, sampleMessages(1, 'old', 'new'));
    expect(events[0]?.previousHash).toBe(eventHash(legacyBody));
    expect(recordedHashes(storedRows('room-old'))).toEqual([null, eventHash(legacyBody)]);
  });
});
