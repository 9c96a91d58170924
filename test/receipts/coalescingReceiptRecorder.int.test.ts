import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';

import { CommandBus } from '../../src/commands/commandBus.js';
import type { ReceiptCommand } from '../../src/commands/commands.js';
import { receiptsDecider } from '../../src/commands/receipts/receiptsDecider.js';
import { receiptsStreamId } from '../../src/domain/ids.js';
import { UnavailableError } from '../../src/domain/errors.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import { asReceiptEvent } from '../../src/events/eventGuards.js';
import {
  CoalescingReceiptRecorder,
  type CoalescingReceiptRecorderOptions,
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
  command: ReceiptCommand;
  commandId: string;
}

describe('CoalescingReceiptRecorder', () => {
  let log: SqliteEventLog;
  let executed: Executed[];
  let spyBus: ReceiptCommandBus;
  let logged: ReturnType<typeof capturingLogger>;
  const recorders: CoalescingReceiptRecorder[] = [];

  function recorder(options: Partial<CoalescingReceiptRecorderOptions> = {}): CoalescingReceiptRecorder {
    const made = new CoalescingReceiptRecorder({ bus: spyBus, ids: counter('id'), logger: logged.logger, ...options });
    recorders.push(made);
    return made;
  }

  async function receipts(userId: string) {
    const events = await log.readStream(receiptsStreamId(userId));
    return events.map((recorded) => {
      const event = asReceiptEvent(recorded);
      if (!event) throw new Error(`a ${recorded.type} in a receipts stream`);
      return { type: event.type, data: event.data, commandId: event.metadata.commandId };
    });
  }

  beforeEach(async () => {
    log = await SqliteEventLog.open({ file: ':memory:', codec: makeTestCodec() });
    const clock = { now: () => 1_700_000_000_000 };
    const real = new CommandBus(receiptsDecider, asReceiptEvent, log, clock, counter('evt'), pino({ level: 'silent' }));
    executed = [];
    spyBus = {
      execute: (streamId, command, context, metadata) => {
        executed.push({ streamId, command, commandId: metadata.commandId });
        return real.execute(streamId, command, context, metadata);
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
    it('coalesces many reports per user and room into one command with the highest seq', async () => {
      const receiptsOf = recorder();
      for (const seq of [3, 7, 5, 6, 1]) receiptsOf.delivered('u-bob', 'r-1', seq);
      receiptsOf.delivered('u-bob', 'r-2', 2);
      receiptsOf.delivered('u-carol', 'r-1', 4);
      expect(receiptsOf.pendingCount).toBe(3);
      await receiptsOf.flush();

      expect(executed.map((e) => [e.streamId, e.command.type, e.command.roomId, e.command.seq])).toEqual([
        ['receipts-u-bob', 'AdvanceDeliveryMarker', 'r-1', 7],
        ['receipts-u-bob', 'AdvanceDeliveryMarker', 'r-2', 2],
        ['receipts-u-carol', 'AdvanceDeliveryMarker', 'r-1', 4],
      ]);
      expect((await receipts('u-bob')).map((e) => e.data)).toEqual([
        { userId: 'u-bob', roomId: 'r-1', seq: 7 },
        { userId: 'u-bob', roomId: 'r-2', seq: 2 },
      ]);
      expect((await receipts('u-carol')).map((e) => e.data)).toEqual([{ userId: 'u-carol', roomId: 'r-1', seq: 4 }]);
      expect(receiptsOf.pendingCount).toBe(0);
    });

    it('writes on its own once the flush interval has passed, not before', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const receiptsOf = recorder({ flushIntervalMs: 1000 });
      receiptsOf.delivered('u-bob', 'r-1', 3);
      await vi.advanceTimersByTimeAsync(999);
      expect(receiptsOf.pendingCount).toBe(1);
      expect(executed).toEqual([]);
      receiptsOf.delivered('u-bob', 'r-1', 4);
      await vi.advanceTimersByTimeAsync(1);
      expect(receiptsOf.pendingCount).toBe(0);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => e.data.seq)).toEqual([4]);
    });

    it('uses 250 ms by default', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const receiptsOf = recorder();
      receiptsOf.delivered('u-bob', 'r-1', 3);
      await vi.advanceTimersByTimeAsync(249);
      expect(receiptsOf.pendingCount).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      expect(receiptsOf.pendingCount).toBe(0);
    });

    it('gives every flush its own command ids, so a later flush is not taken for a retry', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('u-bob', 'r-1', 3);
      await receiptsOf.flush();
      receiptsOf.delivered('u-bob', 'r-1', 8);
      await receiptsOf.flush();
      const written = await receipts('u-bob');
      expect(written.map((e) => e.data.seq)).toEqual([3, 8]);
      expect(new Set(written.map((e) => e.commandId)).size).toBe(2);
    });

    it('drops reports at or below what it already wrote, without a command', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('u-bob', 'r-1', 5);
      await receiptsOf.flush();
      receiptsOf.delivered('u-bob', 'r-1', 5);
      receiptsOf.delivered('u-bob', 'r-1', 2);
      expect(receiptsOf.pendingCount).toBe(0);
      await receiptsOf.flush();
      expect(executed).toHaveLength(1);
    });

    it('drops deliveries of messages the user has already read', async () => {
      const receiptsOf = recorder();
      await receiptsOf.read('u-bob', 'r-1', 6);
      receiptsOf.delivered('u-bob', 'r-1', 6);
      receiptsOf.delivered('u-bob', 'r-1', 4);
      expect(receiptsOf.pendingCount).toBe(0);
      receiptsOf.delivered('u-bob', 'r-1', 7);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => [e.type, e.data.seq])).toEqual([
        ['MessagesRead', 6],
        ['MessagesDelivered', 7],
      ]);
    });

    it('appends nothing for a report the stream already covers, also when another recorder wrote it', async () => {
      const first = recorder();
      await first.read('u-bob', 'r-1', 9);
      const second = recorder({ ids: counter('other') });
      second.delivered('u-bob', 'r-1', 4);
      await second.flush();
      expect((await receipts('u-bob')).map((e) => e.type)).toEqual(['MessagesRead']);
    });

    it('ignores seqs that cannot be a room position', async () => {
      const receiptsOf = recorder();
      for (const seq of [0, -1, 1.5, Number.NaN]) receiptsOf.delivered('u-bob', 'r-1', seq);
      expect(receiptsOf.pendingCount).toBe(0);
    });

    it('logs a failed write instead of throwing, and goes on working', async () => {
      let failing = true;
      const flaky: ReceiptCommandBus = {
        execute: (...args) => (failing ? Promise.reject(new UnavailableError('log is down')) : spyBus.execute(...args)),
      };
      const receiptsOf = recorder({ bus: flaky });
      receiptsOf.delivered('u-bob', 'r-1', 3);
      expect(() => receiptsOf.delivered('u-carol', 'r-1', 3)).not.toThrow();
      await expect(receiptsOf.flush()).resolves.toBeUndefined();
      expect(logged.warnings()).toEqual(['delivery receipt not recorded', 'delivery receipt not recorded']);

      failing = false;
      // The failed report was not remembered as written, so the same seq is tried again.
      receiptsOf.delivered('u-bob', 'r-1', 3);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => e.data.seq)).toEqual([3]);
    });

    it('writes what is gathered on close, and ignores reports after it', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('u-bob', 'r-1', 3);
      await receiptsOf.close();
      receiptsOf.delivered('u-bob', 'r-1', 9);
      expect(receiptsOf.pendingCount).toBe(0);
      expect((await receipts('u-bob')).map((e) => e.data.seq)).toEqual([3]);
    });

    it('waits on flush for a write a timer started', async () => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      const receiptsOf = recorder();
      receiptsOf.delivered('u-bob', 'r-1', 3);
      await vi.advanceTimersByTimeAsync(250);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => e.data.seq)).toEqual([3]);
    });
  });

  describe('reads', () => {
    it('appends at once, without waiting for a flush', async () => {
      const receiptsOf = recorder();
      await receiptsOf.read('u-bob', 'r-1', 4);
      expect(await receipts('u-bob')).toMatchObject([{ type: 'MessagesRead', data: { roomId: 'r-1', seq: 4 } }]);
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
      receiptsOf.delivered('u-bob', 'r-1', 3);
      receiptsOf.delivered('u-bob', 'r-2', 3);
      await receiptsOf.read('u-bob', 'r-1', 5);
      expect(receiptsOf.pendingCount).toBe(1);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => [e.type, e.data.roomId, e.data.seq])).toEqual([
        ['MessagesRead', 'r-1', 5],
        ['MessagesDelivered', 'r-2', 3],
      ]);
    });

    it('keeps a gathered delivery beyond the read', async () => {
      const receiptsOf = recorder();
      receiptsOf.delivered('u-bob', 'r-1', 9);
      await receiptsOf.read('u-bob', 'r-1', 5);
      await receiptsOf.flush();
      expect((await receipts('u-bob')).map((e) => [e.type, e.data.seq])).toEqual([
        ['MessagesRead', 5],
        ['MessagesDelivered', 9],
      ]);
    });

    it('rejects when the write fails, so REST can answer with an error', async () => {
      const down: ReceiptCommandBus = { execute: () => Promise.reject(new UnavailableError('log is down')) };
      await expect(recorder({ bus: down }).read('u-bob', 'r-1', 4)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    });

    it('rejects a seq that is not a room position with VALIDATION_FAILED, appending nothing', async () => {
      await expect(recorder().read('u-bob', 'r-1', -1)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(await receipts('u-bob')).toEqual([]);
    });
  });
});
