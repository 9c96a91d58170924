import { describe, expect, it } from 'vitest';
import { CommitPipeline, type DecidedCommands } from '../../../src/commands/processor/commitPipeline.js';
import type { PlannedReply } from '../../../src/commands/processor/plannedReply.js';
import type { EncodedEvent } from '../../../src/commands/processor/streamWriter.js';

const event = (streamId: string): EncodedEvent => ({ streamId, eventId: `e-${streamId}`, type: 'MessageSent', value: Buffer.from(streamId) });
const written = (commandId: string, first: number, count: number): PlannedReply => ({
  commandId,
  streamId: 'room-1',
  replayed: false,
  outcome: { status: 'written', first, count },
});
const rejected = (commandId: string): PlannedReply => ({
  commandId,
  streamId: 'room-1',
  replayed: false,
  outcome: { status: 'rejected', code: 'VALIDATION_FAILED', message: 'no' },
});

/** A commit the test finishes by hand, one call at a time, recording what each transaction held. */
function manualCommits() {
  const calls: Array<{ decided: DecidedCommands; finish: (error?: Error) => void }> = [];
  const commit = (decided: DecidedCommands) =>
    new Promise<void>((resolve, reject) => calls.push({ decided: snapshot(decided), finish: (error) => (error ? reject(error) : resolve()) }));
  return { calls, commit };
}

/** What the transaction held when it was committed (the pipeline hands its own object). */
const snapshot = ({ events, planned, nextOffset }: DecidedCommands): DecidedCommands => ({
  events: [...events],
  planned: [...planned],
  nextOffset,
});

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('the commit pipeline of a command partition', () => {
  it('commits one transaction at a time, in order, and joins what is decided meanwhile into the next one', async () => {
    const { calls, commit } = manualCommits();
    const failures: unknown[] = [];
    const pipeline = new CommitPipeline(commit, (error) => failures.push(error));

    const first = pipeline.add({ events: [event('a')], planned: [written('c1', 0, 1)], nextOffset: 1 });
    const second = pipeline.add({ events: [event('b')], planned: [written('c2', 0, 1)], nextOffset: 2 });
    const third = pipeline.add({ events: [event('c'), event('d')], planned: [rejected('c3'), written('c4', 0, 2)], nextOffset: 4 });
    // One transaction waits behind the one committing: the two later adds joined it.
    expect(second).toBe(third);
    await tick();
    expect(calls).toHaveLength(1);
    expect(calls[0]?.decided.nextOffset).toBe(1);

    calls[0]?.finish();
    await first;
    await tick();
    expect(calls).toHaveLength(2);
    const next = calls[1]?.decided;
    expect(next?.events.map(({ streamId }) => streamId)).toEqual(['b', 'c', 'd']);
    // The joined replies name their events' places in the joined transaction.
    expect(next?.planned.map(({ outcome }) => outcome)).toEqual([
      { status: 'written', first: 0, count: 1 },
      { status: 'rejected', code: 'VALIDATION_FAILED', message: 'no' },
      { status: 'written', first: 1, count: 2 },
    ]);
    expect(next?.nextOffset).toBe(4);

    let idle = false;
    const whenIdle = pipeline.idle().then(() => (idle = true));
    await tick();
    expect(idle).toBe(false);
    calls[1]?.finish();
    await second;
    await whenIdle;
    expect(failures).toEqual([]);
    // Still open: the next commands commit in a transaction of their own.
    const later = pipeline.add({ events: [event('e')], planned: [], nextOffset: 5 });
    await tick();
    expect(calls).toHaveLength(3);
    calls[2]?.finish();
    await later;
  });

  it('commits nothing more after a failure: what waited is dropped and the failure is told once', async () => {
    const { calls, commit } = manualCommits();
    const failures: unknown[] = [];
    const pipeline = new CommitPipeline(commit, (error) => failures.push(error));
    const first = pipeline.add({ events: [event('a')], planned: [written('c1', 0, 1)], nextOffset: 1 });
    const waiting = pipeline.add({ events: [event('b')], planned: [written('c2', 0, 1)], nextOffset: 2 });
    await tick();
    const fenced = new Error('fenced');
    calls[0]?.finish(fenced);
    await expect(first).rejects.toBe(fenced);
    await expect(waiting).rejects.toBe(fenced);
    await pipeline.idle();
    expect(calls).toHaveLength(1);
    expect(failures).toEqual([fenced]);
    expect(() => pipeline.add({ events: [], planned: [], nextOffset: 3 })).toThrow(/abandoned/);
  });

  it('when abandoned, drops what waits and resolves once the transaction committing now has settled', async () => {
    const { calls, commit } = manualCommits();
    const pipeline = new CommitPipeline(commit, () => undefined);
    const first = pipeline.add({ events: [event('a')], planned: [], nextOffset: 1 });
    const waiting = pipeline.add({ events: [event('b')], planned: [], nextOffset: 2 });
    await tick();
    let abandoned = false;
    const abandoning = pipeline.abandon(new Error('the log cannot be read')).then(() => (abandoned = true));
    await expect(waiting).rejects.toThrow(/cannot be read/);
    await tick();
    expect(abandoned).toBe(false);
    calls[0]?.finish();
    await first;
    await abandoning;
    expect(calls).toHaveLength(1);
    expect(() => pipeline.add({ events: [], planned: [], nextOffset: 3 })).toThrow(/abandoned/);
  });
});
