// The Kafka log's local read index: every event of the topic, as this process consumed it, in one SQLite file.
//
// Kafka can only be read partition by partition from an offset; readStream, streamVersion and findByCommandId
// need look-ups by stream and command id, and subscriptions need a cheap "what came after this checkpoint". The
// index answers those locally. Positions come from Kafka (offset + 1), so they mean the same in every process; the
// index is only a cache of the topic, and the next offset to consume per partition is stored in the same
// transaction as the rows, so a restart resumes exactly where the file stopped (and a lost file is rebuilt).

import Database from 'better-sqlite3';
import { z } from 'zod';
import type { RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { positionIn, type Checkpoint } from '../checkpoint.js';
import type { ReadStoredOptions, StoredEvent, StoredEventPage } from '../storedEventReader.js';
import { EventIndexMismatchError } from './kafkaEventLogErrors.js';

/** One consumed Kafka message, decoded. */
export interface IndexedEvent {
  partition: number;
  /** Kafka offset + 1. */
  position: number;
  streamId: string;
  streamVersion: number;
  eventId: string;
  commandId: string;
  body: Buffer;
}

interface BodyRow {
  partition: number;
  position: number;
  body: Buffer;
}

interface SeqRow extends BodyRow {
  seq: number;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS index_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;
-- seq is the order this process consumed events in: one valid interleaving of the partitions, used to page.
-- Nothing here is UNIQUE but the Kafka place: the index must take whatever the topic holds, never refuse it.
CREATE TABLE IF NOT EXISTS events (
  seq            INTEGER PRIMARY KEY AUTOINCREMENT,
  partition      INTEGER NOT NULL,
  position       INTEGER NOT NULL,
  stream_id      TEXT    NOT NULL,
  stream_version INTEGER NOT NULL,
  event_id       TEXT    NOT NULL,
  command_id     TEXT    NOT NULL,
  body           BLOB    NOT NULL,
  UNIQUE (partition, position)
);
CREATE INDEX IF NOT EXISTS events_by_stream ON events (stream_id, stream_version);
CREATE INDEX IF NOT EXISTS events_by_command ON events (command_id);
CREATE INDEX IF NOT EXISTS events_by_event_id ON events (event_id);
CREATE TABLE IF NOT EXISTS consumed (
  partition   INTEGER PRIMARY KEY,
  next_offset INTEGER NOT NULL
) WITHOUT ROWID;
`;

interface StoredRow {
  seq: number;
  partition: number;
  position: number;
  stream_id: string;
  stream_version: number;
  body: Buffer;
}

function storedEventOf(row: StoredRow): StoredEvent {
  return {
    streamId: row.stream_id,
    streamVersion: row.stream_version,
    partition: row.partition,
    position: row.position,
    body: row.body,
  };
}

const offsetRow = z.object({ partition: z.number().int().nonnegative(), next_offset: z.number().int().nonnegative() });
const headRow = z.object({ partition: z.number().int().nonnegative(), position: z.number().int().positive() });
/** SQLite reads a negative LIMIT as "no limit". */
const NO_LIMIT = -1;

export class EventIndex {
  private readonly db: Database.Database;
  // Row types are stated rather than parsed per row: they follow from the table above, and catch-up reads many.
  private readonly insert: Database.Statement<[number, number, string, number, string, string, Buffer]>;
  private readonly saveOffset: Database.Statement<[number, number]>;
  private readonly selectVersion: Database.Statement<[string], number>;
  private readonly selectStream: Database.Statement<[string, number, number], BodyRow>;
  private readonly selectByCommand: Database.Statement<[string], BodyRow>;
  private readonly selectEventId: Database.Statement<[string], number>;
  private readonly selectFirstAfter: Database.Statement<[number, number], number>;
  private readonly selectFromSeq: Database.Statement<[number], SeqRow>;
  private readonly selectAt: Database.Statement<[number, number], BodyRow>;
  private readonly writeBatch: Database.Transaction<(events: IndexedEvent[], partition: number, next: number) => number>;

  constructor(
    file: string,
    private readonly codec: EventCodec,
    topic: string,
  ) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // A crash may lose the last batches; the offsets go with them, so they are consumed again.
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
    this.claim(topic);

    this.insert = this.db.prepare(
      `INSERT OR IGNORE INTO events (partition, position, stream_id, stream_version, event_id, command_id, body)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    );
    this.saveOffset = this.db.prepare(
      `INSERT INTO consumed (partition, next_offset) VALUES (?, ?)
       ON CONFLICT (partition) DO UPDATE SET next_offset = max(next_offset, excluded.next_offset)`,
    );
    this.selectVersion = this.db
      .prepare<[string], number>('SELECT max(stream_version) FROM events WHERE stream_id = ?')
      .pluck();
    this.selectStream = this.db.prepare(
      `SELECT partition, position, body FROM events WHERE stream_id = ? AND stream_version >= ?
       ORDER BY stream_version LIMIT ?`,
    );
    this.selectByCommand = this.db.prepare(
      'SELECT partition, position, body FROM events WHERE command_id = ? ORDER BY seq',
    );
    this.selectEventId = this.db.prepare<[string], number>('SELECT 1 FROM events WHERE event_id = ? LIMIT 1').pluck();
    this.selectFirstAfter = this.db
      .prepare<[number, number], number>(
        'SELECT seq FROM events WHERE partition = ? AND position > ? ORDER BY position LIMIT 1',
      )
      .pluck();
    this.selectFromSeq = this.db.prepare('SELECT seq, partition, position, body FROM events WHERE seq >= ? ORDER BY seq');
    this.selectAt = this.db.prepare('SELECT partition, position, body FROM events WHERE partition = ? AND position = ?');
    this.writeBatch = this.db.transaction((events: IndexedEvent[], partition: number, next: number) => {
      let added = 0;
      for (const e of events) {
        added += this.insert.run(e.partition, e.position, e.streamId, e.streamVersion, e.eventId, e.commandId, e.body)
          .changes;
      }
      this.saveOffset.run(partition, next);
      return added;
    });
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  /** Stores one consumed batch of a partition and the offset to go on from, atomically; returns rows added. */
  addBatch(partition: number, events: IndexedEvent[], nextOffset: number): number {
    return this.writeBatch(events, partition, nextOffset);
  }

  /** Where consumption of each partition goes on (the offset after the last one stored). */
  consumedOffsets(): Map<number, number> {
    const rows = this.db.prepare('SELECT partition, next_offset FROM consumed').all();
    return new Map(rows.map((row) => offsetRow.parse(row)).map((row) => [row.partition, row.next_offset]));
  }

  /** The position of the last event of each partition held here. */
  head(): Array<[number, number]> {
    return this.db
      .prepare('SELECT partition, max(position) AS position FROM events GROUP BY partition')
      .all()
      .map((row) => headRow.parse(row))
      .map((row): [number, number] => [row.partition, row.position]);
  }

  streamVersion(streamId: string): number {
    return this.selectVersion.get(streamId) ?? 0;
  }

  readStream(streamId: string, fromVersion: number, limit: number | undefined): RecordedEvent[] {
    return this.decode(this.selectStream.all(streamId, fromVersion, limit ?? NO_LIMIT));
  }

  findByCommandId(commandId: string): RecordedEvent[] {
    return this.decode(this.selectByCommand.all(commandId));
  }

  hasEventId(eventId: string): boolean {
    return this.selectEventId.get(eventId) !== undefined;
  }

  /** The event at a Kafka place, if consumed. */
  at(partition: number, position: number): RecordedEvent | undefined {
    const row = this.selectAt.get(partition, position);
    return row === undefined ? undefined : this.decodeRow(row);
  }

  /**
   * Up to `limit` events the checkpoint does not cover, in consumption order. Starts at the first uncovered event
   * of any partition (one index seek per partition) and skips the covered rows after it, which are few when the
   * checkpoint was built from this same order (a subscription) and bounded by the skew between partitions else.
   */
  readAfter(after: Checkpoint, partitions: number, limit: number): RecordedEvent[] {
    if (limit <= 0) return [];
    let from: number | undefined;
    for (let partition = 0; partition < partitions; partition++) {
      const seq = this.selectFirstAfter.get(partition, positionIn(after, partition));
      if (seq !== undefined && (from === undefined || seq < from)) from = seq;
    }
    if (from === undefined) return [];
    const page: RecordedEvent[] = [];
    for (const row of this.selectFromSeq.iterate(from)) {
      if (row.position <= positionIn(after, row.partition)) continue;
      page.push(this.decodeRow(row));
      if (page.length >= limit) break;
    }
    return page;
  }

  /** The stored bytes of a stream's last event (the next append chains its hash to them); undefined when empty. */
  lastStoredBody(streamId: string): Buffer | undefined {
    return this.db
      .prepare<[string], Buffer>(
        'SELECT body FROM events WHERE stream_id = ? ORDER BY stream_version DESC, seq DESC LIMIT 1',
      )
      .pluck()
      .get(streamId);
  }

  /** One stream's events as consumed, raw (the audit port, eventlog/storedEventReader.ts). */
  readStoredStream(streamId: string, fromVersion: number, limit: number): StoredEvent[] {
    return this.db
      .prepare<[string, number, number], StoredRow>(
        `SELECT seq, partition, position, stream_id, stream_version, body FROM events
         WHERE stream_id = ? AND stream_version >= ? ORDER BY stream_version, seq LIMIT ?`,
      )
      .all(streamId, fromVersion, limit)
      .map(storedEventOf);
  }

  /** Events as consumed, raw, after a cursor (the consumption order `seq`: each partition in position order). */
  readStoredPage(options: ReadStoredOptions): StoredEventPage {
    const columns = 'seq, partition, position, stream_id, stream_version, body';
    const rows =
      options.streamId === undefined
        ? this.db
            .prepare<[number, number], StoredRow>(`SELECT ${columns} FROM events WHERE seq > ? ORDER BY seq LIMIT ?`)
            .all(options.after, options.limit)
        : this.db
            .prepare<[string, number, number], StoredRow>(
              `SELECT ${columns} FROM events WHERE stream_id = ? AND seq > ? ORDER BY seq LIMIT ?`,
            )
            .all(options.streamId, options.after, options.limit);
    return { events: rows.map(storedEventOf), cursor: rows.at(-1)?.seq ?? options.after };
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private decode(rows: BodyRow[]): RecordedEvent[] {
    return rows.map((row) => this.decodeRow(row));
  }

  private decodeRow(row: BodyRow): RecordedEvent {
    return this.codec.decode(row.body, { partition: row.partition, position: row.position });
  }

  /** An index file belongs to one topic: positions of another topic would be silently wrong. */
  private claim(topic: string): void {
    this.db.prepare("INSERT OR IGNORE INTO index_meta (key, value) VALUES ('topic', ?)").run(topic);
    const owner = this.db.prepare<[], string>("SELECT value FROM index_meta WHERE key = 'topic'").pluck().get();
    if (owner !== topic) {
      this.db.close();
      throw new EventIndexMismatchError(topic, owner ?? '');
    }
  }
}
