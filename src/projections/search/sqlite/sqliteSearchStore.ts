// The embedded search view: SQLite FTS5 in its own file, written by the search projector (schema:
// sqliteSearchSchema.ts). Reads are bounded so that a search over a million messages stays within tens of
// milliseconds whatever the words: see scanFloor and RELEVANCE_WINDOW.

import Database from 'better-sqlite3';
import { z } from 'zod';

import type { RecordedEvent } from '../../../events/envelope.js';
import { checkpointFromEntries, type Checkpoint } from '../../../eventlog/checkpoint.js';
import { journalFor } from '../../../support/sqliteBulkLoad.js';
import { searchChanges, type SearchChange } from '../searchChanges.js';
import {
  RELEVANCE_WINDOW,
  type SearchHit,
  type SearchPage,
  type SearchRequest,
  type SearchStore,
} from '../searchStore.js';
import { inverseDocumentFrequency, rankByRelevance } from '../relevance.js';
import { toFts5Match, type SearchText } from '../searchText.js';
import { ensureSearchSchema, roomToken } from './sqliteSearchSchema.js';

/**
 * A search over all the caller's rooms looks at most this many of the newest matches per page before the caller's
 * access filters them: a common word mostly matched in rooms they cannot read must not make them wait for every
 * match. A page that ends there has a cursor to go on below it (possibly with fewer hits than asked for).
 */
export const SCAN_BUDGET = 20_000;

/**
 * Documents counted per word for its IDF, and the count from which a last word is no longer also read as a prefix:
 * FTS5 merges the doclists of every word a prefix begins into one before returning a row, so `the*` would read every
 * "the" of the index; a word that common is already the answer to type-ahead on its own.
 */
export const DF_CAP = 5000;

export interface SqliteSearchStoreOptions {
  /** A file path, or ':memory:'. */
  filename: string;
}

const hitRow = z.object({ doc: z.number().int(), room_id: z.string(), seq: z.number().int(), message_id: z.string() });
const candidateRow = hitRow.extend({ text: z.string() });
const roomRow = z.object({ room_id: z.string() });
const docCountRow = z.object({ doc: z.number().int() });
const docRow = z.object({ doc: z.number().int(), room_id: z.string() });
const rowidRow = z.object({ rowid: z.number().int() });
const checkpointRow = z.object({ partition_no: z.number().int(), position: z.number().int() });
const maxRow = z.object({ top: z.number().int() });

// Who may read a room now: its members, and anyone signed in for a public room (queries/roomAccess.ts). A function
// over a set made once per search (the caller's rooms and the public ones) costs a fraction of two index probes per
// scanned row.
const READABLE = 'search_may_read(d.room_id) = 1';
const IN_ROOM = 'd.room_id = @room';

export class SqliteSearchStore implements SearchStore {
  private readonly db: Database.Database;
  private readonly applyInTransaction: (events: RecordedEvent[]) => void;
  private readonly sql;
  /** The rooms the search running now may read (SQLite runs one statement at a time in this process). */
  private readableNow = new Set<string>();
  /** Public rooms, loaded on the first search after a batch that created a room. */
  private publicRooms: Set<string> | undefined;

  constructor(options: SqliteSearchStoreOptions) {
    this.db = new Database(options.filename);
    journalFor(this.db, false);
    // Removed text (an edit, a delete, an erasure) is overwritten on disk, not left in free pages.
    this.db.pragma('secure_delete = ON');
    ensureSearchSchema(this.db);
    const db = this.db;
    db.function('search_may_read', { deterministic: false }, (roomId: unknown) => (typeof roomId === 'string' && this.readableNow.has(roomId) ? 1 : 0));
    this.sql = {
      checkpoint: db.prepare('SELECT partition_no, position FROM search_checkpoints'),
      saveCheckpoint: db.prepare(
        'INSERT INTO search_checkpoints (partition_no, position) VALUES (?, ?) ON CONFLICT (partition_no) DO UPDATE SET position = excluded.position',
      ),
      room: db.prepare('INSERT INTO search_rooms (room_id, public) VALUES (?, ?) ON CONFLICT (room_id) DO UPDATE SET public = excluded.public'),
      addMember: db.prepare('INSERT OR IGNORE INTO search_members (user_id, room_id) VALUES (?, ?)'),
      removeMember: db.prepare('DELETE FROM search_members WHERE user_id = ? AND room_id = ?'),
      insertDoc: db.prepare('INSERT OR IGNORE INTO search_docs (message_id, room_id, seq, sender_id, text) VALUES (?, ?, ?, ?, ?)'),
      setText: db.prepare('UPDATE search_docs SET text = ? WHERE doc = ?'),
      roomsOf: db.prepare('SELECT room_id FROM search_members WHERE user_id = ?'),
      publicRooms: db.prepare('SELECT room_id FROM search_rooms WHERE public = 1'),
      // Counting stops at DF_CAP: a count walks the doclist, and a word in most messages has one as long as the index.
      docFrequency: db.prepare(`SELECT count(*) AS doc FROM (SELECT rowid FROM search_fts WHERE search_fts MATCH @match LIMIT ${DF_CAP})`),
      docOf: db.prepare('SELECT doc, room_id FROM search_docs WHERE message_id = ?'),
      docsOfSender: db.prepare('SELECT doc, room_id FROM search_docs WHERE sender_id = ?'),
      deleteDoc: db.prepare('DELETE FROM search_docs WHERE doc = ?'),
      insertText: db.prepare('INSERT INTO search_fts (rowid, text, room) VALUES (?, ?, ?)'),
      deleteText: db.prepare('DELETE FROM search_fts WHERE rowid = ?'),
      top: db.prepare('SELECT coalesce(max(doc), 0) AS top FROM search_docs'),
      nthMatch: db.prepare(
        'SELECT rowid FROM search_fts WHERE search_fts MATCH @match AND rowid <= @upTo ORDER BY rowid DESC LIMIT 1 OFFSET @skip',
      ),
      dateAll: db.prepare(dateSql(READABLE)),
      dateRoom: db.prepare(dateSql(IN_ROOM)),
      relevanceAll: db.prepare(relevanceSql(READABLE)),
      relevanceRoom: db.prepare(relevanceSql(IN_ROOM)),
    };
    this.applyInTransaction = db.transaction((events: RecordedEvent[]) => {
      const positions = new Map(Object.entries(this.readCheckpoint()).map(([p, position]) => [Number(p), position]));
      const moved = new Set<number>();
      for (const event of events) {
        // At-least-once delivery: anything at or below its partition's checkpoint is already in the view.
        if (event.position <= (positions.get(event.partition) ?? 0)) continue;
        for (const change of searchChanges(event)) {
          if (change.op === 'roomKnown') this.publicRooms = undefined;
          this.apply(change);
        }
        positions.set(event.partition, event.position);
        moved.add(event.partition);
      }
      for (const partition of moved) this.sql.saveCheckpoint.run(partition, positions.get(partition));
    });
  }

  async applyBatch(events: RecordedEvent[]): Promise<void> {
    this.applyInTransaction(events);
  }

  async checkpoint(): Promise<Checkpoint> {
    return this.readCheckpoint();
  }

  async search(original: SearchRequest): Promise<SearchPage> {
    const request = this.withoutCommonPrefix(original);
    const text = `text : (${toFts5Match(request.text)})`;
    const inRoom = request.roomId !== undefined;
    const match = inRoom ? `room : "${roomToken(request.roomId ?? '')}" AND ${text}` : text;
    const base = { match, user: request.userId, room: request.roomId ?? null };
    const take = request.limit + 1;
    if (!inRoom) this.readableBy(request.userId);
    if (request.order === 'date') {
      const from = request.from?.order === 'date' ? request.from.below : Number.MAX_SAFE_INTEGER;
      // Within one room FTS5 intersects the room's doclist itself: no bound is needed.
      const floor = inRoom ? 0 : this.scanFloor(match, from - 1);
      const rows = this.sql[inRoom ? 'dateRoom' : 'dateAll'].all({ ...base, below: from, floor, take }).map((row) => hitRow.parse(row));
      const hits = rows.slice(0, request.limit);
      const last = hits.at(-1);
      if (rows.length > request.limit && last !== undefined) return { hits: hits.map(toHit), next: { order: 'date', below: last.doc } };
      return floor > 0 ? { hits: hits.map(toHit), next: { order: 'date', below: floor } } : { hits: hits.map(toHit) };
    }
    const top = request.from?.order === 'relevance' ? request.from.top : maxRow.parse(this.sql.top.get()).top;
    const offset = request.from?.order === 'relevance' ? request.from.offset : 0;
    const floor = inRoom ? 0 : this.scanFloor(match, top);
    const candidates = this.sql[inRoom ? 'relevanceRoom' : 'relevanceAll']
      .all({ ...base, top, floor, window: RELEVANCE_WINDOW })
      .map((row) => candidateRow.parse(row));
    const ranked = rankByRelevance(candidates, request.text, this.inverseDocumentFrequencies(request.text, top));
    const rows = ranked.slice(offset, offset + take);
    const hits = rows.slice(0, request.limit).map(toHit);
    return rows.length > request.limit ? { hits, next: { order: 'relevance', top, offset: offset + request.limit } } : { hits };
  }

  /** The request, with its last word matched whole when that word alone is in DF_CAP messages or more. */
  private withoutCommonPrefix(request: SearchRequest): SearchRequest {
    const last = request.text.terms.at(-1);
    if (!request.text.prefixLast || last === undefined) return request;
    if (this.documentsWith(last.words.join(' ')) < DF_CAP) return request;
    return { ...request, text: { ...request.text, prefixLast: false } };
  }

  /** Messages holding `phrase`, counted up to DF_CAP. */
  private documentsWith(phrase: string): number {
    return docCountRow.parse(this.sql.docFrequency.get({ match: `text : "${phrase.replaceAll('"', '""')}"` })).doc;
  }

  /** One weight per term: a word's from the index's statistics, a phrase's the sum of its words', the prefix's the mean. */
  private inverseDocumentFrequencies(text: SearchText, documents: number): number[] {
    const idf = (word: string) => inverseDocumentFrequency(documents, this.documentsWith(word));
    const weights = text.terms.map((term, index) =>
      text.prefixLast && index === text.terms.length - 1 ? undefined : term.words.reduce((sum, word) => sum + idf(word), 0),
    );
    const known = weights.filter((weight) => weight !== undefined);
    const mean = known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
    return weights.map((weight) => weight ?? mean);
  }

  /** Sets the rooms search_may_read() lets through for the search about to run. */
  private readableBy(userId: string): void {
    this.publicRooms ??= new Set(this.sql.publicRooms.all().map((row) => roomRow.parse(row).room_id));
    this.readableNow = new Set(this.publicRooms);
    for (const row of this.sql.roomsOf.all(userId)) this.readableNow.add(roomRow.parse(row).room_id);
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }

  /** The lowest document a page may look at: the SCAN_BUDGET-th newest match at or below `upTo` (0: all of them). */
  private scanFloor(match: string, upTo: number): number {
    const row = this.sql.nthMatch.get({ match, upTo, skip: SCAN_BUDGET - 1 });
    return row === undefined ? 0 : rowidRow.parse(row).rowid;
  }

  private readCheckpoint(): Checkpoint {
    return checkpointFromEntries(
      this.sql.checkpoint.all().map((row) => {
        const { partition_no, position } = checkpointRow.parse(row);
        return [partition_no, position] as const;
      }),
    );
  }

  private apply(change: SearchChange): void {
    switch (change.op) {
      case 'roomKnown':
        this.sql.room.run(change.roomId, change.kind === 'public' ? 1 : 0);
        return;
      case 'memberAdded':
        this.sql.addMember.run(change.userId, change.roomId);
        return;
      case 'memberRemoved':
        this.sql.removeMember.run(change.userId, change.roomId);
        return;
      case 'textSent': {
        const inserted = this.sql.insertDoc.run(change.messageId, change.roomId, change.seq, change.senderId, change.text);
        if (inserted.changes === 1) this.sql.insertText.run(inserted.lastInsertRowid, change.text, roomToken(change.roomId));
        return;
      }
      case 'textEdited': {
        const found = this.sql.docOf.get(change.messageId);
        if (found === undefined) return;
        const { doc, room_id } = docRow.parse(found);
        this.sql.deleteText.run(doc);
        this.sql.insertText.run(doc, change.text, roomToken(room_id));
        this.sql.setText.run(change.text, doc);
        return;
      }
      case 'textRemoved': {
        const found = this.sql.docOf.get(change.messageId);
        if (found !== undefined) this.removeDoc(docRow.parse(found).doc);
        return;
      }
      case 'senderErased':
        for (const row of this.sql.docsOfSender.all(change.userId)) this.removeDoc(docRow.parse(row).doc);
        return;
      default: {
        const unknown: never = change;
        throw new Error(`sqliteSearchStore: unhandled change ${JSON.stringify(unknown)}`);
      }
    }
  }

  private removeDoc(doc: number): void {
    this.sql.deleteText.run(doc);
    this.sql.deleteDoc.run(doc);
  }
}

function toHit(row: z.infer<typeof hitRow>): SearchHit {
  return { roomId: row.room_id, seq: row.seq, messageId: row.message_id };
}

// CROSS JOIN keeps FTS5 the outer loop, so the rows come newest first straight from its index and the LIMIT stops
// the scan early.
function dateSql(access: string): string {
  return `SELECT d.doc, d.room_id, d.seq, d.message_id
    FROM search_fts f CROSS JOIN search_docs d ON d.doc = f.rowid
    WHERE search_fts MATCH @match AND f.rowid < @below AND f.rowid >= @floor AND ${access}
    ORDER BY f.rowid DESC LIMIT @take`;
}

// The newest RELEVANCE_WINDOW readable matches up to `top`, with their texts: relevance.ts ranks them.
function relevanceSql(access: string): string {
  return `SELECT d.doc, d.room_id, d.seq, d.message_id, d.text
    FROM search_fts f CROSS JOIN search_docs d ON d.doc = f.rowid
    WHERE search_fts MATCH @match AND f.rowid <= @top AND f.rowid >= @floor AND ${access}
    ORDER BY f.rowid DESC LIMIT @window`;
}
