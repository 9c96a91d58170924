// Nothing in the service can change or remove an appended event (issue #7): every route is tried here, and each is
// refused with the stored event left byte for byte as it was.

import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chainFieldsThrough } from '../../src/audit/storedEventReaders.js';
import { verifyLog } from '../../src/audit/verifyLog.js';
import { WrongExpectedVersionError } from '../../src/domain/errors.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { sampleEvent, sampleMessages } from '../support/sampleEvents.js';
import { openAuditTestLog, type AuditTestLog } from './auditTestLog.js';

/** Method names that would change or remove something, on any adapter of the log ports. */
const MUTATING = /update|delete|remove|truncate|drop|clear|replace|overwrite|rewrite|purge|erase|edit|set[A-Z]/;

function methodsOf(prototype: object): string[] {
  return Object.getOwnPropertyNames(prototype).filter((name) => name !== 'constructor');
}

describe('an appended event cannot be changed or removed', () => {
  let t: AuditTestLog;
  let first: RecordedEvent;
  let before: Buffer;

  beforeEach(async () => {
    t = await openAuditTestLog();
    const appended = await t.log.append('room-a', 'no-stream', sampleMessages(3, 'a'));
    const event = appended.events[0];
    if (event === undefined) throw new Error('nothing appended');
    first = event;
    before = t.storedBody('room-a', 1);
  });

  afterEach(async () => {
    await t.close();
  });

  const expectUnchanged = async () => {
    expect(t.storedBody('room-a', 1).equals(before)).toBe(true);
    expect((await t.log.readStream('room-a')).map((event) => event.eventId)).toHaveLength(3);
    expect((await t.log.readStream('room-a'))[0]).toEqual(first);
    expect((await verifyLog(t.log, chainFieldsThrough(t.codec))).ok).toBe(true);
  };

  it('has no port method that changes or removes (EventLog and StoredEventReader, both adapters)', () => {
    for (const prototype of [SqliteEventLog.prototype, KafkaEventLog.prototype]) {
      const mutating = methodsOf(prototype).filter((name) => MUTATING.test(name));
      expect(mutating, prototype.constructor.name).toEqual([]);
    }
  });

  it('refuses to append over an existing version or event id', async () => {
    await expect(t.log.append('room-a', 0, sampleMessages(1, 'a', 'x'))).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(t.log.append('room-a', 'no-stream', sampleMessages(1, 'a', 'x'))).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    // Same event id again, in another stream: refused, nothing written.
    await expect(t.log.append('room-b', 'no-stream', [{ ...sampleEvent('MessageSent'), eventId: first.eventId }])).rejects.toThrow();
    expect(await t.log.readStream('room-b')).toEqual([]);
    // 'any' appends after the last event; it never overwrites.
    const { events } = await t.log.append('room-a', 'any', sampleMessages(1, 'a', 'y'));
    expect(events[0]?.streamVersion).toBe(4);
    expect(t.storedBody('room-a', 1).equals(before)).toBe(true);
  });

  describe.each([
    ['the service’s own connection', (log: SqliteEventLog) => serviceConnection(log)],
    ['another connection to the same file', (_log: SqliteEventLog, file: string) => new Database(file)],
  ])('raw SQL through %s', (_name, connect) => {
    const attempts: [string, string][] = [
      ['UPDATE of the body', "UPDATE events SET body = x'00' WHERE stream_id = 'room-a' AND stream_version = 1"],
      ['UPDATE of the version', "UPDATE events SET stream_version = 9 WHERE stream_id = 'room-a' AND stream_version = 1"],
      ['DELETE of one event', "DELETE FROM events WHERE stream_id = 'room-a' AND stream_version = 1"],
      ['DELETE of everything', 'DELETE FROM events'],
      [
        'INSERT OR REPLACE over a stream version',
        `INSERT OR REPLACE INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
         VALUES ('room-a', 1, 'forged', 'MessageSent', 'forged', 0, x'00')`,
      ],
      [
        'REPLACE over a position',
        `REPLACE INTO events (global_position, stream_id, stream_version, event_id, type, command_id, occurred_at, body)
         VALUES (1, 'room-z', 1, 'forged', 'MessageSent', 'forged', 0, x'00')`,
      ],
      [
        'INSERT OR REPLACE over an event id',
        `INSERT OR REPLACE INTO events (stream_id, stream_version, event_id, type, command_id, occurred_at, body)
         SELECT 'room-z', 1, event_id, type, command_id, occurred_at, x'00' FROM events WHERE global_position = 1`,
      ],
    ];

    it.each(attempts)('refuses %s', async (_what, sql) => {
      const db = connect(t.log, t.file);
      try {
        expect(() => db.prepare(sql).run()).toThrow(/events are append-only/);
      } finally {
        if (db !== serviceConnectionOrUndefined(t.log)) db.close();
      }
      await expectUnchanged();
    });
  });
});

/** The log's private connection, reached the way code inside the process could; the test fails if it moves. */
function serviceConnection(log: SqliteEventLog): Database.Database {
  const db = serviceConnectionOrUndefined(log);
  if (db === undefined) throw new Error('SqliteEventLog no longer keeps its connection in `db`');
  return db;
}

function serviceConnectionOrUndefined(log: SqliteEventLog): Database.Database | undefined {
  const db: unknown = Reflect.get(log, 'db');
  return db instanceof Database ? db : undefined;
}
