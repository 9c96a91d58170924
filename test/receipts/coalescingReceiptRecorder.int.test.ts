import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { CommandBus } from '../../src/commands/commandBus.js';
import { MAX_MARKERS_PER_COMMAND, type DeliveriesCommand, type ReceiptCommand } from '../../src/commands/commands.js';
import { deliveriesDecider } from '../../src/commands/deliveries/deliveriesDecider.js';
import { GATEWAY_REPORTER } from '../../src/commands/deliveries/gatewayReporter.js';
import { receiptsDecider } from '../../src/commands/receipts/receiptsDecider.js';
import { deliveriesStreamId, receiptsStreamId } from '../../src/domain/ids.js';
import { UnavailableError } from '../../src/domain/errors.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { asDeliveriesEvent, asReceiptEvent } from '../../src/events/eventGuards.js';
import {
  CoalescingReceiptRecorder,
  type CoalescingReceiptRecorderOptions,
  type DeliveriesCommandBus,
  type ReceiptCommandBus,
} from '../../src/receipts/coalescingReceiptRecorder.js';
import type { IdGenerator } from '../../src/support/clock.js';
import { makeTestCodec } from '../support/testCodecs.js';

const logLine = z.object({ level: z.number(), msg: z.string() }).passthrough();

function capturingLogger(): { logger: pino.Logger; warnings: () => string[] } {
  const written: string[] = [];
  const logger = pino({ level: 'info' }, { write: (line: string) => void written.push(line) });
  return {
    logger,
    warnings: () =>
      written
        .map((line) => logLine.parse(JSON.parse(line)))
        .filter((line) => line.level === 40)
        .map((line) => line.msg),
  };
}

function counter(prefix: string): IdGenerator {
  let n = 0;
  return { next: () => `${prefix}-${++n}` };
}

interface Executed {
  streamId: string;
  command: ReceiptCommand | DeliveriesCommand;
  commandId: string;
}

describe('CoalescingReceiptRecorder', () => {
  let log: SqliteEventLog;
  let executed: Executed[];
  let receiptsBus: ReceiptCommandBus;
  let deliveriesBus: DeliveriesCommandBus;
  let logged: ReturnType<typeof capturingLogger>;
  const recorders: CoalescingReceiptRecorder[] = [];

  function recorder(options: Partial<CoalescingReceiptRecorderOptions> = {}): CoalescingReceiptRecorder {
    const made = new CoalescingReceiptRecorder({
      receipts: receiptsBus,
      deliveries: deliveriesBus,
      ids: counter('id'),
      logger: logged.logger,
      ...options,
    });
    recorders.push(made);
    return made;
  }

  /** The user's receipts stream: their reads (deliveries are in the rooms' streams now). */
  async function receipts(userId: string) {
    const events = await log.readStream(receiptsStreamId(userId));
    return events.map((recorded) => {
      const event = asReceiptEvent(recorded);
      if (!event) throw new Error(`a ${recorded.type} in a receipts stream`);
      return { type: event.type, data: event.data, commandId: event.metadata.commandId };
    });
  }

  /** The room's deliveries stream: one event per flush that moved any of its members' markers. */
  async function deliveries(roomId: string) {
    const events = await log.readStream(deliveriesStreamId(roomId));
    return events.map((recorded) => {
      const event = asDeliveriesEvent(recorded);
      if (!event) throw new Error(`a ${recorded.type} in a deliveries stream`);
      return { type: event.type, data: event.data, commandId: event.metadata.commandId, actorId: event.metadata.actorId };
    });
  }

  /** The seqs recorded as delivered to one user in one room, in log order. */
  async function deliveredSeqs(userId: string, roomId: string): Promise<number[]> {
    return (await deliveries(roomId)).flatMap((event) =>
      event.data.markers.filter((marker) => marker.userId === userId).map((marker) => marker.seq),
    );
  }

  beforeEach(async () => {
    log = await SqliteEventLog.open({ file: ':memory:', codec: makeTestCodec() });
    const clock = { now: () => 1_700_000_000_000 };
    const silent = pino({ level: 'silent' });
    const realReceipts = new CommandBus(receiptsDecider, asReceiptEvent, log, clock, counter('evt'), silent);
    const realDeliveries = new CommandBus(deliveriesDecider, asDeliveriesEvent, log, clock, counter('dev'), silent);
    executed = [];
    receiptsBus = {
      execute: (streamId, command, context, metadata) => {
        executed.push({ streamId, command, commandId: metadata.commandId });
        return realReceipts.execute(streamId, command, context, metadata);
      },
    };
    deliveriesBus = {
      execute: (streamId, command, context, metadata) => {
        executed.push({ streamId, command, commandId: metadata.commandId });
        return realDeliveries.execute(streamId, command, context, metadata);
      },
    };
    logged = capturingLogger();
  });

  afterEach(async () => {
    vi.useRealTimers();
    for (const made of recorders.splice(0)) await made.close();
    await log.close();
  });

  describe('deliveries', () => {
    it("coalesces many reports per user and room, and writes one command per room with every member's highest seq", async () => {
      const receiptsOf = recorder();
      for (const seq of [3, 7, 5, 6, 1]) receiptsOf.delivered('r-1', seq, ['u-bob']);
      receiptsOf.delivered('r-2', 2, ['u-bob']);
      receiptsOf.delivered('r-1', 4, ['u-carol']);
      expect(receiptsOf.pendingCount).toBe(3);
      await receiptsOf.flush();

      expect(executed.map((e) => [e.streamId, e.command])).toEqual([
        [
          'deliveries-r-1',
          {
            type: 'RecordDeliveries',
            roomId: 'r-1',
            markers: [
              { userId: 'u-bob', seq: 7 },
              { userId: 'u-carol', seq: 4 },
            ],
          },
        ],
        ['deliveries-r-2', { type: 'RecordDeliveries', roomId: 'r-2', markers: [{ userId: 'u-bob', seq: 2 }] }],
      ]);
      expect(await deliveries('r-1')).toMatchObject([
        {
          type: 'DeliveriesRecorded',
          data: {
            roomId: 'r-1',
            markers: [
              { userId: 'u-bob', seq: 7 },
              { userId: 'u-carol', seq: 4 },
            ],
          },
          // The gateway speaks for what reached whom, not the users themselves.
          actorId: GATEWAY_REPORTER.userId,
        },
      ]);
      expect((await deliveries('r-2')).map((e) => e.data)).toEqual([{ roomId: 'r-2', markers: [{ userId: 'u-bob', seq: 2 }] }]);
      // Nothing per user any more: the receipts streams hold reads only.
      expect(await receipts('u-bob')).toEqual([]);
      expect(await receipts('u-carol')).toEqual([]);
      expect(receiptsOf.pendingCount).toBe(0);
    });

    it('costs one event per room, not one per user: 3 users in 2 rooms are 2 events, not 6', async () => {
      const receiptsOf = recorder();
      const head = await log.headPosition();
      for (const userId of ['u-bob', 'u-carol', 'u-dave']) {
        for (const roomId of ['r-1', 'r-2']) receiptsOf.delivered(roomId, 5, [userId]);
      }
      expect(receiptsOf.pendingCount).toBe(6);
      await receiptsOf.flush();

      const appended = (await log.readAll({ after: head, limit: 100 })).map((event) => [event.type, event.streamId]);
      expect(appended).toEqual([
        ['DeliveriesRecorded', 'deliveries-r-1'],
        ['DeliveriesRecorded', 'deliveries-r-2'],
      ]);
      for (const roomId of ['r-1', 'r-2']) {
        expect((await deliveries(roomId)).map((e) => e.data.markers)).toEqual([
          [
            { userId: 'u-bob', seq: 5 },
            { userId: 'u-carol', seq: 5 },
            { userId: 'u-dave', seq: 5 },
          ],
        ]);
      }
    });

    it('splits a room with more markers than one command may carry over several commands', async () => {
      const receiptsOf = recorder();
      const users = Array.from({ length: MAX_MARKERS_PER_COMMAND + 3 }, (_, index) => `u-${index}`);
      receiptsOf.delivered('r-big', 2, users);
      await receiptsOf.flush();

      const written = await deliveries('r-big');
      expect(written.map((e) => e.data.markers.length)).toEqual([MAX_MARKERS_PER_COMMAND, 3]);
      expect(written.flatMap((e) => e.data.markers.map((marker) => marker.userId))).toEqual(users);
      expect(new Set(written.map((e) => e.commandId)).size).toBe(2);
    });

    it('writes on its own once the flush interval has passed, not before', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const receiptsOf = recorder({ flushIntervalMs: 1000 });
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      await vi.advanceTimersByTimeAsync(999);
      expect(receiptsOf.pendingCount).toBe(1);
      expect(executed).toEqual([]);
      receiptsOf.delivered('r-1', 4, ['u-bob']);
      await vi.advanceTimersByTimeAsync(1);
      expect(receiptsOf.pendingCount).toBe(0);
      await receiptsOf.flush();
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([4]);
    });

    it('uses 250 ms by default', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      await vi.advanceTimersByTimeAsync(249);
      expect(receiptsOf.pendingCount).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(receiptsOf.pendingCount).toBe(0);
    });

    it('gives every flush its own command ids, so a later flush is not taken for a retry', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      await receiptsOf.flush();
      receiptsOf.delivered('r-1', 8, ['u-bob']);
      await receiptsOf.flush();
      const written = await deliveries('r-1');
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([3, 8]);
      expect(new Set(written.map((e) => e.commandId)).size).toBe(2);
    });

    it('drops reports at or below what it already wrote, without a command', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 5, ['u-bob']);
      await receiptsOf.flush();
      receiptsOf.delivered('r-1', 5, ['u-bob']);
      receiptsOf.delivered('r-1', 2, ['u-bob']);
      expect(receiptsOf.pendingCount).toBe(0);
      await receiptsOf.flush();
      expect(executed).toHaveLength(1);
    });

    it('takes one report for many users of a room, and keeps each one only if it is news for that user', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 4, ['u-bob']);
      await receiptsOf.flush();
      receiptsOf.delivered('r-1', 4, ['u-bob', 'u-carol', 'u-dave']);
      expect(receiptsOf.pendingCount).toBe(2);
      await receiptsOf.flush();
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([4]);
      expect(await deliveredSeqs('u-carol', 'r-1')).toEqual([4]);
    });

    it('forgets the least recently written rooms whole past maxRememberedMarkers, and writes their reports again', async () => {
      const receiptsOf = recorder({ maxRememberedMarkers: 3 });
      receiptsOf.delivered('r-old', 5, ['u-bob', 'u-carol']);
      await receiptsOf.flush();
      receiptsOf.delivered('r-new', 5, ['u-bob', 'u-carol']);
      await receiptsOf.flush();
      // r-old's two markers went to make room: the same reports are no longer known to be written.
      receiptsOf.delivered('r-old', 5, ['u-bob', 'u-carol']);
      receiptsOf.delivered('r-new', 5, ['u-bob', 'u-carol']);
      expect(receiptsOf.pendingCount).toBe(2);
      await receiptsOf.flush();
      // A command for r-old again (its stream already holds 5, so it records nothing new); none for r-new.
      const commandsFor = (roomId: string) => executed.filter((each) => each.streamId === deliveriesStreamId(roomId)).length;
      expect(commandsFor('r-old')).toBe(2);
      expect(commandsFor('r-new')).toBe(1);
      expect(await deliveredSeqs('u-bob', 'r-old')).toEqual([5]);
    });

    it('drops deliveries of messages the user has already read', async () => {
      const receiptsOf = recorder();
      await receiptsOf.read('u-bob', 'r-1', 6);
      receiptsOf.delivered('r-1', 6, ['u-bob']);
      receiptsOf.delivered('r-1', 4, ['u-bob']);
      expect(receiptsOf.pendingCount).toBe(0);
      receiptsOf.delivered('r-1', 7, ['u-bob']);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => [e.type, e.data.seq])).toEqual([['MessagesRead', 6]]);
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([7]);
    });

    it('appends only the markers the room stream does not cover yet, also when another recorder wrote them', async () => {
      const first = recorder();
      first.delivered('r-1', 9, ['u-bob']);
      await first.flush();
      const second = recorder({ ids: counter('other') });
      second.delivered('r-1', 4, ['u-bob']);
      await second.flush();
      expect(await deliveries('r-1')).toHaveLength(1);

      // In one report, the marker that moved is written and the one that did not is left out.
      second.delivered('r-1', 6, ['u-bob']);
      second.delivered('r-1', 2, ['u-carol']);
      await second.flush();
      expect((await deliveries('r-1')).map((e) => e.data.markers)).toEqual([
        [{ userId: 'u-bob', seq: 9 }],
        [{ userId: 'u-carol', seq: 2 }],
      ]);
    });

    it('ignores seqs that cannot be a room position', async () => {
      const receiptsOf = recorder();
      for (const seq of [0, -1, 1.5, Number.NaN]) receiptsOf.delivered('r-1', seq, ['u-bob']);
      expect(receiptsOf.pendingCount).toBe(0);
    });

    it('writes the rooms of a flush one at a time, or roomsAtOnce at a time, and every room', async () => {
      for (const roomsAtOnce of [undefined, 3]) {
        let running = 0;
        let most = 0;
        const rooms: string[] = [];
        const counting: DeliveriesCommandBus = {
          execute: async (...args) => {
            running += 1;
            most = Math.max(most, running);
            try {
              const result = await deliveriesBus.execute(...args);
              rooms.push(args[0]);
              return result;
            } finally {
              running -= 1;
            }
          },
        };
        const receiptsOf = recorder({ deliveries: counting, roomsAtOnce });
        for (let room = 1; room <= 7; room++) receiptsOf.delivered(`r-at-once-${roomsAtOnce ?? 1}-${room}`, 2, ['u-bob']);
        await receiptsOf.flush();
        expect(most).toBe(roomsAtOnce ?? 1);
        expect(rooms.sort()).toEqual(Array.from({ length: 7 }, (_, i) => `deliveries-r-at-once-${roomsAtOnce ?? 1}-${i + 1}`).sort());
      }
      expect(() => recorder({ roomsAtOnce: 0 })).toThrow(RangeError);
    });

    it("logs a room's failed write instead of throwing, and goes on working", async () => {
      let failing = true;
      const flaky: DeliveriesCommandBus = {
        execute: (...args) => (failing ? Promise.reject(new UnavailableError('log is down')) : deliveriesBus.execute(...args)),
      };
      const receiptsOf = recorder({ deliveries: flaky });
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      expect(() => receiptsOf.delivered('r-1', 3, ['u-carol'])).not.toThrow();
      receiptsOf.delivered('r-2', 3, ['u-carol']);
      await expect(receiptsOf.flush()).resolves.toBeUndefined();
      // One command per room, so one warning per room.
      expect(logged.warnings()).toEqual(['delivery receipts not recorded', 'delivery receipts not recorded']);

      failing = false;
      // The failed report was not remembered as written, so the same seq is tried again.
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      await receiptsOf.flush();
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([3]);
    });

    it('writes what is gathered on close, and ignores reports after it', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      await receiptsOf.close();
      receiptsOf.delivered('r-1', 9, ['u-bob']);
      expect(receiptsOf.pendingCount).toBe(0);
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([3]);
    });

    it('waits on flush for a write a timer started', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      await vi.advanceTimersByTimeAsync(250);
      await receiptsOf.flush();
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([3]);
    });
  });

  describe('reads', () => {
    it("appends at once to the user's receipts stream, without waiting for a flush", async () => {
      const receiptsOf = recorder();
      await receiptsOf.read('u-bob', 'r-1', 4);
      expect(await receipts('u-bob')).toMatchObject([{ type: 'MessagesRead', data: { roomId: 'r-1', seq: 4 } }]);
      expect(executed.map((e) => [e.streamId, e.command.type])).toEqual([['receipts-u-bob', 'AdvanceReadMarker']]);
    });

    it('resolves after the history view has the read, when asked to wait for it', async () => {
      const seen: Checkpoint[] = [];
      const receiptsOf = recorder({
        waitForHistory: async (target) => {
          seen.push(target);
        },
      });
      await receiptsOf.read('u-bob', 'r-1', 4);
      // The read marker's event is the newest in the log: waiting for it is waiting for the head.
      expect(seen).toEqual([await log.headPosition()]);
      await receiptsOf.read('u-bob', 'r-1', 2);
      expect(seen).toHaveLength(1);
    });

    it('takes over a gathered delivery it covers', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 3, ['u-bob']);
      receiptsOf.delivered('r-2', 3, ['u-bob']);
      await receiptsOf.read('u-bob', 'r-1', 5);
      expect(receiptsOf.pendingCount).toBe(1);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => [e.type, e.data.roomId, e.data.seq])).toEqual([['MessagesRead', 'r-1', 5]]);
      expect(await deliveries('r-1')).toEqual([]);
      expect(await deliveredSeqs('u-bob', 'r-2')).toEqual([3]);
    });

    it('keeps a gathered delivery beyond the read', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('r-1', 9, ['u-bob']);
      await receiptsOf.read('u-bob', 'r-1', 5);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => [e.type, e.data.seq])).toEqual([['MessagesRead', 5]]);
      expect(await deliveredSeqs('u-bob', 'r-1')).toEqual([9]);
    });

    it('rejects when the write fails, so REST can answer with an error', async () => {
      const down: ReceiptCommandBus = { execute: () => Promise.reject(new UnavailableError('log is down')) };
      await expect(recorder({ receipts: down }).read('u-bob', 'r-1', 4)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    });

    it('rejects a seq that is not a room position with VALIDATION_FAILED, appending nothing', async () => {
      await expect(recorder().read('u-bob', 'r-1', -1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await receipts('u-bob')).toEqual([]);
    });
  });
});
