import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandBuses } from '../../src/commands/commandBus.js';
import type { CommandExecutors } from '../../src/commands/commandExecutors.js';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import { SqliteStreamSnapshots } from '../../src/commands/snapshots/sqliteStreamSnapshots.js';
import { SNAPSHOT_EVERY_EVENTS, type StreamSnapshots } from '../../src/commands/snapshots/streamSnapshots.js';
import { roomStreamId } from '../../src/domain/ids.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { systemClock, uuidGenerator } from '../../src/support/clock.js';
import { sampleEvent, sampleMessages } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// The embedded command bus on a real log: a long stream loads in pages, so the process goes on serving others
// while the first command on it reads every event; it keeps a snapshot of a long room, and a bus started later
// loads from that snapshot instead of the room's first event, unless the snapshot is not of this log.

const ROOM = 'r-general';
const STREAM = roomStreamId(ROOM);
const as = (userId: string) => ({ actor: { userId, role: 'user' as const }, limits: DEFAULT_LIMITS });
let commands = 0;
const metadata = () => ({ commandId: `cmd-${++commands}`, correlationId: `corr-${commands}` });

/** A public room alice owns, then `messages` messages from her in appends of 3,000. */
async function longRoom(log: SqliteEventLog, messages: number): Promise<void> {
  await log.append(STREAM, 'no-stream', [
    sampleEvent('RoomCreated', { data: { roomId: ROOM, kind: 'public' } }),
    sampleEvent('MemberJoined', { data: { roomId: ROOM, userId: 'u-alice', role: 'owner' } }),
  ]);
  for (let from = 0; from < messages; from += 3_000) {
    await log.append(STREAM, 2 + from, sampleMessages(Math.min(3_000, messages - from), ROOM, `batch${from}`));
  }
}

describe('the command bus', () => {
  let codec: EventCodec;
  let log: SqliteEventLog;
  let snapshots: StreamSnapshots;
  /** The other work's turns of the event loop counted so far. */
  let turns = 0;
  /** Each stream read of the bus: where it started, and the turns counted by then. */
  let reads: { fromVersion: number; turns: number }[] = [];

  /** Buses on the real log, with their stream reads noted. */
  function busesOn(target: SqliteEventLog, store?: StreamSnapshots): CommandExecutors {
    const readStream: SqliteEventLog['readStream'] = (streamId, options) => {
      if (streamId === STREAM) reads.push({ fromVersion: options?.fromVersion ?? 1, turns });
      return target.readStream(streamId, options);
    };
    const noted = new Proxy(target, {
      get: (object, property) => {
        if (property === 'readStream') return readStream;
        const value: unknown = Reflect.get(object, property);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
    return commandBuses({ log: noted, clock: systemClock, ids: uuidGenerator, logger: pino({ level: 'silent' }), snapshots: store });
  }

  beforeAll(async () => {
    codec = await createTestCodec();
  });
  beforeEach(() => {
    log = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: 3_600_000 });
    snapshots = new SqliteStreamSnapshots(':memory:');
    turns = 0;
    reads = [];
  });
  afterEach(async () => {
    await log.close();
    await snapshots.close();
  });

  it('loads a long stream in pages, letting other work run between them, and decides on all of it', async () => {
    const messages = 12_000;
    await longRoom(log, messages);
    const buses = busesOn(log);

    let running = true;
    const other = (async () => {
      while (running) {
        await setImmediatePromise();
        turns += 1;
      }
    })();
    const result = await buses.rooms.execute(
      STREAM,
      { type: 'SendMessage', roomId: ROOM, text: 'after a long history', clientMessageId: 'c-after' },
      as('u-alice'),
      metadata(),
    );
    running = false;
    await other;

    expect(result.events.map((event) => [event.type, event.streamVersion])).toEqual([['MessageSent', messages + 3]]);
    // 12,000 events in pages of 5,000 (the last one short), and the other work ran between every two of them.
    expect(reads.map((read) => read.fromVersion)).toEqual([1, 5_001, 10_001]);
    expect(reads[1]?.turns).toBeGreaterThan(reads[0]?.turns ?? Infinity);
    expect(reads[2]?.turns).toBeGreaterThan(reads[1]?.turns ?? Infinity);
  });

  it('keeps a snapshot of a long room, and a bus started later loads from it', async () => {
    const messages = SNAPSHOT_EVERY_EVENTS + 2_000;
    await longRoom(log, messages);
    const first = busesOn(log, snapshots);
    await first.rooms.execute(STREAM, { type: 'SendMessage', roomId: ROOM, text: 'one', clientMessageId: 'c-1' }, as('u-alice'), metadata());
    const snapshot = await snapshots.read(STREAM);
    // Taken once SNAPSHOT_EVERY_EVENTS events were folded: after the page that got there.
    expect(snapshot).toMatchObject({ version: 10_000, format: 'room-state/1' });

    // A process started later: its bus checks that the log holds the snapshot's event, then reads only what follows.
    reads = [];
    const later = busesOn(log, snapshots);
    const edit = await later.rooms.execute(
      STREAM,
      { type: 'EditMessage', roomId: ROOM, seq: messages + 3, text: 'edited' },
      as('u-alice'),
      metadata(),
    );
    expect(edit.events.map((event) => event.type)).toEqual(['MessageEdited']);
    expect(reads.map((read) => read.fromVersion)).toEqual([10_000, 10_001]);
    // The state decided on is the whole room's: alice owns it, and a stranger is no member.
    await expect(
      later.rooms.execute(STREAM, { type: 'UpdateRoomSettings', roomId: ROOM, name: 'Renamed' }, as('u-alice'), metadata()),
    ).resolves.toMatchObject({ events: [{ type: 'RoomRenamed' }] });
    await expect(
      later.rooms.execute(STREAM, { type: 'EditMessage', roomId: ROOM, seq: messages + 3, text: 'mine?' }, as('u-mallory'), metadata()),
    ).rejects.toMatchObject({ code: 'NOT_MEMBER' });
  });

  it('ignores a snapshot the log does not hold the event of, and loads from the first event', async () => {
    await longRoom(log, SNAPSHOT_EVERY_EVENTS + 10);
    await busesOn(log, snapshots).rooms.execute(STREAM, { type: 'SendMessage', roomId: ROOM, text: 'one', clientMessageId: 'c-1' }, as('u-alice'), metadata());
    expect(await snapshots.read(STREAM)).toBeDefined();

    // Another log with a room of the same id (a fresh DATA_DIR beside an old snapshots file): other event ids.
    const other = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: 3_600_000 });
    try {
      await longRoom(other, SNAPSHOT_EVERY_EVENTS + 10);
      reads = [];
      const result = await busesOn(other, snapshots).rooms.execute(
        STREAM,
        { type: 'SendMessage', roomId: ROOM, text: 'two', clientMessageId: 'c-2' },
        as('u-alice'),
        metadata(),
      );
      expect(result.events.map((event) => event.streamVersion)).toEqual([SNAPSHOT_EVERY_EVENTS + 13]);
      expect(reads.map((read) => read.fromVersion)).toEqual([10_000, 1, 5_001, 10_001]);
    } finally {
      await other.close();
    }
  });
});
