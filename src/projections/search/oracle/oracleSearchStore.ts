// The distributed search view: Oracle Text (a CONTEXT index, CONTAINS and SCORE) over the tables of migration 11
// (history/oracle/searchMigration.ts), in the history view's schema, its checkpoint in the same checkpoints table
// under projection 'search'. Written by the projector:history processes, read by every api process.

import oracledb, { type BindRow, type Connection, type Pool } from 'oracledb';
import { z } from 'zod';

import type { RecordedEvent } from '../../../events/envelope.js';
import { checkpointFromEntries, type Checkpoint } from '../../../eventlog/checkpoint.js';
import { latestVersion } from '../../history/oracle/migrations.js';
import { isConnectionLost, toHistoryStoreError } from '../../history/oracle/oracleErrors.js';
import { checkpointRow } from '../../history/oracle/oracleRows.js';
import { checkpointSql } from '../../history/oracle/oracleSql.js';
import { oracleSearchTables, type OracleSearchTables } from '../../history/oracle/searchMigration.js';
import type { OracleTables } from '../../history/oracle/oracleTables.js';
import { searchChanges, type SearchChange } from '../searchChanges.js';
import { RELEVANCE_WINDOW, type SearchPage, type SearchRequest, type SearchStore } from '../searchStore.js';
import { foldForColumn, toOracleContains } from '../searchText.js';

const PROJECTION = 'search';
const int = z.number().int();
const hitRow = z.object({ DOC: int, ROOM_ID: z.string(), SEQ: int, MESSAGE_ID: z.string() });
const topRow = z.object({ TOP: int });

export interface OracleSearchStoreOptions {
  pool: Pool;
  tables: OracleTables;
  /** Close the pool with the store (the store opened it). */
  ownsPool?: boolean;
}

export class OracleSearchStore implements SearchStore {
  private readonly pool: Pool;
  private readonly ownsPool: boolean;
  private readonly t: OracleSearchTables;
  private readonly checkpoints: ReturnType<typeof checkpointSql>;
  private readonly write: Record<SearchChange['op'], string>;
  private closed = false;

  constructor(options: OracleSearchStoreOptions) {
    this.pool = options.pool;
    this.ownsPool = options.ownsPool ?? false;
    this.t = oracleSearchTables(options.tables);
    this.checkpoints = checkpointSql(options.tables);
    this.write = searchWriteSql(this.t);
  }

  /** One transaction: lock and read the checkpoint, apply what it does not cover, move it, commit once. */
  async applyBatch(events: RecordedEvent[]): Promise<void> {
    await this.withConnection('applySearchBatch', async (connection) => {
      try {
        const rows = await this.rows(connection, this.checkpoints.readForUpdate, { projection: PROJECTION });
        const positions = new Map(rows.map((row) => checkpointRow.parse(row)));
        const moved = new Set<number>();
        for (const event of events) {
          if (event.position <= (positions.get(event.partition) ?? 0)) continue;
          for (const change of searchChanges(event)) await connection.execute(this.write[change.op], bindsOf(change));
          positions.set(event.partition, event.position);
          moved.add(event.partition);
        }
        if (moved.size === 0) {
          await connection.rollback();
          return;
        }
        const saved: BindRow[] = [...moved].map((partition) => ({
          projection: PROJECTION,
          partitionNo: partition,
          position: positions.get(partition) ?? 0,
        }));
        await connection.executeMany(this.checkpoints.save, saved);
        await connection.commit();
      } catch (error) {
        if (!isConnectionLost(error)) await connection.rollback().catch(() => undefined);
        throw error;
      }
    });
  }

  async checkpoint(): Promise<Checkpoint> {
    const rows = await this.withConnection('searchCheckpoint', (c) => this.rows(c, this.checkpoints.read, { projection: PROJECTION }));
    return checkpointFromEntries(rows.map((row) => checkpointRow.parse(row)));
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    const t = this.t;
    const inRoom = request.roomId !== undefined;
    const who: BindRow = request.roomId !== undefined ? { roomId: request.roomId } : { userId: request.userId };
    const query = toOracleContains(request.text);
    const take = request.limit + 1;
    return this.withConnection('search', async (connection) => {
      if (request.order === 'date') {
        const below = request.from?.order === 'date' ? request.from.below : Number.MAX_SAFE_INTEGER;
        const rows = await this.rows(connection, searchReadSql(t, inRoom).date, { ...who, query, below, takeRows: take });
        const hits = rows.map((row) => hitRow.parse(row));
        const page = hits.slice(0, request.limit);
        const last = page.at(-1);
        const found = page.map(toHit);
        return hits.length > request.limit && last !== undefined ? { hits: found, next: { order: 'date', below: last.DOC } } : { hits: found };
      }
      const top =
        request.from?.order === 'relevance'
          ? request.from.top
          : topRow.parse((await this.rows(connection, `SELECT NVL(MAX(doc), 0) AS top FROM ${t.docs}`, {}))[0]).TOP;
      const offset = request.from?.order === 'relevance' ? request.from.offset : 0;
      const rows = await this.rows(connection, searchReadSql(t, inRoom).relevance, {
        ...who,
        query,
        top,
        windowRows: RELEVANCE_WINDOW,
        skipRows: offset,
        takeRows: take,
      });
      const hits = rows.map((row) => hitRow.parse(row));
      const found = hits.slice(0, request.limit).map(toHit);
      return hits.length > request.limit ? { hits: found, next: { order: 'relevance', top, offset: offset + request.limit } } : { hits: found };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsPool) await this.pool.close(0);
  }

  private async rows(connection: Connection, sql: string, binds: BindRow): Promise<unknown[]> {
    const result = await connection.execute(sql, binds, { outFormat: oracledb.OUT_FORMAT_OBJECT });
    return result.rows ?? [];
  }

  private async withConnection<T>(operation: string, work: (connection: Connection) => Promise<T>): Promise<T> {
    let connection: Connection | undefined;
    let lost = false;
    try {
      connection = await this.pool.getConnection();
      return await work(connection);
    } catch (error) {
      lost = isConnectionLost(error);
      throw toHistoryStoreError(error, operation, latestVersion());
    } finally {
      if (connection) await (lost ? connection.close({ drop: true }) : connection.close()).catch(() => undefined);
    }
  }
}

/** The searches: in one room (`:roomId`), or in every room `:userId` may read now (a member, or a public room). */
export function searchReadSql(t: OracleSearchTables, inRoom: boolean): { date: string; relevance: string } {
  const access = inRoom
    ? 'd.room_id = :roomId'
    : `(EXISTS (SELECT 1 FROM ${t.members} m WHERE m.user_id = :userId AND m.room_id = d.room_id)
        OR EXISTS (SELECT 1 FROM ${t.rooms} r WHERE r.room_id = d.room_id AND r.is_public = 1))`;
  return {
    date: `SELECT d.doc, d.room_id, d.seq, d.message_id FROM ${t.docs} d
      WHERE CONTAINS(d.folded, :query) > 0 AND d.doc < :below AND ${access}
      ORDER BY d.doc DESC FETCH FIRST :takeRows ROWS ONLY`,
    // The newest RELEVANCE_WINDOW readable matches up to `top`, ranked by Oracle Text's score, newest first among equals.
    relevance: `SELECT doc, room_id, seq, message_id FROM (
        SELECT d.doc, d.room_id, d.seq, d.message_id, SCORE(1) AS score FROM ${t.docs} d
        WHERE CONTAINS(d.folded, :query, 1) > 0 AND d.doc <= :top AND ${access}
        ORDER BY d.doc DESC FETCH FIRST :windowRows ROWS ONLY)
      ORDER BY score DESC, doc DESC OFFSET :skipRows ROWS FETCH NEXT :takeRows ROWS ONLY`,
  };
}

/** One statement per search change, its bind variables named as bindsOf names them. */
export function searchWriteSql(t: OracleSearchTables): Record<SearchChange['op'], string> {
  return {
    roomKnown: `MERGE INTO ${t.rooms} r USING (SELECT :roomId AS room_id FROM dual) s ON (r.room_id = s.room_id)
      WHEN MATCHED THEN UPDATE SET r.is_public = :isPublic
      WHEN NOT MATCHED THEN INSERT (room_id, is_public) VALUES (s.room_id, :isPublic)`,
    memberAdded: `MERGE INTO ${t.members} m USING (SELECT :userId AS user_id, :roomId AS room_id FROM dual) s
      ON (m.user_id = s.user_id AND m.room_id = s.room_id)
      WHEN NOT MATCHED THEN INSERT (user_id, room_id) VALUES (s.user_id, s.room_id)`,
    memberRemoved: `DELETE FROM ${t.members} WHERE user_id = :userId AND room_id = :roomId`,
    textSent: `MERGE INTO ${t.docs} d USING (SELECT :messageId AS message_id FROM dual) s ON (d.message_id = s.message_id)
      WHEN NOT MATCHED THEN INSERT (message_id, room_id, seq, sender_id, folded) VALUES (s.message_id, :roomId, :seq, :senderId, :folded)`,
    textEdited: `UPDATE ${t.docs} SET folded = :folded WHERE message_id = :messageId`,
    textRemoved: `DELETE FROM ${t.docs} WHERE message_id = :messageId`,
    senderErased: `DELETE FROM ${t.docs} WHERE sender_id = :userId`,
  };
}

function toHit(row: z.infer<typeof hitRow>) {
  return { roomId: row.ROOM_ID, seq: row.SEQ, messageId: row.MESSAGE_ID };
}

/** The bind variables of one change's statement (this.write), named as it names them. */
export function bindsOf(change: SearchChange): BindRow {
  switch (change.op) {
    case 'roomKnown':
      return { roomId: change.roomId, isPublic: change.kind === 'public' ? 1 : 0 };
    case 'memberAdded':
    case 'memberRemoved':
      return { userId: change.userId, roomId: change.roomId };
    case 'textSent':
      return { messageId: change.messageId, roomId: change.roomId, seq: change.seq, senderId: change.senderId, folded: foldForColumn(change.text) };
    case 'textEdited':
      return { messageId: change.messageId, folded: foldForColumn(change.text) };
    case 'textRemoved':
      return { messageId: change.messageId };
    case 'senderErased':
      return { userId: change.userId };
    default: {
      const unknown: never = change;
      throw new Error(`oracleSearchStore: unhandled change ${JSON.stringify(unknown)}`);
    }
  }
}
