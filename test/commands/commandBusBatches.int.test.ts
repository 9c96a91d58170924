import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { commandBuses } from '../../src/commands/commandBus.js';
import type { CommandExecutors } from '../../src/commands/commandExecutors.js';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import { roomStreamId } from '../../src/domain/ids.js';
import type { EventLog } from '../../src/eventlog/eventLog.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import type { NewEvent } from '../../src/events/envelope.js';
import { systemClock, uuidGenerator } from '../../src/support/clock.js';
import { sampleEvent } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// The embedded command bus decides the commands that wait for a busy stream together and appends them as one, so a
// crowded room commits once per batch. Each command must still get the answer it would have got one at a time: its
// own events in the order the commands arrived, its own rejection, the first outcome for a repeated command id, and
// a retry on fresh state when another writer moved the stream meanwhile.

const ROOM = 'r-busy';
const STREAM = roomStreamId(ROOM);
const as = (userId: string) => ({ actor: { userId, role: 'user' as const }, limits: DEFAULT_LIMITS });
const send = (text: string) => ({ type: 'SendMessage' as const, roomId: ROOM, text, clientMessageId: `c-${text}` });
let commands = 0;
const metadata = (commandId = `cmd-${++commands}`) => ({ commandId, correlationId: `corr-${commandId}` });

describe('the command bus, batching a busy stream', () => {
  let codec: EventCodec;
  let log: SqliteEventLog;
  /** Every append the buses made to the room: how many events each carried. */
  let appends: number[];
  /** Runs once, just before the next append of the room reaches the log (another writer, say). */
  let beforeNextAppend: (() => Promise<void>) | undefined;

  function buses(): CommandExecutors {
    const append: EventLog['append'] = async (streamId, expected, events) => {
      if (streamId === STREAM) {
        appends.push(events.length);
        if (events.some((event) => event.type === 'MessageSent' && event.data.text === 'refused by the log')) {
          throw new Error('the log refuses this event');
        }
        const hook = beforeNextAppend;
        beforeNextAppend = undefined;
        await hook?.();
      }
      return log.append(streamId, expected, events);
    };
    const watched = new Proxy(log, {
      get: (object, property) => {
        if (property === 'append') return append;
        const value: unknown = Reflect.get(object, property);
        return typeof value === 'function' ? value.bind(object) : value;
      },
    });
    return commandBuses({ log: watched, clock: systemClock, ids: uuidGenerator, logger: pino({ level: 'silent' }) });
  }

  const texts = (events: { type: string; data: unknown }[]) =>
    events.map((event) => (event.type === 'MessageSent' ? (event.data as { text: string }).text : event.type));

  beforeAll(async () => {
    codec = await createTestCodec();
  });
  beforeEach(async () => {
    log = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: 3_600_000 });
    appends = [];
    beforeNextAppend = undefined;
    await log.append(STREAM, 'no-stream', [
      sampleEvent('RoomCreated', { data: { roomId: ROOM, kind: 'public' } }),
      sampleEvent('MemberJoined', { data: { roomId: ROOM, userId: 'u-alice', role: 'owner' } }),
    ]);
  });
  afterEach(async () => {
    await log.close();
  });

  it('appends what arrived while a commit was under way as one, each command answered with its own events in order', async () => {
    const rooms = buses().rooms;
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => rooms.execute(STREAM, send(`m${i}`), as('u-alice'), metadata())));

    expect(results.map((result) => texts(result.events))).toEqual(Array.from({ length: 20 }, (_, i) => [`m${i}`]));
    expect(results.map((result) => result.events[0]?.streamVersion)).toEqual(Array.from({ length: 20 }, (_, i) => 3 + i));
    // The first command found the stream idle; the other 19 waited for its commit and went in one append.
    expect(appends).toEqual([1, 19]);
    expect(texts(await log.readStream(STREAM, { fromVersion: 3 }))).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
  });

  it('answers a refused command with its own rejection and decides the ones after it on the state before it', async () => {
    const rooms = buses().rooms;
    const first = rooms.execute(STREAM, send('first'), as('u-alice'), metadata());
    const batch = [
      rooms.execute(STREAM, send('one'), as('u-alice'), metadata()),
      rooms.execute(STREAM, send('from a stranger'), as('u-mallory'), metadata()),
      rooms.execute(STREAM, { type: 'EditMessage', roomId: ROOM, seq: 4, text: 'one, edited' }, as('u-alice'), metadata()),
      rooms.execute(STREAM, send('two'), as('u-alice'), metadata()),
    ];
    const settled = await Promise.allSettled([first, ...batch]);

    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect(settled[2]).toMatchObject({ reason: { code: 'NOT_MEMBER' } });
    // The edit was decided on the state the batch's first message left: message 4 existed for it.
    expect(settled[3]).toMatchObject({ value: { events: [{ type: 'MessageEdited', streamVersion: 5 }] } });
    expect(settled[4]).toMatchObject({ value: { events: [{ type: 'MessageSent', streamVersion: 6 }] } });
    expect(appends).toEqual([1, 3]);
  });

  it('answers a command id seen twice in one batch with the first outcome, appending it once', async () => {
    const rooms = buses().rooms;
    const first = rooms.execute(STREAM, send('first'), as('u-alice'), metadata());
    const original = rooms.execute(STREAM, send('hello'), as('u-alice'), metadata('cmd-retried'));
    const retry = rooms.execute(STREAM, send('hello'), as('u-alice'), metadata('cmd-retried'));
    const after = rooms.execute(STREAM, send('after'), as('u-alice'), metadata());
    const [, originalResult, retryResult, afterResult] = await Promise.all([first, original, retry, after]);

    expect(originalResult).toMatchObject({ replayed: false, events: [{ streamVersion: 4 }] });
    expect(retryResult.replayed).toBe(true);
    expect(retryResult.events.map((event) => event.eventId)).toEqual(originalResult.events.map((event) => event.eventId));
    expect(afterResult).toMatchObject({ events: [{ streamVersion: 5 }] });
    expect(texts(await log.readStream(STREAM, { fromVersion: 3 }))).toEqual(['first', 'hello', 'after']);
  });

  it('decides the whole batch again on fresh state when another writer moved the stream, keeping its order', async () => {
    const rooms = buses().rooms;
    const first = rooms.execute(STREAM, send('first'), as('u-alice'), metadata());
    const batch = ['a', 'b', 'c'].map((text) => rooms.execute(STREAM, send(text), as('u-alice'), metadata()));
    // Just before the batch's append: another process's message lands in the room.
    await first;
    beforeNextAppend = async () => {
      const other: NewEvent = { ...sampleEvent('MessageSent', { data: { roomId: ROOM, senderId: 'u-alice', text: 'elsewhere' } }) };
      await log.append(STREAM, 3, [other]);
    };
    const results = await Promise.all(batch);

    expect(results.map((result) => result.events.map((event) => event.streamVersion))).toEqual([[5], [6], [7]]);
    expect(texts(await log.readStream(STREAM, { fromVersion: 3 }))).toEqual(['first', 'elsewhere', 'a', 'b', 'c']);
    expect(appends).toEqual([1, 3, 3]);
  });

  it('keeps a failure the log gives for one command of a batch to that command, writing the others', async () => {
    const rooms = buses().rooms;
    const first = rooms.execute(STREAM, send('first'), as('u-alice'), metadata());
    const batch = ['a', 'refused by the log', 'b'].map((text) => rooms.execute(STREAM, send(text), as('u-alice'), metadata()));
    const settled = await Promise.allSettled([first, ...batch]);

    expect(settled.map((outcome) => outcome.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(settled[2]).toMatchObject({ reason: { message: 'the log refuses this event' } });
    expect(texts(await log.readStream(STREAM, { fromVersion: 3 }))).toEqual(['first', 'a', 'b']);
    // The batch's append, then one append per command.
    expect(appends).toEqual([1, 3, 1, 1, 1]);
  });

  it("tells the caller its command's place is fixed as soon as it waits in line", async () => {
    const rooms = buses().rooms;
    const order: string[] = [];
    const first = rooms.execute(STREAM, send('first'), as('u-alice'), { ...metadata(), onQueued: () => order.push('first queued') });
    const second = rooms.execute(STREAM, send('second'), as('u-alice'), { ...metadata(), onQueued: () => order.push('second queued') });
    void first.then(() => order.push('first done'));
    await Promise.all([first, second]);
    expect(order.slice(0, 2)).toEqual(['first queued', 'second queued']);
  });
});
