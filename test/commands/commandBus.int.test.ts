import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandBuses } from '../../src/commands/commandBus.js';
import type { CommandExecutors } from '../../src/commands/commandExecutors.js';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import { roomStreamId } from '../../src/domain/ids.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { systemClock, uuidGenerator } from '../../src/support/clock.js';
import { sampleEvent, sampleMessages } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// The embedded command bus on a real log: a long stream loads in pages, so the process goes on serving others
// while the first command on it reads every event, and the state it decides on is the whole stream's.

const ROOM = 'r-general';
const alice = { actor: { userId: 'u-alice', role: 'user' as const }, limits: DEFAULT_LIMITS };

describe('the command bus', () => {
  let codec: EventCodec;
  let log: SqliteEventLog;
  let buses: CommandExecutors;

  beforeAll(async () => {
    codec = await createTestCodec();
  });
  /** The other work's turns of the event loop counted so far, noted at each read of a stream by the bus. */
  let turns = 0;
  let turnsAtReads: number[] = [];
  beforeEach(() => {
    log = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: 3_600_000 });
    turns = 0;
    turnsAtReads = [];
    // The real log, with its stream reads noted: what the bus reads and when.
    const readStream: SqliteEventLog['readStream'] = (streamId, options) => {
      turnsAtReads.push(turns);
      return log.readStream(streamId, options);
    };
    const noted = new Proxy(log, {
      get: (target, property) => {
        if (property === 'readStream') return readStream;
        const value: unknown = Reflect.get(target, property);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    buses = commandBuses({ log: noted, clock: systemClock, ids: uuidGenerator, logger: pino({ level: 'silent' }) });
  });
  afterEach(async () => {
    await log.close();
  });

  it('loads a long stream in pages, letting other work run between them, and decides on all of it', async () => {
    const messages = 12_000;
    await log.append(roomStreamId(ROOM), 'no-stream', [
      sampleEvent('RoomCreated', { data: { roomId: ROOM, kind: 'public' } }),
      sampleEvent('MemberJoined', { data: { roomId: ROOM, userId: 'u-alice', role: 'owner' } }),
    ]);
    for (let from = 0; from < messages; from += 3_000) {
      await log.append(roomStreamId(ROOM), 2 + from, sampleMessages(3_000, ROOM, `batch${from}`));
    }

    // Other work: counts the turns of the event loop it gets while the command runs.
    let running = true;
    const other = (async () => {
      while (running) {
        await setImmediatePromise();
        turns += 1;
      }
    })();
    const result = await buses.rooms.execute(
      roomStreamId(ROOM),
      { type: 'SendMessage', roomId: ROOM, text: 'after a long history', clientMessageId: 'c-after' },
      alice,
      { commandId: 'cmd-after', correlationId: 'corr-after' },
    );
    running = false;
    await other;

    expect(result.events.map((event) => [event.type, event.streamVersion])).toEqual([['MessageSent', messages + 3]]);
    // 12,000 events in pages of 5,000 (the last one short), and the other work ran between every two of them.
    expect(turnsAtReads).toHaveLength(3);
    expect(turnsAtReads[1]).toBeGreaterThan(turnsAtReads[0] ?? Infinity);
    expect(turnsAtReads[2]).toBeGreaterThan(turnsAtReads[1] ?? Infinity);
    // An edit of the newest loaded message is decided on the loaded state: the sender is known without a look-up.
    const edit = await buses.rooms.execute(
      roomStreamId(ROOM),
      { type: 'EditMessage', roomId: ROOM, seq: messages + 2, text: 'edited' },
      alice,
      { commandId: 'cmd-edit', correlationId: 'corr-edit' },
    );
    expect(edit.events.map((event) => event.type)).toEqual(['MessageEdited']);
  });
});
