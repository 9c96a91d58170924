// Appends through KafkaEventLog.append(), group-committed per partition: the appends of one turn to one partition
// go out in one produce request, each checked against the index and the appends before it in the batch, and each
// settles once the index has read back what it wrote (read-your-writes).

import type { Message } from 'kafkajs';
import { UnavailableError, ValidationError, WrongExpectedVersionError } from '../../domain/errors.js';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { GENESIS_HASH, eventHash } from '../../events/hashChain.js';
import type { AppendResult, ExpectedVersion } from '../eventLog.js';
import { matchesExpected } from '../logArguments.js';
import type { EventIndex } from './eventIndex.js';
import type { KafkaEventTopic } from './kafkaEventTopic.js';

interface PendingAppend {
  streamId: string;
  expected: ExpectedVersion;
  events: NewEvent[];
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

/** An append that passed its version check, with its events encoded. */
interface AcceptedAppend {
  pending: PendingAppend;
  /** The stream's version before this append: its events take the versions after it. */
  current: number;
  /** Each event's previousHash, as encoded into its message. */
  previousHashes: string[];
  messages: Message[];
}

/** The log's counters this moves (KafkaEventLogStats without the index's own). */
export interface GroupCommitCounters {
  produceRequests: number;
  appends: number;
  events: number;
  conflicts: number;
}

export interface GroupCommitOptions {
  index: EventIndex;
  topic: KafkaEventTopic;
  codec: EventCodec;
  /** Most appends of one partition written in one produce request. */
  maxAppendBatch: number;
  counters: GroupCommitCounters;
  /** Waits until the index holds everything Kafka has in one partition. */
  catchUp: (partition: number) => Promise<void>;
  /** Waits, within the log's operation timeout, until `done` holds; `what` names the wait in the timeout's error. */
  waitFor: (done: () => boolean, what: string) => Promise<void>;
}

export class GroupCommit {
  // Each option in a field of its own, as when this lived in the log: the per-event loops read them directly.
  private readonly index: EventIndex;
  private readonly topic: KafkaEventTopic;
  private readonly codec: EventCodec;
  private readonly maxAppendBatch: number;
  private readonly counters: GroupCommitCounters;
  private readonly catchUp: (partition: number) => Promise<void>;
  private readonly waitFor: (done: () => boolean, what: string) => Promise<void>;
  private readonly queues = new Map<number, PendingAppend[]>();
  private readonly flushing = new Map<number, Promise<void>>();

  constructor(options: GroupCommitOptions) {
    this.index = options.index;
    this.topic = options.topic;
    this.codec = options.codec;
    this.maxAppendBatch = options.maxAppendBatch;
    this.counters = options.counters;
    this.catchUp = options.catchUp;
    this.waitFor = options.waitFor;
  }

  /** Queues an append for its partition's next produce request; the caller has validated it. */
  append(partition: number, streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult> {
    return new Promise<AppendResult>((resolve, reject) => {
      const queue = this.queues.get(partition) ?? [];
      this.queues.set(partition, queue);
      queue.push({ streamId, expected, events, resolve, reject });
      if (!this.flushing.has(partition)) {
        // setImmediate: every append of this turn joins the same produce request (group commit per partition).
        const flush = new Promise<void>((done) => setImmediate(done)).then(() => this.flushPartition(partition));
        this.flushing.set(partition, flush);
      }
    });
  }

  /** Resolves once every append queued so far has settled. */
  settled(): Promise<void[]> {
    return Promise.all([...this.flushing.values()]);
  }

  private async flushPartition(partition: number): Promise<void> {
    try {
      for (;;) {
        const queue = this.queues.get(partition) ?? [];
        if (queue.length === 0) break;
        const batch = queue.splice(0, this.maxAppendBatch);
        await this.commit(partition, batch);
      }
    } finally {
      this.flushing.delete(partition);
      this.queues.delete(partition);
    }
  }

  /** One group commit for one partition. Settles every pending append; never throws. */
  private async commit(partition: number, batch: PendingAppend[]): Promise<void> {
    try {
      // Versions are only as fresh as the index: first let it read everything the partition holds now.
      await this.catchUp(partition);
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    const accepted = this.check(batch);
    const messages = accepted.flatMap((append) => append.messages);
    if (messages.length === 0) {
      for (const { pending, current } of accepted) pending.resolve({ nextExpectedVersion: current, events: [] });
      return;
    }
    let base: number;
    try {
      base = await this.topic.produce(partition, messages);
      this.counters.produceRequests += 1;
      // Read-your-writes: the caller's next readStream (and every subscriber) must see what it just appended.
      await this.waitFor(() => this.topic.hasConsumed(partition, base + messages.length), 'the appended events to be indexed');
    } catch (error) {
      // A failed produce may still have written (the acknowledgement was lost); a retry with the same command id
      // finds its events through findByCommandId instead of appending twice.
      for (const append of accepted) append.pending.reject(error);
      return;
    }
    // One produce request to one partition takes consecutive offsets, in the order sent.
    let position = base;
    for (const { pending, current, previousHashes } of accepted) {
      const { streamId } = pending;
      const events: RecordedEvent[] = pending.events.map((event, i) => ({
        ...event,
        streamId,
        streamVersion: current + i + 1,
        partition,
        position: ++position,
        previousHash: previousHashes[i] ?? null,
      }));
      const misplaced = events.find((event) => this.index.at(partition, event.position)?.eventId !== event.eventId);
      if (misplaced) {
        pending.reject(new UnavailableError('the event log lost track of an appended event', { eventId: misplaced.eventId }));
        continue;
      }
      this.counters.appends += 1;
      this.counters.events += events.length;
      pending.resolve({ nextExpectedVersion: current + events.length, events });
    }
  }

  /** Checks each append against the index and the appends before it in the batch; rejects the ones that fail. */
  private check(batch: PendingAppend[]): AcceptedAppend[] {
    const versions = new Map<string, number>();
    // The hash chain as this batch leaves each stream, so a later append in the batch chains to an earlier one.
    const lastHashes = new Map<string, string>();
    const eventIds = new Set<string>();
    const accepted: AcceptedAppend[] = [];
    for (const pending of batch) {
      const { streamId, expected, events } = pending;
      const current = versions.get(streamId) ?? this.index.streamVersion(streamId);
      if (!matchesExpected(expected, current)) {
        this.counters.conflicts += 1;
        pending.reject(new WrongExpectedVersionError(streamId, expected, current));
        continue;
      }
      try {
        const lastBody = lastHashes.has(streamId) ? undefined : this.index.lastStoredBody(streamId);
        let previousHash = lastHashes.get(streamId) ?? (lastBody === undefined ? GENESIS_HASH : eventHash(lastBody));
        const previousHashes: string[] = [];
        const messages = events.map((event, i): Message => {
          if (eventIds.has(event.eventId) || this.index.hasEventId(event.eventId)) {
            throw new ValidationError('an event with this id is already in the log', { eventId: event.eventId });
          }
          const value = this.codec.encode({ ...event, streamId, streamVersion: current + i + 1, previousHash });
          previousHashes.push(previousHash);
          previousHash = eventHash(value);
          return {
            key: streamId,
            value,
            // For tools reading the topic (kcat, a console consumer): what each message is without decoding it.
            headers: { 'event-type': event.type, 'event-id': event.eventId },
          };
        });
        for (const event of events) eventIds.add(event.eventId);
        versions.set(streamId, current + events.length);
        lastHashes.set(streamId, previousHash);
        accepted.push({ pending, current, messages, previousHashes });
      } catch (error) {
        pending.reject(error);
      }
    }
    return accepted;
  }
}
