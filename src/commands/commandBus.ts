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
/** Commands of one stream decided and appended together at most. */
const MAX_BATCH_COMMANDS = 256;

/** A command waiting for its stream's writer, with how to answer it. */
interface Waiting<C> {
  command: C;
  context: DecisionContext;
  metadata: CommandMetadata;
  resolve: (result: CommandResult) => void;
  reject: (error: unknown) => void;
}

/** A command decided in a batch: how many of the batch's events are its own. */
interface Decided<C> {
  waiting: Waiting<C>;
  count: number;
}

/**
 * Runs commands against their streams: load state (cached, caught up from the log), decide, append with the
 * expected version. Commands for one stream are decided one after another in this process (the embedded single
 * writer), in the order they arrived; the expected-version check in the log still guards against any other writer.
 *
 * The commands that arrive for a stream while its last append commits are decided together, each on the state the
 * ones before it leave, and appended as one (so a busy stream, such as a crowded room, commits once per batch, not
 * once per command, where each command used to wait for the previous one's commit). Their answers are the same as
 * one by one: each command's own events, a rejection of its own, the first outcome for a command id seen before.
 */
export class CommandBus<C extends { type: string }, S, E extends ChatEvent> implements CommandExecutor<C> {
  private readonly cache = new Map<string, CachedStream<S>>();
  /** Per stream with a writer at work: the commands waiting for it, in order of arrival. */
  private readonly waiting = new Map<string, Waiting<C>[]>();

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
    return this.observe(command.type, () => {
      const result = new Promise<CommandResult>((resolve, reject) => {
        const entry: Waiting<C> = { command, context, metadata, resolve, reject };
        const queue = this.waiting.get(streamId);
        if (queue) {
          queue.push(entry);
          return;
        }
        this.waiting.set(streamId, [entry]);
        void this.drain(streamId);
      });
      // Its place among the stream's commands is fixed now: the caller may submit its next one (CommandMetadata).
      metadata.onQueued?.();
      return result;
    });
  }

  /** The stream's writer: takes what waits, batch after batch, until nothing does. Settles every command it takes. */
  private async drain(streamId: string): Promise<void> {
    const queue = this.waiting.get(streamId) ?? [];
    try {
      while (queue.length > 0) {
        const batch = queue.splice(0, MAX_BATCH_COMMANDS);
        // A command id twice in one batch (a client's retry beside its first try) waits for the next batch, where
        // the first one's outcome is in the log and answers it, as it would have one command at a time.
        const seen = new Set<string>();
        const distinct: Waiting<C>[] = [];
        const repeated: Waiting<C>[] = [];
        for (const entry of batch) {
          (seen.has(entry.metadata.commandId) ? repeated : distinct).push(entry);
          seen.add(entry.metadata.commandId);
        }
        queue.unshift(...repeated);
        try {
          await this.executeBatch(streamId, distinct);
        } catch (error) {
          for (const entry of distinct) entry.reject(error);
        }
      }
    } finally {
      this.waiting.delete(streamId);
    }
  }

  private async executeBatch(streamId: string, batch: Waiting<C>[]): Promise<void> {
    let open: Waiting<C>[] = [];
    for (const entry of batch) {
      const earlier = await this.log.findByCommandId(entry.metadata.commandId);
      if (earlier.length > 0) entry.resolve({ events: earlier, replayed: true });
      else open.push(entry);
    }

    for (let attempt = 1; open.length > 0; attempt++) {
      const loaded = await this.load(streamId);
      const { decided, events, state } = await this.decideAll(streamId, loaded, open);
      if (events.length === 0) return;
      try {
        const result = await this.log.append(streamId, loaded.version, events);
        let from = 0;
        for (const { waiting, count } of decided) {
          waiting.resolve({ events: result.events.slice(from, from + count), replayed: false });
          from += count;
        }
        await this.snapshotIfDue(streamId, state, result.events);
        this.store(streamId, state);
        return;
      } catch (error) {
        // Deciding folded the batch into the cached state: it is not the stream's any more.
        this.cache.delete(streamId);
        open = decided.map(({ waiting }) => waiting);
        const conflict = error instanceof WrongExpectedVersionError;
        if (!conflict && open.length > 1) {
          // Refused for what one command carries (say, personal data of a user erased meanwhile): each command
          // again in an append of its own, so that failure stays that command's and the others are written.
          for (const entry of open) await this.executeBatch(streamId, [entry]);
          return;
        }
        if (!conflict || attempt >= MAX_CONFLICT_RETRIES) {
          for (const entry of open) entry.reject(error);
          return;
        }
        this.logger.warn({ streamId, attempt, commands: open.length }, 'stream moved on while deciding; retrying on fresh state');
      }
    }
  }

  /**
   * Decides each command on the state the ones before it leave. A command the decider refuses is answered at once
   * and leaves the state as it was; one that decides nothing is answered with no events.
   */
  private async decideAll(
    streamId: string,
    loaded: CachedStream<S>,
    batch: Waiting<C>[],
  ): Promise<{ decided: Decided<C>[]; events: NewEvent[]; state: CachedStream<S> }> {
    let state = loaded;
    const decided: Decided<C>[] = [];
    const events: NewEvent[] = [];
    for (const waiting of batch) {
      const { command, context, metadata } = waiting;
      let newEvents: NewEvent[];
      try {
        const prepared = this.prepare ? await this.prepare(state.state, command, streamId) : state.state;
        const occurredAt = this.clock.now();
        const decidedNow: ChatEvent[] = this.decider.decide(command, prepared, context);
        newEvents = decidedNow.map((event) => ({
          ...event,
          eventId: this.ids.next(),
          metadata: { actorId: context.actor.userId, commandId: metadata.commandId, correlationId: metadata.correlationId, occurredAt },
        }));
      } catch (error) {
        waiting.reject(error);
        continue;
      }
      if (newEvents.length === 0) {
        waiting.resolve({ events: [], replayed: false });
        continue;
      }
      // Folded as the log will record them (a decider's evolve reads the event and its stream version only).
      const after = state.version;
      state = this.fold(state, newEvents.map((event, index) => provisional(event, streamId, after + index + 1)));
      decided.push({ waiting, count: newEvents.length });
      events.push(...newEvents);
    }
    return { decided, events, state };
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

/** A decided event as the log will record it at `streamVersion`, for folding before the append returns. */
function provisional(event: NewEvent, streamId: string, streamVersion: number): RecordedEvent {
  return { ...event, streamId, streamVersion, partition: 0, position: 0, previousHash: '' } as RecordedEvent;
}
