import type { ChatEvent } from '../../events/chatEvents.js';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import { GENESIS_HASH, eventHash } from '../../events/hashChain.js';
import type { Clock, IdGenerator } from '../../support/clock.js';
import type { CommandMetadata, PrepareState } from '../commandExecutor.js';
import type { DecisionContext, Decider } from '../decider.js';
import { eventsOfCategory } from '../../events/eventGuards.js';
import {
  STREAM_CATEGORIES,
  type CategoryName,
  type CommandOf,
  type EventOf,
  type StateOf,
  type StreamReader,
} from '../streamCategories.js';

/** What a writer reads from the log: the processor's own index of the events topic. */
export interface WriterLog {
  readStream(streamId: string, options: { fromVersion: number }): Promise<RecordedEvent[]>;
  /** The stored bytes of the stream's last event, undefined for an empty stream. */
  lastStoredBody(streamId: string): Buffer | undefined;
}

/** Turns decided events into stored bytes: the log's codec, with the hash-chain field set by the writer. */
export type EncodeEvent = (event: NewEvent, streamId: string, streamVersion: number, previousHash: string) => Buffer;

/** Runs on a command's events just before they are encoded (crypto-shredding seals personal data here). */
export type BeforeEncode = (events: NewEvent[]) => Promise<NewEvent[]>;

/** A BeforeEncode for a batch of commands whose actors are known ahead (processorOptions.ts, beforeEncodeFor). */
export type BeforeEncodeFor = (actorIds: readonly string[]) => Promise<BeforeEncode>;

/** One decided event, encoded, for the events topic. */
export interface EncodedEvent {
  streamId: string;
  eventId: string;
  type: ChatEvent['type'];
  value: Buffer;
}

interface CachedStream<S> {
  partition: number;
  state: S;
  version: number;
  /** eventHash of the stream's last event as stored: the next event's previousHash. */
  lastHash: string;
}

export interface WriterDeps<C, S, E extends ChatEvent> {
  decider: Decider<C, S, E>;
  /** Tells the decider's events apart; a stream only ever holds them, so anything else is a corrupt log. */
  asDeciderEvent: (event: RecordedEvent) => RecordedEvent<E> | undefined;
  prepare?: PrepareState<C, S>;
  clock: Clock;
  ids: IdGenerator;
  maxCachedStreams: number;
}

/**
 * The single writer of one kind of stream inside the command processor: the stream's state (cached, folded from
 * the processor's index when not), decide, and the events encoded with their hash chain. State moves forward as
 * soon as a command is decided, so the next command of the same batch sees it; if the batch's transaction then
 * fails, the processor drops every cached stream of the partition (dropPartition) and they are folded again from
 * what Kafka really holds.
 */
export class StreamWriter<C extends { type: string }, S, E extends ChatEvent> {
  private readonly cache = new Map<string, CachedStream<S>>();

  constructor(private readonly deps: WriterDeps<C, S, E>) {}

  /**
   * Decides one command. Throws the decider's error (a rejection; nothing changes) or, for a log that cannot be
   * read, whatever the log throws.
   */
  async decide(
    log: WriterLog,
    partition: number,
    streamId: string,
    command: C,
    context: DecisionContext,
    metadata: CommandMetadata,
    beforeEncode: BeforeEncode,
    encode: EncodeEvent,
  ): Promise<EncodedEvent[]> {
    const loaded = await this.load(log, partition, streamId);
    const prepared = this.deps.prepare ? await this.deps.prepare(loaded.state, command, streamId) : loaded.state;
    const decided: E[] = this.deps.decider.decide(command, prepared, context);
    if (decided.length === 0) return [];
    const occurredAt = this.deps.clock.now();
    const eventMetadata = {
      actorId: context.actor.userId,
      commandId: metadata.commandId,
      correlationId: metadata.correlationId,
      occurredAt,
    };
    const eventIds = decided.map(() => this.deps.ids.next());
    const widened: ChatEvent[] = decided;
    const newEvents: NewEvent[] = widened.map((event, i) => ({ ...event, eventId: eventIds[i] ?? '', metadata: eventMetadata }));
    const stored = await beforeEncode(newEvents);
    const encoded: EncodedEvent[] = [];
    let { state, lastHash } = loaded;
    stored.forEach((event, i) => {
      const value = encode(event, streamId, loaded.version + i + 1, lastHash);
      lastHash = eventHash(value);
      encoded.push({ streamId, eventId: event.eventId, type: event.type, value });
    });
    // Folded from what was decided (the decider's own events, before any sealing): evolve reads versions and
    // payloads, never the Kafka place or the chain, which the transaction and the encoding add.
    decided.forEach((event, i) => {
      const recorded: RecordedEvent<E> = {
        ...event,
        eventId: eventIds[i] ?? '',
        metadata: eventMetadata,
        streamId,
        streamVersion: loaded.version + i + 1,
        partition,
        position: 0,
        previousHash: null,
      };
      state = this.deps.decider.evolve(state, recorded);
    });
    this.store(streamId, { partition, state, version: loaded.version + decided.length, lastHash });
    return encoded;
  }

  /** Forgets every stream of a partition: its transaction failed, or another processor owns it now. */
  dropPartition(partition: number): void {
    for (const [streamId, entry] of this.cache) if (entry.partition === partition) this.cache.delete(streamId);
  }

  get cachedStreams(): number {
    return this.cache.size;
  }

  private async load(log: WriterLog, partition: number, streamId: string): Promise<CachedStream<S>> {
    const cached = this.cache.get(streamId);
    if (cached) return cached;
    let state = this.deps.decider.initialState();
    let version = 0;
    for (const event of await log.readStream(streamId, { fromVersion: 1 })) {
      state = this.deps.decider.evolve(state, this.own(event));
      version = event.streamVersion;
    }
    const body = log.lastStoredBody(streamId);
    const entry = { partition, state, version, lastHash: body === undefined ? GENESIS_HASH : eventHash(body) };
    this.store(streamId, entry);
    return entry;
  }

  private store(streamId: string, entry: CachedStream<S>): void {
    // Re-inserting moves the stream to the end of the Map's order, which makes eviction least-recently-used.
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > this.deps.maxCachedStreams) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private own(event: RecordedEvent): RecordedEvent<E> {
    const own = this.deps.asDeciderEvent(event);
    if (own) return own;
    throw new Error(`stream ${event.streamId} holds a ${event.type} event that its decider does not know`);
  }
}

/** What every category's writer shares: the clock, the ids, and how many streams each keeps folded. */
export interface WriterSettings {
  clock: Clock;
  ids: IdGenerator;
  maxCachedStreams: number;
}

/** The category's decider, event guard and state enrichment (from `log`) as a StreamWriter. */
function writerOf<K extends CategoryName>(
  name: K,
  log: StreamReader,
  settings: WriterSettings,
): StreamWriter<CommandOf<K>, StateOf<K>, EventOf<K>> {
  const { decider, prepare } = STREAM_CATEGORIES[name];
  const asDeciderEvent = eventsOfCategory(name);
  return new StreamWriter({ ...settings, decider, asDeciderEvent, ...(prepare ? { prepare: prepare(log) } : {}) });
}

/** One StreamWriter per stream category (streamCategories.ts), reading older facts from the processor's index. */
export function processorWriters(log: StreamReader, settings: WriterSettings): ProcessorWriters {
  const writer = <K extends CategoryName>(name: K) => writerOf(name, log, settings);
  return {
    usernames: writer('usernames'),
    users: writer('users'),
    rooms: writer('rooms'),
    receipts: writer('receipts'),
    deliveries: writer('deliveries'),
    audit: writer('audit'),
    friendships: writer('friendships'),
    identities: writer('identities'),
    files: writer('files'),
    assistantUsage: writer('assistantUsage'),
  };
}

/** One StreamWriter per stream category (streamCategories.ts). */
export type ProcessorWriters = { [K in CategoryName]: StreamWriter<CommandOf<K>, StateOf<K>, EventOf<K>> };
