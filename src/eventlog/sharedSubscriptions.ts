import type { Logger } from 'pino';
import type { NewEvent, RecordedEvent } from '../events/envelope.js';
import { advanceAll, coversAll, covers, type Checkpoint } from './checkpoint.js';
import { positiveInteger } from './logArguments.js';
import { PullSubscription } from './pullSubscription.js';
import type {
  AppendResult,
  EventLog,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from './eventLog.js';

// One subscription to the log per process, shared by every subscriber in it (the room hub, the history and the
// analytics projectors): each new event is read, decoded and unsealed once and handed to all of them, where each
// used to read, decode and unseal it for itself. The shared subscription follows the log from its head and keeps
// the latest events (the tail) in memory; a subscriber whose checkpoint already covers everything before the tail
// is served from it, and any other (a projector rebuilding, one that the tail outran) reads the log itself, page by
// page, until it has caught up with the tail, then joins it. So a slow subscriber never holds back the others.
//
// What a subscriber sees is unchanged: consecutive batches in log order, from its own checkpoint, with no gap and
// no duplicate (events its checkpoint covers are skipped), the next batch only after its handler resolved, and
// a handler that throws stops that subscription alone (onError is told).

export interface SharedSubscriptionsOptions {
  /** Events kept in memory for subscribers to share (up to a quarter more between trims). Default 10 000. */
  tailSize?: number;
  /** How long after the shared subscription failed it is started again (subscribers read the log meanwhile). */
  restartDelayMs?: number;
  logger?: Logger;
}

const DEFAULT_TAIL_SIZE = 10_000;
const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_RESTART_DELAY_MS = 1000;

/** Where a subscriber is in the tail: the absolute index to look from next, or undefined while it reads the log. */
interface TailPlace {
  cursor: number | undefined;
}

/** An EventLog whose subscribers in this process share one subscription; every other call goes to `inner`. */
export class SharedSubscriptionLog implements EventLog {
  private readonly tailSize: number;
  private readonly restartDelayMs: number;
  private readonly logger: Logger | undefined;

  /** The latest events in the order the log delivered them. */
  private tail: RecordedEvent[] = [];
  /** The absolute index of tail[0]: it grows as the tail is trimmed, so a subscriber's cursor stays valid. */
  private tailStart = 0;
  /** Covers every event before tail[0]; undefined while the shared subscription is not running. */
  private tailBase: Checkpoint | undefined;
  private source: Subscription | undefined;
  private starting: Promise<void> | undefined;
  private restartTimer: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly members = new Set<PullSubscription>();

  constructor(
    /** The log underneath (a sealing decorator or an adapter): `undecorated` looks through this one too. */
    readonly inner: EventLog,
    options: SharedSubscriptionsOptions = {},
  ) {
    this.tailSize = positiveInteger(options.tailSize ?? DEFAULT_TAIL_SIZE, 'tailSize');
    this.restartDelayMs = options.restartDelayMs ?? DEFAULT_RESTART_DELAY_MS;
    this.logger = options.logger;
  }

  append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult> {
    return this.inner.append(streamId, expected, events);
  }

  readStream(streamId: string, options?: ReadStreamOptions): Promise<RecordedEvent[]> {
    return this.inner.readStream(streamId, options);
  }

  streamVersion(streamId: string): Promise<number> {
    return this.inner.streamVersion(streamId);
  }

  readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    return this.inner.readAll(options);
  }

  findByCommandId(commandId: string): Promise<RecordedEvent[]> {
    return this.inner.findByCommandId(commandId);
  }

  headPosition(): Promise<Checkpoint> {
    return this.inner.headPosition();
  }

  partitionOf(streamId: string): number {
    return this.inner.partitionOf(streamId);
  }

  subscribe(options: SubscribeOptions): Subscription {
    if (this.closed) return this.inner.subscribe(options);
    const batchSize = positiveInteger(options.batchSize ?? DEFAULT_BATCH_SIZE, 'batchSize');
    // The subscriber's place in the tail (an absolute index), kept between its reads; undefined while it reads the log.
    const place: TailPlace = { cursor: undefined };
    const member = new PullSubscription({
      read: (after, limit) => this.nextPage(after, limit, place),
      detach: (stopped) => this.members.delete(stopped),
      after: options.after,
      batchSize,
      handler: options.handler,
      onError: options.onError,
      settleMs: options.settleMs,
      logger: this.logger,
    });
    this.members.add(member);
    this.startSource();
    member.wake();
    return member;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer !== undefined) clearTimeout(this.restartTimer);
    await Promise.all([...this.members].map((member) => member.close()));
    await this.starting;
    await this.source?.close();
    this.source = undefined;
    this.dropTail();
    await this.inner.close();
  }

  /** Events a subscriber at `checkpoint` has not had, at most `limit`: from the tail when it can, else the log. */
  private async nextPage(checkpoint: Checkpoint, limit: number, place: TailPlace): Promise<RecordedEvent[]> {
    const base = this.tailBase;
    if (base === undefined || !coversAll(checkpoint, base)) {
      place.cursor = undefined;
      return this.inner.readAll({ after: checkpoint, limit });
    }
    // Everything before the tail is covered, so the rest is in the tail: skip what the checkpoint already covers.
    const end = this.tailStart + this.tail.length;
    const page: RecordedEvent[] = [];
    let index = Math.max(place.cursor ?? this.tailStart, this.tailStart);
    for (; index < end && page.length < limit; index++) {
      const event = this.tail[index - this.tailStart];
      if (event !== undefined && !covers(checkpoint, event)) page.push(event);
    }
    place.cursor = index;
    return page;
  }

  private startSource(): void {
    if (this.source !== undefined || this.starting !== undefined || this.closed) return;
    this.starting = this.openSource().finally(() => {
      this.starting = undefined;
    });
  }

  private async openSource(): Promise<void> {
    let head: Checkpoint;
    try {
      head = await this.inner.headPosition();
    } catch (error) {
      this.sourceFailed(error);
      return;
    }
    if (this.closed) return;
    this.tail = [];
    this.tailBase = head;
    this.source = this.inner.subscribe({
      after: head,
      batchSize: DEFAULT_BATCH_SIZE,
      handler: async (events) => this.receive(events),
      onError: (error) => this.sourceFailed(error),
    });
    // Subscribers that read the log meanwhile may now be covered by the tail's base.
    for (const member of this.members) member.wake();
  }

  private receive(events: RecordedEvent[]): void {
    for (const event of events) this.tail.push(event);
    // Trimmed in steps of a quarter, so the copy that trimming costs is paid once per many batches.
    const excess = this.tail.length > this.tailSize * 1.25 ? this.tail.length - this.tailSize : 0;
    if (excess > 0 && this.tailBase !== undefined) {
      const dropped = this.tail.splice(0, excess);
      this.tailBase = advanceAll(this.tailBase, dropped);
      this.tailStart += excess;
    }
    for (const member of this.members) member.wake();
  }

  /**
   * The shared subscription stopped (the key store away, a tampered event): every subscriber reads the log itself
   * again, meeting the same error if it persists, as it would have without sharing, and the shared subscription
   * starts over from the head a moment later.
   */
  private sourceFailed(error: unknown): void {
    this.logger?.warn({ err: error, retryInMs: this.restartDelayMs }, 'shared log subscription failed; subscribers read the log meanwhile');
    const failed = this.source;
    this.source = undefined;
    this.dropTail();
    void failed?.close();
    for (const member of this.members) member.wake();
    if (this.closed || this.restartTimer !== undefined) return;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      this.startSource();
    }, this.restartDelayMs);
    this.restartTimer.unref();
  }

  private dropTail(): void {
    this.tailStart += this.tail.length;
    this.tail = [];
    this.tailBase = undefined;
  }
}
