// A SQLite event log on a temp file with the real Avro codec, and what an attacker with the file could do to it.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';

export interface AuditTestLog {
  dir: string;
  file: string;
  log: SqliteEventLog;
  codec: EventCodec;
  /** The registry the codec registered its schemas in (an export carries the writer schemas). */
  registry: SqliteSchemaRegistry;
  /**
   * Runs SQL on the file from outside the service, with the append-only triggers dropped first (and put back
   * after): what someone with write access to the file, not to the service, could do.
   */
  tamper: (sql: string, ...params: unknown[]) => void;
  /** The stored body of one event, read from outside the service. */
  storedBody: (streamId: string, streamVersion: number) => Buffer;
  close: () => Promise<void>;
}

interface TriggerRow {
  name: string;
  sql: string;
}

export async function openAuditTestLog(): Promise<AuditTestLog> {
  const dir = await mkdtemp(join(tmpdir(), 'audit-'));
  const file = join(dir, 'events.db');
  const registry = new SqliteSchemaRegistry(new Database(':memory:'));
  const codec = await createAvroEventCodec(registry);
  const log = SqliteEventLog.open({ file, codec });
  const withFile = <T>(use: (db: Database.Database) => T): T => {
    const db = new Database(file);
    try {
      return use(db);
    } finally {
      db.close();
    }
  };
  return {
    dir,
    file,
    log,
    codec,
    registry,
    tamper: (sql, ...params) =>
      withFile((db) => {
        const triggers = db.prepare<[], TriggerRow>("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all();
        for (const { name } of triggers) db.exec(`DROP TRIGGER ${name}`);
        db.prepare(sql).run(...params);
        for (const trigger of triggers) db.exec(trigger.sql);
      }),
    storedBody: (streamId, streamVersion) =>
      withFile((db) => {
        const body = db
          .prepare<[string, number], Buffer>('SELECT body FROM events WHERE stream_id = ? AND stream_version = ?')
          .pluck()
          .get(streamId, streamVersion);
        if (body === undefined) throw new Error(`no stored event ${streamId} v${streamVersion}`);
        return body;
      }),
    close: async () => {
      await log.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
