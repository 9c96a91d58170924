import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { receiptsStreamId, roomStreamId, userStreamId, usernameStreamId, messageIdOf } from '../../src/domain/ids.js';
import type { ChatEvent } from '../../src/events/chatEvents.js';
import type { NewEvent } from '../../src/events/envelope.js';
import type { EventLog } from '../../src/eventlog/eventLog.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { createAvroEventCodec } from '../../src/events/avro/avroEventCodec.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';

// Writes event logs into a DATA_DIR the way the service does (DATA_DIR/events.db, Avro, the embedded registry in
// the same file), so `chat events replay` and `chat serve` read them as their own: for the analyst e2e tests and
// the replay measurement.

export interface SeedAppend {
  streamId: string;
  events: NewEvent[];
}

/** Opens DATA_DIR/events.db as the composition root does and hands the log to `body`. */
export async function withSqliteLog<T>(dataDir: string, body: (log: EventLog) => Promise<T>): Promise<T> {
  mkdirSync(dataDir, { recursive: true });
  const file = path.join(dataDir, 'events.db');
  const registryDb = new Database(file);
  registryDb.pragma('journal_mode = WAL');
  const codec = await createAvroEventCodec(new SqliteSchemaRegistry(registryDb));
  const log = SqliteEventLog.open({ file, codec });
  try {
    return await body(log);
  } finally {
    await log.close();
    registryDb.close();
  }
}

/** Appends in order, each stream from its current version. */
export async function appendAll(log: EventLog, appends: readonly SeedAppend[]): Promise<void> {
  for (const { streamId, events } of appends) {
    await log.append(streamId, await log.streamVersion(streamId), events);
  }
}

let counter = 0;
export function event(body: ChatEvent, actorId: string | null, occurredAt: number, eventId?: string): NewEvent {
  counter += 1;
  return {
    ...body,
    eventId: eventId ?? `seed-${process.pid}-${counter}`,
    metadata: { actorId, commandId: `cmd-${process.pid}-${counter}`, correlationId: `corr-${counter}`, occurredAt },
  };
}

export const accountOf = (userId: string, username: string, at: number): SeedAppend[] => [
  { streamId: usernameStreamId(username), events: [event({ type: 'UsernameClaimed', data: { username, userId } }, userId, at)] },
  {
    streamId: userStreamId(userId),
    events: [
      event(
        {
          type: 'UserRegistered',
          data: { userId, username, email: `${username}@example.com`, displayName: username, passwordHash: '$argon2id$secret', role: 'user' },
        },
        userId,
        at,
      ),
    ],
  },
];

/**
 * A synthetic log for the measurement: `users` accounts, `rooms` rooms with every user a member of a few, then
 * messages (with a read receipt every tenth) appended 100 at a time to rotating rooms until `events` are written.
 */
export async function generateLog(log: EventLog, options: { events: number; rooms: number; users: number }): Promise<number> {
  const start = Date.UTC(2026, 0, 1);
  let at = start;
  let written = 0;
  const users = Array.from({ length: options.users }, (_, i) => `user${i}`);
  for (let i = 0; i < users.length; i += 200) {
    const batch = users.slice(i, i + 200).flatMap((userId) => accountOf(userId, `name${userId}`, (at += 5)));
    await Promise.all(batch.map(({ streamId, events }) => log.append(streamId, 0, events)));
    written += batch.length;
  }
  const versions = new Map<string, number>();
  const rooms = Array.from({ length: options.rooms }, (_, i) => `room${i}`);
  await Promise.all(
    rooms.map(async (roomId, r) => {
      const members = Array.from({ length: 20 }, (_, m) => users[(r * 7 + m * 13) % users.length] ?? 'user0');
      const unique = [...new Set(members)];
      const events = [
        event({ type: 'RoomCreated', data: { roomId, name: `room ${r}`, kind: 'public', createdBy: unique[0] ?? 'user0' } }, unique[0] ?? null, (at += 5)),
        ...unique.map((userId, m) =>
          event({ type: 'MemberJoined', data: { roomId, userId, role: m === 0 ? 'owner' : 'member', addedBy: null } }, userId, (at += 5)),
        ),
      ];
      versions.set(roomId, events.length);
      await log.append(roomStreamId(roomId), 0, events);
      written += events.length;
    }),
  );
  let round = 0;
  while (written < options.events) {
    const appends = rooms.slice(0, 20).map((_, k) => rooms[(round * 20 + k) % rooms.length] ?? 'room0');
    await Promise.all(
      appends.map(async (roomId) => {
        const version = versions.get(roomId) ?? 0;
        const batch: NewEvent[] = [];
        for (let i = 0; i < 100; i += 1) {
          const seq = version + i + 1;
          const senderId = users[(seq * 31) % users.length] ?? 'user0';
          batch.push(
            event(
              {
                type: 'MessageSent',
                data: { roomId, messageId: messageIdOf(roomId, seq), senderId, text: `message ${seq} of ${roomId}: lorem ipsum dolor`, clientMessageId: `c${seq}` },
              },
              senderId,
              (at += 3),
            ),
          );
        }
        versions.set(roomId, version + batch.length);
        await log.append(roomStreamId(roomId), version, batch);
      }),
    );
    written += appends.length * 100;
    const readers = appends.map((roomId, k) => ({ roomId, userId: users[(round + k) % users.length] ?? 'user0' }));
    await Promise.all(
      readers.map(async ({ roomId, userId }) => {
        const stream = receiptsStreamId(userId);
        const version = versions.get(stream) ?? 0;
        versions.set(stream, version + 1);
        await log.append(stream, version, [
          event({ type: 'MessagesRead', data: { userId, roomId, seq: versions.get(roomId) ?? 1 } }, userId, (at += 1)),
        ]);
      }),
    );
    written += readers.length;
    round += 1;
  }
  return written;
}
