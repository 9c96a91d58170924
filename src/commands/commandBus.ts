import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import type { Logger } from 'pino';
import { WrongExpectedVersionError } from '../domain/errors.js';
import type { ChatEvent } from '../events/chatEvents.js';
import type { NewEvent, RecordedEvent } from '../events/envelope.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { Clock, IdGenerator } from '../support/clock.js';
import type { CommandExecutor, CommandMetadata, CommandObserver, CommandResult, PrepareState } from './commandExecutor.js';
import type { CommandExecutors } from './commandExecutors.js';
import type { DecisionContext, Decider } from './decider.js';
import { eventsOfCategory } from '../events/eventGuards.js';
import { SNAPSHOT_EVERY_EVENTS, type SnapshotCodec, type StreamSnapshots } from './snapshots/streamSnapshots.js';
import { STREAM_CATEGORIES, type CategoryName } from './streamCategories.js';

export type { CommandMetadata, CommandObserver, CommandResult } from './commandExecutor.js';

interface CachedStream<S> {
  state: S;
  version: number;
  /** The version of the stream's latest snapshot (0: none), when its category is snapshotted. */
  snapshotVersion?: number;
}

/** A category's snapshots (snapshots/streamSnapshots.ts): where they are kept and how its state is written. */
export interface BusSnapshots<S> {
  store: StreamSnapshots;
  codec: SnapshotCodec<S>;
}

const MAX_CACHED_STREAMS = 10_000;
/** Events read and folded per turn of the event loop while a stream loads. */
const LOAD_PAGE_EVENTS = 5_000;
const MAX_CONFLICT_RETRIES = 5;

/**
 * Runs commands against their streams: load state (cached, caught up from the log), decide, append with the
 * expected version. Commands for one stream run one after another in this process (the embedded single writer);
 * the expected-version check in the log still guards against any other writer.
 */
export class CommandBus<C extends { type: string }, S, E extends ChatEvent> implements CommandExecutor<C> {
  private readonly cache = new Map<string, CachedStream<S>>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    private readonly decider: Decider<C, S, E>,
    /** Tells this decider's events apart; a stream only ever holds them, so anything else is a corrupt log. */
    private readonly asDeciderEvent: (event: RecordedEvent) => RecordedEvent<E> | undefined,
    private readonly log: EventLog,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
    private readonly logger: Logger,
    /** Counts and times every command by type and outcome, whichever edge (REST, WebSocket) it came from. */
    private readonly observe: CommandObserver = (_command, run) => run(),
    /**
     * Enriches the loaded state with facts the decider needs but the bounded state no longer holds (for example
     * an old message's sender), before `decide` runs.
     */
    private readonly prepare?: PrepareState<C, S>,
    /** Long streams load from their latest snapshot, and a new one is taken every SNAPSHOT_EVERY_EVENTS events. */
    private readonly snapshots?: BusSnapshots<S>,
  ) {}

  execute(streamId: string, command: C, context: DecisionContext, metadata: CommandMetadata): Promise<CommandResult> {
    const previous = this.queues.get(streamId) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.observe(command.type, () => this.executeNow(streamId, command, context, metadata)));
    this.queues.set(streamId, run);
    // Drop the queue entry once idle so the map does not grow with every stream ever touched.
    void run
      .catch(() => undefined)
      .finally(() => {
        if (this.queues.get(streamId) === run) this.queues.delete(streamId);
      });
    return run;
  }

  private async executeNow(
    streamId: string,
    command: C,
    context: DecisionContext,
    metadata: CommandMetadata,
  ): Promise<CommandResult> {
    const earlier = await this.log.findByCommandId(metadata.commandId);
    if (earlier.length > 0) return { events: earlier, replayed: true };

    for (let attempt = 1; ; attempt++) {
      const loaded = await this.load(streamId);
      const state = this.prepare ? await this.prepare(loaded.state, command, streamId) : loaded.state;
      const decided: ChatEvent[] = this.decider.decide(command, state, context);
      if (decided.length === 0) return { events: [], replayed: false };
      const occurredAt = this.clock.now();
      const newEvents: NewEvent[] = decided.map((event) => ({
        ...event,
        eventId: this.ids.next(),
        metadata: {
          actorId: context.actor.userId,
          commandId: metadata.commandId,
          correlationId: metadata.correlationId,
          occurredAt,
        },
      }));
      try {
        const result = await this.log.append(streamId, loaded.version, newEvents);
        await this.remember(streamId, loaded, result.events);
        return { events: result.events, replayed: false };
      } catch (error) {
        this.cache.delete(streamId);
        if (!(error instanceof WrongExpectedVersionError) || attempt >= MAX_CONFLICT_RETRIES) throw error;
        this.logger.warn({ streamId, attempt }, 'stream moved on while deciding; retrying on fresh state');
      }
    }
  }

  /**
   * The stream's state caught up from the log; what was caught up is cached even if the command then fails. Read in
   * pages with a turn of the event loop between them: the first command on a room of a million events after a
   * start reads all of them, and in one piece that held every other request and socket of the process for seconds
   * (and a million decoded events in memory at once).
   */
  private async load(streamId: string): Promise<CachedStream<S>> {
    let loaded = this.cache.get(streamId) ?? (await this.fromSnapshot(streamId)) ?? { state: this.decider.initialState(), version: 0 };
    for (;;) {
      const newer = await this.log.readStream(streamId, { fromVersion: loaded.version + 1, limit: LOAD_PAGE_EVENTS });
      if (newer.length === 0) return loaded;
      loaded = this.fold(loaded, newer);
      await this.snapshotIfDue(streamId, loaded, newer);
      this.store(streamId, loaded);
      if (newer.length < LOAD_PAGE_EVENTS) return loaded;
      await setImmediatePromise();
    }
  }

  private async remember(streamId: string, loaded: CachedStream<S>, appended: RecordedEvent[]): Promise<void> {
    const folded = this.fold(loaded, appended);
    await this.snapshotIfDue(streamId, folded, appended);
    this.store(streamId, folded);
  }

  /** The stream's snapshot, if it is one of this log's and this code's; else undefined (the load starts at 1). */
  private async fromSnapshot(streamId: string): Promise<CachedStream<S> | undefined> {
    if (!this.snapshots) return undefined;
    const { store, codec } = this.snapshots;
    try {
      const snapshot = await store.read(streamId);
      if (snapshot === undefined || snapshot.format !== codec.format) return undefined;
      const [at] = await this.log.readStream(streamId, { fromVersion: snapshot.version, limit: 1 });
      if (at?.eventId !== snapshot.eventId) return undefined;
      const state = codec.decode(snapshot.state, this.decider.initialState());
      return state === undefined ? undefined : { state, version: snapshot.version, snapshotVersion: snapshot.version };
    } catch (error) {
      this.logger.warn({ err: error, streamId }, 'stream snapshot unreadable; loading the stream from its first event');
      return undefined;
    }
  }

  /**
   * Takes a snapshot of `entry` when SNAPSHOT_EVERY_EVENTS events were folded since the last one; `folded` ends with
   * the event it is taken after. Encoded now: the state's ledger is updated in place by later events. A failure
   * costs only the next load's time, so it is logged, never thrown.
   */
  private async snapshotIfDue(streamId: string, entry: CachedStream<S>, folded: RecordedEvent[]): Promise<void> {
    const last = folded.at(-1);
    if (!this.snapshots || last === undefined || entry.version - (entry.snapshotVersion ?? 0) < SNAPSHOT_EVERY_EVENTS) return;
    const { store, codec } = this.snapshots;
    entry.snapshotVersion = entry.version;
    try {
      await store.write(streamId, { version: entry.version, eventId: last.eventId, format: codec.format, state: codec.encode(entry.state) });
    } catch (error) {
      this.logger.warn({ err: error, streamId }, 'stream snapshot not written');
    }
  }

  private fold(from: CachedStream<S>, events: RecordedEvent[]): CachedStream<S> {
    let { state, version } = from;
    for (const event of events) {
      state = this.decider.evolve(state, this.own(event));
      version = event.streamVersion;
    }
    return { state, version, snapshotVersion: from.snapshotVersion };
  }

  private store(streamId: string, entry: CachedStream<S>): void {
    // Re-inserting moves the stream to the end of the Map's order, which makes eviction least-recently-used.
    this.cache.delete(streamId);
    this.cache.set(streamId, entry);
    if (this.cache.size > MAX_CACHED_STREAMS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private own(event: RecordedEvent): RecordedEvent<E> {
    const own = this.asDeciderEvent(event);
    if (own) return own;
    throw new Error(`stream ${event.streamId} holds a ${event.type} event that its decider does not know`);
  }
}

/** What every category's bus shares (embedded mode). */
export interface BusSettings {
  log: EventLog;
  clock: Clock;
  ids: IdGenerator;
  logger: Logger;
  observe?: CommandObserver;
  /** Where the categories that are snapshotted (StreamCategory.snapshot) keep their snapshots; none: no snapshots. */
  snapshots?: StreamSnapshots;
}

/**
 * The embedded mode's CommandExecutors: one CommandBus per stream category (streamCategories.ts), all appending to
 * the same log, whose append transaction checks each stream's expected version.
 */
export function commandBuses(settings: BusSettings): CommandExecutors {
  const { log, clock, ids, logger, observe, snapshots } = settings;
  const bus = <K extends CategoryName>(name: K) => {
    const { decider, prepare, snapshot } = STREAM_CATEGORIES[name];
    const busSnapshots = snapshots && snapshot ? { store: snapshots, codec: snapshot } : undefined;
    return new CommandBus(decider, eventsOfCategory(name), log, clock, ids, logger, observe, prepare?.(log), busSnapshots);
  };
  return {
    usernames: bus('usernames'),
    users: bus('users'),
    rooms: bus('rooms'),
    receipts: bus('receipts'),
    deliveries: bus('deliveries'),
    audit: bus('audit'),
    friendships: bus('friendships'),
    identities: bus('identities'),
    files: bus('files'),
    assistantUsage: bus('assistantUsage'),
    connect: () => Promise.resolve(),
    close: async () => {
      await snapshots?.close();
    },
  };
}
