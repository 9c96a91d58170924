import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WrongExpectedVersionError } from '../../src/domain/errors.js';
import {
  EMPTY_CHECKPOINT,
  advanceAll,
  checkpointOf,
  covers,
  type Checkpoint,
} from '../../src/eventlog/checkpoint.js';
import type { EventLog, Subscription } from '../../src/eventlog/eventLog.js';
import { CHAT_EVENT_TYPES } from '../../src/events/chatEvents.js';
import type { NewEvent, RecordedEvent } from '../../src/events/envelope.js';
import { GENESIS_HASH } from '../../src/events/hashChain.js';
import { sampleEvent, sampleMessages } from '../support/sampleEvents.js';

export interface EventLogUnderTest {
  log: EventLog;
  /** Closes the log and removes whatever it created. */
  cleanup: () => Promise<void>;
}

/**
 * The behaviour every EventLog adapter must show (SQLite: one partition; Kafka: many). Each test gets a fresh,
 * empty log. Positions are per partition (src/eventlog/checkpoint.ts): the suite asserts order within each
 * partition and never across them. Tests wait for outcomes (a handler reaching a count, a promise settling),
 * never for wall-clock time.
 */
export function eventLogContract(name: string, makeLog: () => Promise<EventLogUnderTest>): void {
  describe(`EventLog contract: ${name}`, () => {
    let log: EventLog;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ log, cleanup } = await makeLog());
    });

    afterEach(async () => {
      await cleanup();
    });

    describe('reading what is not there', () => {
      it('reads an unknown stream as empty, at version 0', async () => {
        expect(await log.readStream('room-nobody')).toEqual([]);
        expect(await log.streamVersion('room-nobody')).toBe(0);
      });

      it('has head position 0 and reads nothing while empty', async () => {
        expect(await log.headPosition()).toEqual(EMPTY_CHECKPOINT);
        expect(await log.readAll({ after: EMPTY_CHECKPOINT, limit: 10 })).toEqual([]);
        expect(await log.readAll({ limit: 10 })).toEqual([]);
        expect(await log.findByCommandId('no-such-command')).toEqual([]);
      });
    });

    describe('append and read', () => {
      it('round-trips an event of every type with its envelope', async () => {
        const events: NewEvent[] = [
          ...CHAT_EVENT_TYPES.map((type) => sampleEvent(type)),
          // What the samples leave out: the other branch of nullable fields, other enum symbols, (non-)empty texts.
          sampleEvent('UserRegistered', { data: { email: null, role: 'user' } }),
          sampleEvent('MemberJoined', { data: { userId: 'u-bob', addedBy: 'u-alice', role: 'member' } }),
          sampleEvent('RoomCreated', { data: { kind: 'public' }, metadata: { actorId: null } }),
          sampleEvent('MessageSent', { data: { text: '' } }),
          sampleEvent('MessageEdited', { data: { text: 'hello, world' } }),
          sampleEvent('AuditLogRead', { data: { kind: 'streamEvents', messageId: null, limit: 100 } }),
          sampleEvent('ProfileUpdated', { data: { statusText: 'in a meeting', avatarUrl: null } }),
        ];
        const result = await log.append('room-roundtrip', 'no-stream', events);

        const expected = events.map((event, i) => ({
          ...event,
          streamId: 'room-roundtrip',
          streamVersion: i + 1,
          partition: log.partitionOf('room-roundtrip'),
          position: result.events[i]?.position,
          previousHash: result.events[i]?.previousHash,
        }));
        expect(result.nextExpectedVersion).toBe(events.length);
        // Each event carries the hash of the one before it in its stream (events/hashChain.ts), genesis first.
        const hashes = result.events.map((event) => event.previousHash);
        expect(hashes[0]).toBe(GENESIS_HASH);
        expect(new Set(hashes).size).toBe(events.length);
        for (const hash of hashes) expect(hash).toMatch(/^[0-9a-f]{64}$/);
        expect(result.events).toEqual(expected);
        expect(await log.readStream('room-roundtrip')).toEqual(expected);
        expect(await log.readAll({ after: EMPTY_CHECKPOINT, limit: 100 })).toEqual(expected);
        expect(new Set(expected.map((event) => event.type))).toEqual(new Set(CHAT_EVENT_TYPES));
      });

      it('numbers a stream 1, 2, 3, ... across appends and positions events in strictly increasing order', async () => {
        const first = await log.append('room-a', 'no-stream', sampleMessages(3, 'a'));
        const second = await log.append('room-a', 3, sampleMessages(2, 'a', 'n'));
        expect(first.events.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
        expect(second.events.map((event) => event.streamVersion)).toEqual([4, 5]);
        expect(second.nextExpectedVersion).toBe(5);
        expectStrictlyIncreasing([...first.events, ...second.events].map((event) => event.position));
        expect(await log.streamVersion('room-a')).toBe(5);
      });

      it('keeps the order of events within one append', async () => {
        const events = sampleMessages(25, 'ordered');
        await log.append('room-ordered', 'no-stream', events);
        const read = await log.readStream('room-ordered');
        expect(read.map((event) => event.eventId)).toEqual(events.map((event) => event.eventId));
      });

      it('appends nothing for an empty list and reports the current version', async () => {
        await log.append('room-e', 'no-stream', sampleMessages(2, 'e'));
        const head = await log.headPosition();
        const result = await log.append('room-e', 2, []);
        expect(result).toEqual({ nextExpectedVersion: 2, events: [] });
        expect(await log.append('room-new', 'no-stream', [])).toEqual({ nextExpectedVersion: 0, events: [] });
        expect(await log.headPosition()).toEqual(head);
        expect(await log.streamVersion('room-new')).toBe(0);
      });

      it('refuses an empty stream id and appends nothing', async () => {
        await expect(log.append('', 'any', [sampleEvent('MessageSent')])).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
        expect(await log.headPosition()).toEqual(EMPTY_CHECKPOINT);
      });

      it('puts every event of a stream in the partition partitionOf names, in stream order', async () => {
        const streams = Array.from({ length: 24 }, (_, i) => `room-placed-${i}`);
        const results = await Promise.all(streams.map((id) => log.append(id, 'no-stream', sampleMessages(3, id))));
        for (const [i, streamId] of streams.entries()) {
          const partition = log.partitionOf(streamId);
          expect(Number.isSafeInteger(partition) && partition >= 0).toBe(true);
          expect(log.partitionOf(streamId)).toBe(partition);
          const events = results[i]?.events ?? [];
          expect(events.map((event) => event.partition)).toEqual([partition, partition, partition]);
          expectStrictlyIncreasing(events.map((event) => event.position));
          expect(await log.readStream(streamId)).toEqual(events);
        }
        expect(await log.headPosition()).toEqual(checkpointOf(results.flatMap((result) => result.events)));
      });
    });

    describe('expected version', () => {
      it('"no-stream" succeeds on a new stream and conflicts once it exists', async () => {
        await log.append('username-alice', 'no-stream', [sampleEvent('UsernameClaimed')]);
        const error = await rejectionOf(log.append('username-alice', 'no-stream', [sampleEvent('UsernameClaimed')]));
        expect(error).toBeInstanceOf(WrongExpectedVersionError);
        expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: 'username-alice', actual: 1 });
        expect(await log.streamVersion('username-alice')).toBe(1);
      });

      it('0 means the same as "no-stream"', async () => {
        await log.append('room-zero', 0, [sampleEvent('RoomCreated')]);
        await expect(log.append('room-zero', 0, [sampleEvent('RoomCreated')])).rejects.toMatchObject({
          code: 'CONCURRENCY_CONFLICT',
        });
      });

      it('a number must equal the current version; a wrong one appends nothing', async () => {
        await log.append('room-n', 'no-stream', sampleMessages(3, 'n'));
        const head = await log.headPosition();

        for (const wrong of [0, 2, 4, 100]) {
          const error = await rejectionOf(log.append('room-n', wrong, sampleMessages(2, 'n', 'late')));
          expect(error).toBeInstanceOf(WrongExpectedVersionError);
          expect(error).toMatchObject({ code: 'CONCURRENCY_CONFLICT', streamId: 'room-n', expected: wrong, actual: 3 });
        }
        expect(await log.headPosition()).toEqual(head);
        expect(await log.readStream('room-n')).toHaveLength(3);

        const result = await log.append('room-n', 3, sampleMessages(1, 'n', 'right'));
        expect(result.nextExpectedVersion).toBe(4);
      });

      it('"any" appends whatever the version', async () => {
        await log.append('room-any', 'any', sampleMessages(2, 'any'));
        const result = await log.append('room-any', 'any', sampleMessages(1, 'any', 'more'));
        expect(result.nextExpectedVersion).toBe(3);
      });

      it('an empty append still checks the expected version', async () => {
        await log.append('room-ee', 'no-stream', sampleMessages(1, 'ee'));
        await expect(log.append('room-ee', 5, [])).rejects.toBeInstanceOf(WrongExpectedVersionError);
      });

      it('refuses a negative or fractional expected version', async () => {
        await expect(log.append('room-bad', -1, [sampleEvent('RoomCreated')])).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
        await expect(log.append('room-bad', 1.5, [sampleEvent('RoomCreated')])).rejects.toMatchObject({
          code: 'VALIDATION_FAILED',
        });
        expect(await log.headPosition()).toEqual(EMPTY_CHECKPOINT);
      });
    });

    describe('concurrent writers', () => {
      it('lets exactly one of many callers expecting the same version win', async () => {
        const attempts = Array.from({ length: 50 }, (_, i) => sampleMessages(2, 'race', `caller${i}`));
        const outcomes = await Promise.allSettled(attempts.map((events) => log.append('room-race', 0, events)));

        const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') {
            expect(outcome.reason).toBeInstanceOf(WrongExpectedVersionError);
            expect(outcome.reason).toMatchObject({ code: 'CONCURRENCY_CONFLICT', actual: 2 });
          }
        }
        const winner = attempts[winners[0] ?? -1] ?? [];
        expect((await log.readStream('room-race')).map((event) => event.eventId)).toEqual(
          winner.map((event) => event.eventId),
        );
      });

      it('gives callers that reload and retry contiguous versions, each event exactly once', async () => {
        const callers = 30;
        const appendWithRetry = async (caller: number): Promise<number> => {
          const event = sampleEvent('MessageSent', { data: { text: `caller ${caller}` } });
          for (;;) {
            const version = await log.streamVersion('room-retry');
            try {
              return (await log.append('room-retry', version, [event])).nextExpectedVersion;
            } catch (error) {
              if (!(error instanceof WrongExpectedVersionError)) throw error;
            }
          }
        };
        const versions = await Promise.all(Array.from({ length: callers }, (_, i) => appendWithRetry(i)));

        expect([...versions].sort((a, b) => a - b)).toEqual(range(1, callers));
        const stream = await log.readStream('room-retry');
        expect(stream.map((event) => event.streamVersion)).toEqual(range(1, callers));
        const texts = stream.map((event) => (event.type === 'MessageSent' ? event.data.text : ''));
        expect(new Set(texts).size).toBe(callers);
      });

      it('appends to many streams at once without mixing them up', async () => {
        const streams = 40;
        const appendsPerStream = 10;
        const written = new Map<string, string[]>();
        await Promise.all(
          Array.from({ length: streams }, async (_, s) => {
            const streamId = `room-many-${s}`;
            const ids: string[] = [];
            written.set(streamId, ids);
            for (let a = 0; a < appendsPerStream; a++) {
              const events = sampleMessages(2, streamId, `a${a}`);
              ids.push(...events.map((event) => event.eventId));
              const result = await log.append(streamId, a * 2, events);
              expect(result.nextExpectedVersion).toBe((a + 1) * 2);
            }
          }),
        );

        for (const [streamId, ids] of written) {
          const stream = await log.readStream(streamId);
          expect(stream.map((event) => event.eventId)).toEqual(ids);
          expect(stream.map((event) => event.streamVersion)).toEqual(range(1, appendsPerStream * 2));
          expect(stream.every((event) => event.streamId === streamId)).toBe(true);
          expectStrictlyIncreasing(stream.map((event) => event.position));
        }
        const all = await readEverything(log);
        expect(all).toHaveLength(streams * appendsPerStream * 2);
        expectIncreasingPerPartition(all);
      });

      it('commits the other appends of a burst when one of them conflicts', async () => {
        await log.append('room-burst', 'no-stream', sampleMessages(1, 'burst'));
        const outcomes = await Promise.allSettled([
          log.append('room-burst-other', 'no-stream', sampleMessages(1, 'other')),
          log.append('room-burst', 7, sampleMessages(1, 'burst', 'stale')),
          log.append('room-burst', 1, sampleMessages(1, 'burst', 'fresh')),
          // Sees the append just before it in the same burst.
          log.append('room-burst', 2, sampleMessages(1, 'burst', 'fresher')),
        ]);
        expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
        expect(await log.streamVersion('room-burst')).toBe(3);
        expect(await log.streamVersion('room-burst-other')).toBe(1);
      });
    });

    describe('reading', () => {
      it('reads a stream from a version, with a limit', async () => {
        await log.append('room-r', 'no-stream', sampleMessages(10, 'r'));
        const versions = async (options: { fromVersion?: number; limit?: number }): Promise<number[]> =>
          (await log.readStream('room-r', options)).map((event) => event.streamVersion);

        expect(await versions({})).toEqual(range(1, 10));
        expect(await versions({ fromVersion: 4 })).toEqual(range(4, 10));
        expect(await versions({ fromVersion: 4, limit: 3 })).toEqual([4, 5, 6]);
        expect(await versions({ limit: 2 })).toEqual([1, 2]);
        expect(await versions({ fromVersion: 10, limit: 5 })).toEqual([10]);
        expect(await versions({ fromVersion: 11 })).toEqual([]);
        expect(await versions({ limit: 0 })).toEqual([]);
      });

      it('reads the whole log in pages after a checkpoint, strictly increasing per partition', async () => {
        for (let i = 0; i < 12; i++) {
          await log.append(`room-p${i % 3}`, 'any', sampleMessages(i % 4 + 1, `p${i % 3}`, `x${i}`));
        }
        const all = await log.readAll({ after: EMPTY_CHECKPOINT, limit: 1000 });
        expect(all).toHaveLength(30);
        expectIncreasingPerPartition(all);

        const paged: RecordedEvent[] = [];
        let after: Checkpoint = EMPTY_CHECKPOINT;
        for (;;) {
          const page = await log.readAll({ after, limit: 7 });
          expect(page.length).toBeLessThanOrEqual(7);
          if (page.length === 0) break;
          paged.push(...page);
          after = advanceAll(after, page);
        }
        expect(paged).toEqual(all);

        // A checkpoint taken after any prefix covers exactly that prefix.
        expect(await log.readAll({ after: checkpointOf(all.slice(0, 15)), limit: 3 })).toEqual(all.slice(15, 18));
        expect(await log.readAll({ after: checkpointOf(all), limit: 10 })).toEqual([]);
      });

      it('reads after a checkpoint that is further in some partitions than in others', async () => {
        await Promise.all(
          range(1, 12).map((i) => log.append(`room-mixed-${i}`, 'no-stream', sampleMessages(4, `mixed${i}`))),
        );
        const all = await readEverything(log);
        // The i-th partition (of n) is applied up to i/(n+1) of its events: every partition at a different place.
        const partitions = [...new Set(all.map((event) => event.partition))].sort((x, y) => x - y);
        const applied = partitions.flatMap((partition, i) => {
          const own = all.filter((event) => event.partition === partition);
          return own.slice(0, Math.floor((own.length * (i + 1)) / (partitions.length + 1)));
        });
        const checkpoint = checkpointOf(applied);
        const rest = await readEverything(log, checkpoint);
        expect(rest).toEqual(all.filter((event) => !covers(checkpoint, event)));
        expect(rest).toHaveLength(all.length - applied.length);
        expect(rest.length).toBeGreaterThan(0);
      });

      it('reports the head position as the position of the last event of each partition', async () => {
        await log.append('room-h', 'no-stream', sampleMessages(3, 'h'));
        const result = await log.append('room-h2', 'no-stream', sampleMessages(2, 'h2'));
        const head = await log.headPosition();
        expect(head[log.partitionOf('room-h2')]).toBe(result.events[1]?.position);
        expect(head).toEqual(checkpointOf(await readEverything(log)));
      });

      it('finds the events of a command by its id, in order', async () => {
        const commandId = 'cmd-create-room';
        const created = [
          sampleEvent('RoomCreated', { metadata: { commandId } }),
          sampleEvent('MemberJoined', { data: { role: 'owner', userId: 'u-alice' }, metadata: { commandId } }),
          sampleEvent('MemberJoined', { data: { userId: 'u-bob', role: 'member', addedBy: 'u-alice' }, metadata: { commandId } }),
        ];
        await log.append('room-cmd-other', 'no-stream', sampleMessages(2, 'other'));
        await log.append('room-cmd', 'no-stream', created);
        await log.append('room-cmd', 3, sampleMessages(2, 'cmd'));

        const found = await log.findByCommandId(commandId);
        expect(found.map((event) => event.eventId)).toEqual(created.map((event) => event.eventId));
        expect(found.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
        expect(await log.findByCommandId('cmd-unknown')).toEqual([]);
      });
    });

    describe('subscribe', () => {
      it('catches up from a checkpoint, then delivers live appends', async () => {
        const first = await log.append('room-s', 'no-stream', sampleMessages(10, 's'));
        const collector = collect(log, { after: checkpointOf(first.events.slice(0, 4)) });
        await collector.until(6);
        expect(collector.versions()).toEqual(range(5, 10));

        await log.append('room-s', 10, sampleMessages(3, 's', 'live'));
        await collector.until(9);
        expect(collector.versions()).toEqual(range(5, 13));
        await collector.subscription.close();
      });

      it('delivers to a subscriber of an empty log once events arrive', async () => {
        const collector = collect(log, { after: EMPTY_CHECKPOINT });
        await log.append('room-late', 'no-stream', sampleMessages(4, 'late'));
        await collector.until(4);
        expect(collector.versions()).toEqual([1, 2, 3, 4]);
        await collector.subscription.close();
      });

      it('has no gap and no duplicate when appends race with catch-up', async () => {
        // Enough history that catch-up takes many batches, then 2,000 events appended while it runs.
        for (let i = 0; i < 10; i++) await log.append(`room-hist-${i}`, 'no-stream', sampleMessages(50, `hist${i}`));
        const collector = collect(log, { after: EMPTY_CHECKPOINT, batchSize: 64, yieldEachBatch: true });

        const streams = 20;
        const appendsPerStream = 20;
        const eventsPerAppend = 5;
        await Promise.all(
          Array.from({ length: streams }, async (_, s) => {
            for (let a = 0; a < appendsPerStream; a++) {
              await log.append(`room-live-${s}`, a * eventsPerAppend, sampleMessages(eventsPerAppend, `live${s}`, `a${a}`));
            }
          }),
        );
        const total = 500 + streams * appendsPerStream * eventsPerAppend;
        await collector.until(total);

        const all = await readEverything(log);
        expect(all).toHaveLength(total);
        expect(perPartition(collector.events)).toEqual(perPartition(all));
        expectIncreasingPerPartition(collector.events);
        expect(collector.maxBatch).toBeLessThanOrEqual(64);
        expect(collector.maxConcurrentHandlers).toBe(1);
        await collector.subscription.close();
        expect(collector.events).toHaveLength(total);
      });

      it('delivers events appended while its handler is running', async () => {
        await log.append('room-busy', 'no-stream', sampleMessages(1, 'busy'));
        const entered = deferred<void>();
        const release = deferred<void>();
        const received: RecordedEvent[] = [];
        const allArrived = deferred<void>();
        const subscription = log.subscribe({
          after: EMPTY_CHECKPOINT,
          handler: async (batch) => {
            entered.resolve();
            await release.promise;
            received.push(...batch);
            if (received.length === 4) allArrived.resolve();
          },
        });
        await entered.promise;
        // These commit while the first batch is still being handled: nothing appended later will wake the
        // subscription, so it must remember that the log moved on.
        await log.append('room-busy', 1, sampleMessages(3, 'busy', 'during'));
        release.resolve();
        await allArrived.promise;
        expect(received.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4]);
        await subscription.close();
      });

      it('serves two subscribers the same sequence', async () => {
        await log.append('room-two', 'no-stream', sampleMessages(30, 'two'));
        const a = collect(log, { after: EMPTY_CHECKPOINT, batchSize: 7 });
        const b = collect(log, { after: EMPTY_CHECKPOINT, batchSize: 100 });
        await Promise.all(
          range(1, 10).map((i) => log.append(`room-two-${i}`, 'no-stream', sampleMessages(i, `two${i}`))),
        );
        await Promise.all([a.until(85), b.until(85)]);
        expect(perPartition(a.events)).toEqual(perPartition(b.events));
        expectIncreasingPerPartition(a.events);
        await Promise.all([a.subscription.close(), b.subscription.close()]);
      });

      it('stops delivering after close()', async () => {
        await log.append('room-c', 'no-stream', sampleMessages(5, 'c'));
        const closing = collect(log, { after: EMPTY_CHECKPOINT });
        const watcher = collect(log, { after: EMPTY_CHECKPOINT });
        await Promise.all([closing.until(5), watcher.until(5)]);
        await closing.subscription.close();

        await log.append('room-c', 5, sampleMessages(5, 'c', 'after'));
        // The watcher proves the new events were delivered live; the closed subscription got none of them.
        await watcher.until(10);
        expect(closing.events).toHaveLength(5);
        await watcher.subscription.close();
      });

      it('close() waits for a running handler to finish', async () => {
        await log.append('room-w', 'no-stream', sampleMessages(3, 'w'));
        const entered = deferred<void>();
        const release = deferred<void>();
        let handlerFinished = false;
        const subscription = log.subscribe({
          after: EMPTY_CHECKPOINT,
          handler: async () => {
            entered.resolve();
            await release.promise;
            handlerFinished = true;
          },
        });
        await entered.promise;

        let closed = false;
        const closing = subscription.close().then(() => {
          closed = true;
        });
        await turns(20);
        expect(closed).toBe(false);

        release.resolve();
        await closing;
        expect(handlerFinished).toBe(true);
      });

      it('settles: catch-up pages come at once, what arrives during a settle comes as one batch, close ends a settle', async () => {
        const settleMs = 1_000;
        await log.append('room-settle', 'no-stream', sampleMessages(300, 'settle'));
        const started = Date.now();
        const collector = collect(log, { after: EMPTY_CHECKPOINT, batchSize: 100, settleMs });
        await collector.until(300);
        // Three full pages, each read as soon as the previous one was handled: no settle between them.
        expect(Date.now() - started).toBeLessThan(settleMs);
        const batchesAfterCatchUp = collector.batchSizes.length;

        // Caught up, the subscription now settles: three appends meanwhile arrive together once it ends.
        for (let i = 0; i < 3; i++) await log.append('room-settle', 300 + i, sampleMessages(1, 'settle', `late${i}`));
        await collector.until(303);
        expect(collector.batchSizes.slice(batchesAfterCatchUp)).toEqual([3]);
        expect(collector.versions().slice(300)).toEqual([301, 302, 303]);

        // It settles again after that batch; closing does not wait the settle out.
        const closing = Date.now();
        await collector.subscription.close();
        expect(Date.now() - closing).toBeLessThan(settleMs / 2);
      });

      it('stops and tells onError when the handler throws', async () => {
        await log.append('room-err', 'no-stream', sampleMessages(3, 'err'));
        const failure = new Error('projection broke');
        const reported = deferred<unknown>();
        let calls = 0;
        const failing = log.subscribe({
          after: EMPTY_CHECKPOINT,
          handler: async () => {
            calls += 1;
            throw failure;
          },
          onError: (error) => reported.resolve(error),
        });
        expect(await reported.promise).toBe(failure);

        const watcher = collect(log, { after: EMPTY_CHECKPOINT });
        await log.append('room-err', 3, sampleMessages(3, 'err', 'more'));
        await watcher.until(6);
        expect(calls).toBe(1);
        await Promise.all([failing.close(), watcher.subscription.close()]);
      });
    });
  });
}

/** Subscribes and records what arrives; built before subscribing so a handler may run at once. */
class Collector {
  readonly events: RecordedEvent[] = [];
  readonly batchSizes: number[] = [];
  maxBatch = 0;
  maxConcurrentHandlers = 0;
  readonly subscription: Subscription;
  private running = 0;
  private failed: unknown;
  private readonly waiters: { count: number; resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(log: EventLog, options: CollectOptions) {
    this.subscription = log.subscribe({
      after: options.after,
      batchSize: options.batchSize,
      settleMs: options.settleMs,
      handler: async (batch) => {
        this.batchSizes.push(batch.length);
        this.running += 1;
        this.maxConcurrentHandlers = Math.max(this.maxConcurrentHandlers, this.running);
        this.maxBatch = Math.max(this.maxBatch, batch.length);
        // Yielding lets appends interleave with delivery (the race the no-gap test is about).
        if (options.yieldEachBatch) await turns(1);
        this.events.push(...batch);
        this.running -= 1;
        for (const waiter of this.waiters) if (this.events.length >= waiter.count) waiter.resolve();
      },
      onError: (error) => {
        this.failed = error;
        for (const waiter of this.waiters) waiter.reject(error);
      },
    });
  }

  /** Resolves once at least `count` events arrived; rejects if the subscription reported an error. */
  until(count: number): Promise<void> {
    if (this.failed !== undefined) return Promise.reject(this.failed);
    if (this.events.length >= count) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ count, resolve, reject }));
  }

  versions(): number[] {
    return this.events.map((event) => event.streamVersion);
  }
}

interface CollectOptions {
  after: Checkpoint;
  batchSize?: number;
  settleMs?: number;
  yieldEachBatch?: boolean;
}

function collect(log: EventLog, options: CollectOptions): Collector {
  return new Collector(log, options);
}

async function readEverything(log: EventLog, from: Checkpoint = EMPTY_CHECKPOINT): Promise<RecordedEvent[]> {
  const events: RecordedEvent[] = [];
  let after = from;
  for (;;) {
    const page = await log.readAll({ after, limit: 1000 });
    if (page.length === 0) return events;
    events.push(...page);
    after = advanceAll(after, page);
  }
}

/** Event ids per partition, in delivery order: the only order a partitioned log promises. */
function perPartition(events: readonly RecordedEvent[]): Record<number, string[]> {
  const result: Record<number, string[]> = {};
  for (const event of events) (result[event.partition] ??= []).push(event.eventId);
  return result;
}

function expectIncreasingPerPartition(events: readonly RecordedEvent[]): void {
  const positions: Record<number, number[]> = {};
  for (const event of events) (positions[event.partition] ??= []).push(event.position);
  for (const list of Object.values(positions)) expectStrictlyIncreasing(list);
}

function expectStrictlyIncreasing(positions: number[]): void {
  for (let i = 1; i < positions.length; i++) {
    expect(positions[i]).toBeGreaterThan(positions[i - 1] ?? Number.NEGATIVE_INFINITY);
  }
}

async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

function deferred<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve: (value: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** Lets `count` turns of the event loop pass (I/O, timers of 0 ms, immediates): progress without a clock. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
