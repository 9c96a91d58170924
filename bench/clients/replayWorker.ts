import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { messageIdOf, receiptsStreamId, roomStreamId, userStreamId, usernameStreamId } from '../../src/domain/ids.js';
import { EMPTY_CHECKPOINT, coversAll, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import type { EventLog } from '../../src/eventlog/eventLog.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { createAvroEventCodec, type RefreshableEventCodec } from '../../src/events/avro/avroEventCodec.js';
import type { ChatEvent } from '../../src/events/chatEvents.js';
import type { NewEvent } from '../../src/events/envelope.js';
import { ConfluentSchemaRegistry } from '../../src/events/registry/confluentSchemaRegistry.js';
import { SqliteSchemaRegistry } from '../../src/events/registry/sqliteSchemaRegistry.js';
import { SqliteHistoryStore } from '../../src/projections/history/sqlite/sqliteHistoryStore.js';
import { Projector } from '../../src/projections/projector.js';
import { rebuildToHead } from '../../src/analysis/rebuild.js';

// The replay benchmark's worker, one process per phase so a --cpu-prof of the replay holds nothing of the
// generation. "generate" writes a realistic log (users, rooms, joins, messages, a few edits, deletes and read
// receipts) through EventLog.append, the path every command takes after its decider; "replay" rebuilds the history
// projection from checkpoint zero into a fresh SQLite history store and times it.

export type LogSpec =
  | { kind: 'sqlite'; file: string }
  | { kind: 'kafka'; brokers: string[]; topic: string; registryUrl: string; subjectPrefix: string };

export type ReplayCommand =
  | { cmd: 'generate'; log: LogSpec; events: number; rooms: number; users: number; membersPerRoom: number }
  | { cmd: 'replay'; log: LogSpec; head: Checkpoint; events: number; timeoutMs: number }
  | { cmd: 'fillRoom'; file: string; messages: number; username: string; passwordHash: string };

/** One public room of `messages` messages whose owner is a user who can log in: the history benchmark's data. */
export interface FilledRoom {
  roomId: string;
  userId: string;
  /** The room's last seq (RoomCreated and the owner's join come first). */
  headSeq: number;
  seconds: number;
}

export interface GenerateResult {
  events: number;
  messages: number;
  appends: number;
  seconds: number;
  eventsPerSecond: number;
  head: Checkpoint;
}

export interface Pass {
  /** What was timed. */
  what: string;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  /**
   * CPU time this process used during the pass (user + system). On a shared, loaded machine the wall-clock rate
   * swings with the other load; events per CPU second is what the code itself costs.
   */
  cpuSeconds: number;
  eventsPerCpuSecond: number;
}

export interface ReplayResult {
  passes: Pass[];
  /** Rows in the rebuilt store's messages table: must equal the MessageSent events generated. */
  messageRows: number;
}

export type ReplayReply = { generated: GenerateResult } | { replayed: ReplayResult } | { filled: FilledRoom } | { failed: string };

const WORDS = 'the a to and of in is it you that for on was with be at this have not are but we they can so all do if about just meeting deploy later lunch review build test merge branch thanks sounds good see tomorrow question fixed ship ready'.split(' ');

/** A seeded pseudo-random sequence (mulberry32), so runs generate logs of the same shape. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

async function codecFor(spec: LogSpec): Promise<{ codec: RefreshableEventCodec; close: () => void }> {
  switch (spec.kind) {
    case 'sqlite': {
      // As the composition root does: the embedded registry lives in the log's own file.
      const registryDb = new Database(spec.file);
      registryDb.pragma('journal_mode = WAL');
      const codec = await createAvroEventCodec(new SqliteSchemaRegistry(registryDb));
      return { codec, close: () => registryDb.close() };
    }
    case 'kafka': {
      const codec = await createAvroEventCodec(new ConfluentSchemaRegistry({ url: spec.registryUrl }), { subjectPrefix: spec.subjectPrefix });
      return { codec, close: () => undefined };
    }
    default:
      return unreachable(spec);
  }
}

async function openLog(spec: LogSpec, codec: RefreshableEventCodec, indexFile: string): Promise<EventLog> {
  switch (spec.kind) {
    case 'sqlite':
      return SqliteEventLog.open({ file: spec.file, codec });
    case 'kafka':
      return KafkaEventLog.open({ brokers: spec.brokers, clientId: 'bench-replay', topic: spec.topic, indexFile, codec, refreshCodec: () => codec.refresh() });
    default:
      return unreachable(spec);
  }
}

async function generate(command: Extract<ReplayCommand, { cmd: 'generate' }>): Promise<GenerateResult> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'chat-bench-gen-'));
  const { codec, close } = await codecFor(command.log);
  const log = await openLog(command.log, codec, path.join(scratch, 'index.db'));
  const next = random(42);
  const runId = Math.random().toString(36).slice(2, 8);
  let counter = 0;
  let clock = Date.UTC(2026, 0, 1);
  const versions = new Map<string, number>();
  let events = 0;
  let messages = 0;
  let appends = 0;
  const newEvent = (event: ChatEvent, actorId: string): NewEvent => {
    counter += 1;
    clock += 7;
    return { ...event, eventId: `${runId}-e${counter}`, metadata: { actorId, commandId: `${runId}-c${counter}`, correlationId: `${runId}-r${counter}`, occurredAt: clock } };
  };
  // Appends to one stream run one after another (each expects the version the previous one left); different
  // streams run concurrently, so the log group-commits them.
  const tails = new Map<string, Promise<void>>();
  const append = (streamId: string, batch: NewEvent[]): Promise<void> => {
    const run = (tails.get(streamId) ?? Promise.resolve()).then(async () => {
      const expected = versions.get(streamId) ?? 0;
      await log.append(streamId, expected, batch);
      versions.set(streamId, expected + batch.length);
      events += batch.length;
      appends += 1;
    });
    tails.set(streamId, run);
    return run;
  };
  const text = () => Array.from({ length: 3 + Math.floor(next() * 25) }, () => WORDS[Math.floor(next() * WORDS.length)] ?? 'ok').join(' ');

  const started = performance.now();
  try {
    const users = Array.from({ length: command.users }, (_, i) => `u${runId}${i}`);
    // Accounts: a username claim and a registration each, appended in rounds of 100 (group commit).
    for (let i = 0; i < users.length; i += 100) {
      await Promise.all(
        users.slice(i, i + 100).flatMap((userId) => [
          append(usernameStreamId(`name-${userId}`), [newEvent({ type: 'UsernameClaimed', data: { username: `name-${userId}`, userId } }, userId)]),
          append(userStreamId(userId), [
            newEvent({ type: 'UserRegistered', data: { userId, username: `name-${userId}`, email: null, displayName: `User ${userId}`, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA', role: 'user' } }, userId),
          ]),
        ]),
      );
    }
    // Rooms: created by one user, joined by membersPerRoom others; 80 % public, the rest private.
    const rooms = Array.from({ length: command.rooms }, (_, i) => {
      const roomId = `r${runId}${i}`;
      const members = Array.from({ length: command.membersPerRoom }, (_, m) => users[(i * 7 + m * 13) % users.length] ?? 'nobody');
      return { roomId, members: [...new Set(members)] };
    });
    await Promise.all(
      rooms.map(({ roomId, members }, i) => {
        const owner = members[0] ?? 'nobody';
        return append(roomStreamId(roomId), [
          newEvent({ type: 'RoomCreated', data: { roomId, name: `room ${i}`, kind: i % 5 === 4 ? 'private' : 'public', createdBy: owner } }, owner),
          ...members.map((userId, m) => newEvent({ type: 'MemberJoined', data: { roomId, userId, role: m === 0 ? 'owner' : 'member', addedBy: null } }, userId)),
        ]);
      }),
    );
    // Conversation: every room, concurrently, appends chunks of 50 events (messages, ~1 % edits, ~0.5 % deletes of
    // an earlier message of the chunk's sender), and after about every other chunk a member marks the room read.
    // Rooms run side by side, so the log always has appends of many streams to group-commit.
    const CHUNK = 50;
    let reserved = events;
    await Promise.all(
      rooms.map(async ({ roomId, members }) => {
        const streamId = roomStreamId(roomId);
        while (reserved < command.events) {
          reserved += CHUNK;
          let version = versions.get(streamId) ?? 0;
          const sentBy: { seq: number; sender: string }[] = [];
          const batch: NewEvent[] = [];
          for (let k = 0; k < CHUNK; k++) {
            version += 1;
            const roll = next();
            const earlier = sentBy[Math.floor(next() * sentBy.length)];
            if (roll < 0.01 && earlier) {
              batch.push(newEvent({ type: 'MessageEdited', data: { roomId, messageId: messageIdOf(roomId, earlier.seq), text: text(), editedBy: earlier.sender } }, earlier.sender));
            } else if (roll < 0.015 && earlier) {
              batch.push(newEvent({ type: 'MessageDeleted', data: { roomId, messageId: messageIdOf(roomId, earlier.seq), deletedBy: earlier.sender } }, earlier.sender));
            } else {
              const sender = members[Math.floor(next() * members.length)] ?? 'nobody';
              batch.push(newEvent({ type: 'MessageSent', data: { roomId, messageId: messageIdOf(roomId, version), senderId: sender, text: text(), clientMessageId: `${runId}-m${counter}` } }, sender));
              sentBy.push({ seq: version, sender });
              messages += 1;
            }
          }
          const pending = [append(streamId, batch)];
          const reader = members[Math.floor(next() * members.length)];
          if (reader && next() < 0.5) {
            reserved += 1;
            pending.push(append(receiptsStreamId(reader), [newEvent({ type: 'MessagesRead', data: { userId: reader, roomId, seq: version } }, reader)]));
          }
          await Promise.all(pending);
        }
      }),
    );
    const seconds = (performance.now() - started) / 1000;
    const head = await log.headPosition();
    return { events, messages, appends, seconds, eventsPerSecond: events / seconds, head };
  } finally {
    await log.close();
    close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Writes a service's events.db before it starts (the file `chat serve` opens in DATA_DIR): a registered user (with
 * a real password hash, so the bench can log in) owning one public room of `messages` messages, appended through
 * EventLog.append 500 at a time. Filling a room of a million messages through the API would take most of an hour.
 */
async function fillRoom(command: Extract<ReplayCommand, { cmd: 'fillRoom' }>): Promise<FilledRoom> {
  const spec: LogSpec = { kind: 'sqlite', file: command.file };
  const { codec, close } = await codecFor(spec);
  const log = await openLog(spec, codec, '');
  const next = random(7);
  const runId = Math.random().toString(36).slice(2, 8);
  const userId = `u${runId}writer`;
  const roomId = `r${runId}big`;
  let counter = 0;
  const at = Date.UTC(2026, 0, 1);
  const newEvent = (event: ChatEvent): NewEvent => {
    counter += 1;
    return { ...event, eventId: `${runId}-e${counter}`, metadata: { actorId: userId, commandId: `${runId}-c${counter}`, correlationId: `${runId}-r${counter}`, occurredAt: at + counter } };
  };
  const started = performance.now();
  try {
    await log.append(usernameStreamId(command.username), 0, [newEvent({ type: 'UsernameClaimed', data: { username: command.username, userId } })]);
    await log.append(userStreamId(userId), 0, [
      newEvent({ type: 'UserRegistered', data: { userId, username: command.username, email: null, displayName: 'History bench writer', passwordHash: command.passwordHash, role: 'user' } }),
    ]);
    const streamId = roomStreamId(roomId);
    await log.append(streamId, 0, [
      newEvent({ type: 'RoomCreated', data: { roomId, name: 'a million messages', kind: 'public', createdBy: userId } }),
      newEvent({ type: 'MemberJoined', data: { roomId, userId, role: 'owner', addedBy: null } }),
    ]);
    let version = 2;
    const text = () => Array.from({ length: 3 + Math.floor(next() * 25) }, () => WORDS[Math.floor(next() * WORDS.length)] ?? 'ok').join(' ');
    while (version - 2 < command.messages) {
      const count = Math.min(500, command.messages - (version - 2));
      const batch = Array.from({ length: count }, (_, k) =>
        newEvent({ type: 'MessageSent', data: { roomId, messageId: messageIdOf(roomId, version + k + 1), senderId: userId, text: text(), clientMessageId: `${runId}-m${version + k + 1}` } }),
      );
      await log.append(streamId, version, batch);
      version += count;
    }
    return { roomId, userId, headSeq: version, seconds: (performance.now() - started) / 1000 };
  } finally {
    await log.close();
    close();
  }
}

/** Waits until `subscribe` has handed over everything up to `head` (no store: the log's read and decode cost). */
function readThrough(log: EventLog, head: Checkpoint, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let checkpoint: Checkpoint = EMPTY_CHECKPOINT;
    const timer = setTimeout(() => reject(new Error(`read-only pass did not reach the head within ${timeoutMs} ms`)), timeoutMs);
    const subscription = log.subscribe({
      after: EMPTY_CHECKPOINT,
      handler: async (batch) => {
        const last = batch.at(-1);
        if (!last) return;
        const positions: Record<number, number> = { ...checkpoint };
        for (const event of batch) positions[event.partition] = event.position;
        checkpoint = positions;
        if (coversAll(checkpoint, head)) {
          clearTimeout(timer);
          void subscription.close();
          resolve();
        }
      },
      onError: reject,
    });
  });
}

/**
 * What `chat projections rebuild history` does (src/cli/projectionsCommand.ts): rebuildToHead into a fresh store
 * filled as a bulk load, timed until the store is closed (WAL again, synced), as the command closes it before the
 * service may switch to it.
 */
async function rebuildCommandPath(log: EventLog, file: string): Promise<{ seconds: number; messageRows: number }> {
  const store = new SqliteHistoryStore({ filename: file, bulkLoad: true });
  const started = performance.now();
  try {
    await rebuildToHead({ log, store });
  } finally {
    await store.close();
  }
  const seconds = (performance.now() - started) / 1000;
  const db = new Database(file, { readonly: true });
  const messageRows = db.prepare<[], number>('SELECT COUNT(*) FROM messages').pluck().get() ?? 0;
  db.close();
  return { seconds, messageRows };
}

/** Rebuilds the history projection from checkpoint zero into a fresh store; resolves with the seconds it took. */
async function project(log: EventLog, file: string, head: Checkpoint, timeoutMs: number): Promise<{ seconds: number; messageRows: number }> {
  const store = new SqliteHistoryStore({ filename: file });
  const projector = new Projector({ name: 'history', log, store });
  const started = performance.now();
  try {
    await projector.start();
    await projector.waitFor(head, timeoutMs);
    const seconds = (performance.now() - started) / 1000;
    await projector.stop();
    const db = new Database(file, { readonly: true });
    const messageRows = db.prepare<[], number>('SELECT COUNT(*) FROM messages').pluck().get() ?? 0;
    db.close();
    return { seconds, messageRows };
  } finally {
    await projector.stop();
    await store.close();
  }
}

async function replay(command: Extract<ReplayCommand, { cmd: 'replay' }>): Promise<ReplayResult> {
  const scratch = mkdtempSync(path.join(tmpdir(), 'chat-bench-replay-'));
  const { codec, close } = await codecFor(command.log);
  let cpuMark = process.cpuUsage();
  /** Starts the CPU clock of the next pass. */
  const mark = () => {
    cpuMark = process.cpuUsage();
  };
  const pass = (what: string, seconds: number): Pass => {
    const used = process.cpuUsage(cpuMark);
    const cpuSeconds = (used.user + used.system) / 1e6;
    return {
      what,
      events: command.events,
      seconds: Math.round(seconds * 100) / 100,
      eventsPerSecond: Math.round(command.events / seconds),
      cpuSeconds: Math.round(cpuSeconds * 100) / 100,
      eventsPerCpuSecond: Math.round(command.events / cpuSeconds),
    };
  };
  const passes: Pass[] = [];
  try {
    let messageRows = 0;
    if (command.log.kind === 'kafka') {
      // A fresh process with no local index: it consumes the topic into its index while the projector follows.
      mark();
      const started = performance.now();
      const log = await openLog(command.log, codec, path.join(scratch, 'index.db'));
      try {
        const rebuilt = await project(log, path.join(scratch, 'history-cold.db'), command.head, command.timeoutMs);
        passes.push(pass('cold: consume the topic into a fresh local index + project into a fresh store', (performance.now() - started) / 1000));
        messageRows = rebuilt.messageRows;
        mark();
        const readStarted = performance.now();
        await readThrough(log, command.head, command.timeoutMs);
        passes.push(pass('read + decode only (subscribe from zero, local index filled)', (performance.now() - readStarted) / 1000));
        mark();
        const warm = await project(log, path.join(scratch, 'history-warm.db'), command.head, command.timeoutMs);
        passes.push(pass('projector from zero into a fresh store (local index filled)', warm.seconds));
      } finally {
        await log.close();
      }
    } else {
      const log = await openLog(command.log, codec, '');
      try {
        mark();
        const readStarted = performance.now();
        await readThrough(log, command.head, command.timeoutMs);
        passes.push(pass('read + decode only (subscribe from zero)', (performance.now() - readStarted) / 1000));
        mark();
        const rebuilt = await project(log, path.join(scratch, 'history.db'), command.head, command.timeoutMs);
        passes.push(pass('projector from zero into a fresh store', rebuilt.seconds));
        messageRows = rebuilt.messageRows;
        mark();
        const viaCommand = await rebuildCommandPath(log, path.join(scratch, 'history-rebuilt.db'));
        passes.push(pass('`chat projections rebuild history`: rebuildToHead into a fresh store loaded in bulk', viaCommand.seconds));
        if (viaCommand.messageRows !== messageRows) {
          throw new Error(`the rebuild command's store holds ${viaCommand.messageRows} messages, the projector's ${messageRows}`);
        }
      } finally {
        await log.close();
      }
    }
    return { passes, messageRows };
  } finally {
    close();
    rmSync(scratch, { recursive: true, force: true });
  }
}

function unreachable(value: never): never {
  throw new Error(`unexpected ${JSON.stringify(value)}`);
}

process.once('message', (command: ReplayCommand) => {
  const run = async (): Promise<ReplayReply> => {
    switch (command.cmd) {
      case 'generate':
        return { generated: await generate(command) };
      case 'replay':
        return { replayed: await replay(command) };
      case 'fillRoom':
        return { filled: await fillRoom(command) };
      default:
        return unreachable(command);
    }
  };
  run()
    .catch((error: unknown): ReplayReply => ({ failed: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    // Exit once the answer is sent: a --cpu-prof child writes its profile on a normal exit.
    .then((reply) => process.send?.(reply, () => process.exit(0)));
});
