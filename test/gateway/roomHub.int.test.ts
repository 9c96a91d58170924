import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EMPTY_CHECKPOINT, advanceAll, covers, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import type { EventLog, ReadStreamOptions, SubscribeOptions, Subscription } from '../../src/eventlog/eventLog.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventPosition, NewEvent, RecordedEvent } from '../../src/events/envelope.js';
import type { CloseCode } from '../../src/gateway/closeCodes.js';
import { CLOSE_CODES } from '../../src/gateway/closeCodes.js';
import type { EncodedFrame, ServerFrame } from '../../src/gateway/protocol.js';
import { encodeFrame } from '../../src/gateway/protocol.js';
import { RoomHub, type HubConnection } from '../../src/gateway/roomHub.js';
import { sampleEvent } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// The catch-up race, made deterministic: the replay's read of the log is held at a gate while new events are
// appended and reach the hub, so the subscriber is provably catching up when they arrive. What it receives must
// still be every seq once, in order, and a removal that arrives meanwhile must end it.

const roomId = 'r-hub';
const streamId = `room-${roomId}`;
const message = (seq: number, text = `text ${seq}`): NewEvent =>
  sampleEvent('MessageSent', { data: { roomId, messageId: `${roomId}.${seq}`, text, clientMessageId: `c-${seq}` } });

/** Delegates to a real log; readStream can be held at a gate, and the test can wait for the hub's handler. */
class GatedLog implements EventLog {
  private gate: Promise<void> | undefined;
  private openGate: (() => void) | undefined;
  private reachedGate: (() => void) | undefined;
  private handled: Checkpoint = EMPTY_CHECKPOINT;
  private readonly handledWaiters: { event: EventPosition; resolve: () => void }[] = [];

  constructor(readonly inner: SqliteEventLog) {}

  /** Holds the next readStream until the returned function is called; `reached` resolves when it is held. */
  holdNextRead(): { reached: Promise<void>; release: () => void } {
    this.gate = new Promise((resolve) => (this.openGate = resolve));
    const reached = new Promise<void>((resolve) => (this.reachedGate = resolve));
    return { reached, release: () => this.openGate?.() };
  }

  /** Resolves once the hub's handler has finished with this event. */
  handledUpTo(event: EventPosition): Promise<void> {
    if (covers(this.handled, event)) return Promise.resolve();
    return new Promise((resolve) => this.handledWaiters.push({ event, resolve }));
  }

  append = (...args: Parameters<EventLog['append']>) => this.inner.append(...args);
  streamVersion = (id: string) => this.inner.streamVersion(id);
  readAll = (...args: Parameters<EventLog['readAll']>) => this.inner.readAll(...args);
  findByCommandId = (id: string) => this.inner.findByCommandId(id);
  headPosition = () => this.inner.headPosition();
  partitionOf = (id: string) => this.inner.partitionOf(id);
  close = () => this.inner.close();

  async readStream(id: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    const gate = this.gate;
    if (gate) {
      this.gate = undefined;
      this.reachedGate?.();
      await gate;
    }
    return this.inner.readStream(id, options);
  }

  subscribe(options: SubscribeOptions): Subscription {
    return this.inner.subscribe({
      ...options,
      handler: async (events) => {
        await options.handler(events);
        this.handled = advanceAll(this.handled, events);
        for (const waiter of this.handledWaiters.filter((w) => covers(this.handled, w.event))) {
          this.handledWaiters.splice(this.handledWaiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      },
    });
  }
}

class FakeConnection implements HubConnection {
  readonly frames: ServerFrame[] = [];
  bufferedAmount = 0;
  closedWith: CloseCode | undefined;

  send(data: EncodedFrame): void {
    this.frames.push(JSON.parse(data.toString()));
  }
  sendFrame(frame: ServerFrame): void {
    this.send(encodeFrame(frame));
  }
  async sendAndWait(data: EncodedFrame): Promise<void> {
    this.send(data);
  }
  close(code: CloseCode): void {
    this.closedWith = code;
  }
  seqs(): number[] {
    return this.frames.flatMap((frame) => (frame.type === 'chat.event' ? [frame.seq] : []));
  }
}

describe('RoomHub catch-up', () => {
  let log: GatedLog;
  let hub: RoomHub;

  beforeEach(async () => {
    log = new GatedLog(SqliteEventLog.open({ file: ':memory:', codec: await createTestCodec(), pollIntervalMs: 3_600_000 }));
    await log.append(streamId, 'no-stream', [
      sampleEvent('RoomCreated', { data: { roomId } }),
      sampleEvent('MemberJoined', { data: { roomId, userId: 'u-bob' } }),
      ...[3, 4, 5, 6, 7, 8].map((seq) => message(seq)),
    ]);
  });
  afterEach(async () => {
    await hub.stop();
    await log.close();
  });

  async function startHub(options: { maxCatchUpBuffer?: number } = {}): Promise<void> {
    hub = new RoomHub({
      log,
      logger: pino({ level: 'silent' }),
      waitForHistory: async () => undefined,
      ...options,
    });
    await hub.start();
  }

  /** Appends while the replay is held, and waits until the hub has seen the appended events. */
  async function appendDuringCatchUp(events: NewEvent[]): Promise<void> {
    const result = await log.append(streamId, 'any', events);
    await log.handledUpTo(result.events.at(-1)!);
  }

  it('buffers what arrives during the replay and sends every seq once, in order', async () => {
    await startHub();
    const connection = new FakeConnection();
    const held = log.holdNextRead();
    const subscribing = hub.subscribe({ connection, userId: 'u-bob' }, roomId, { afterSeq: 2, ref: 's', authorize: async () => 8 });
    await held.reached;
    // The head was read (8) before the replay started: 9..12 can only come through the buffer.
    await appendDuringCatchUp([message(9), message(10)]);
    await appendDuringCatchUp([message(11), message(12)]);
    held.release();
    await subscribing;
    expect(connection.frames[0]).toEqual({ type: 'room.subscribed', roomId, headSeq: 8, ref: 's' });
    expect(connection.seqs()).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

    // And live from there on, still without a duplicate.
    const live = await log.append(streamId, 'any', [message(13)]);
    await log.handledUpTo(live.events[0]!);
    expect(connection.seqs()).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13]);
  });

  it('ends a catching-up subscription when its user is removed meanwhile, and says why', async () => {
    await startHub();
    const connection = new FakeConnection();
    const held = log.holdNextRead();
    const subscribing = hub.subscribe({ connection, userId: 'u-bob' }, roomId, { afterSeq: 0, ref: undefined, authorize: async () => 8 });
    await held.reached;
    await appendDuringCatchUp([sampleEvent('MemberRemoved', { data: { roomId, userId: 'u-bob', removedBy: 'u-alice' } }), message(10)]);
    held.release();
    await subscribing;
    expect(connection.frames.at(-1)).toEqual({ type: 'room.unsubscribed', roomId, reason: 'removed' });
    expect(connection.seqs()).not.toContain(10);
    const after = await log.append(streamId, 'any', [message(11)]);
    await log.handledUpTo(after.events[0]!);
    expect(connection.seqs()).not.toContain(11);
  });

  it('delivers the live removal to the removed user, then unsubscribes every one of their connections', async () => {
    await startHub();
    const bobPhone = new FakeConnection();
    const bobLaptop = new FakeConnection();
    const alice = new FakeConnection();
    for (const [connection, userId] of [[bobPhone, 'u-bob'], [bobLaptop, 'u-bob'], [alice, 'u-alice']] as const) {
      await hub.subscribe({ connection, userId }, roomId, { afterSeq: undefined, ref: undefined, authorize: async () => 8 });
    }
    const removal = await log.append(streamId, 'any', [
      sampleEvent('MemberRemoved', { data: { roomId, userId: 'u-bob', removedBy: 'u-alice' } }),
      message(10),
    ]);
    await log.handledUpTo(removal.events.at(-1)!);
    for (const bob of [bobPhone, bobLaptop]) {
      expect(bob.seqs()).toEqual([9]);
      expect(bob.frames.at(-1)).toEqual({ type: 'room.unsubscribed', roomId, reason: 'removed' });
    }
    expect(alice.seqs()).toEqual([9, 10]);
  });

  it('redacts a buffered message whose deletion is buffered with it', async () => {
    await startHub();
    const connection = new FakeConnection();
    const held = log.holdNextRead();
    const subscribing = hub.subscribe({ connection, userId: 'u-bob' }, roomId, { afterSeq: 7, ref: undefined, authorize: async () => 8 });
    await held.reached;
    await appendDuringCatchUp([message(9, 'regretted'), sampleEvent('MessageDeleted', { data: { roomId, messageId: `${roomId}.9` } })]);
    held.release();
    await subscribing;
    expect(connection.seqs()).toEqual([8, 9, 10]);
    expect(JSON.stringify(connection.frames)).not.toContain('regretted');
  });

  it('closes a subscriber whose catch-up buffer overflows as a slow consumer', async () => {
    await startHub({ maxCatchUpBuffer: 2 });
    const connection = new FakeConnection();
    const held = log.holdNextRead();
    const subscribing = hub.subscribe({ connection, userId: 'u-bob' }, roomId, { afterSeq: 0, ref: undefined, authorize: async () => 8 });
    await held.reached;
    await appendDuringCatchUp([message(9), message(10), message(11)]);
    held.release();
    await subscribing;
    expect(connection.closedWith).toBe(CLOSE_CODES.SLOW_CONSUMER);
    expect(hub.subscriptionCount).toBe(0);
  });
});
