import { EventEmitter } from 'node:events';
import Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import type { NewEvent, RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { EMPTY_CHECKPOINT, checkpointFromEntries, positionIn, type Checkpoint } from '../checkpoint.js';
import {
  fromVersionOf,
  nonNegativeInteger,
  positiveInteger,
  validateExpected,
  validateStreamId,
} from '../logArguments.js';
import { PullSubscription } from '../pullSubscription.js';
import type { ReadStoredOptions, StoredEvent, StoredEventPage, StoredEventReader } from '../storedEventReader.js';
import type {
  AppendResult,
  EventLog,
  ExpectedVersion,
  ReadAllOptions,
  ReadStreamOptions,
  SubscribeOptions,
  Subscription,
} from '../eventLog.js';
import { writeAppends, type BatchWritten, type PendingAppend } from './appendBatch.js';
import {
  EVENTS_SCHEMA,
  PARTITION,
  prepareEventStatements,
  storedEventOf,
  type EventRow,
  type EventStatements,
} from './eventsTable.js';
import { RecentWrites } from './recentWrites.js';


export interface SqliteEventLogOptions {
  /** Path of the database file, or ':memory:' (one connection only: nothing else can see it). */
  file: string;
  codec: EventCodec;
  logger?: Logger;
  /**
   * Durability of a commit. The log always runs in WAL mode.
   * - 'normal' (default): a commit appends to the WAL without fsync; the WAL is synced at checkpoints. A crash of
   *   the process loses nothing that was committed (the WAL is in the OS page cache), but power loss or an OS crash
   *   may roll back the last commits (never corrupt the file). Appends then cost no fsync each.
   * - 'full': every commit fsyncs the WAL before append() resolves; survives power loss, at the price of one fsync
   *   per group commit (grouping keeps that bearable).
   */
  synchronous?: 'normal' | 'full';
  groupCommit?: {
    /** Most appends written in one transaction; the rest wait for the next one. Default 1000. */
    maxBatch?: number;
  };
  /**
   * How often live subscriptions look for events appended by another process on the same file. Appends through
   * this instance wake subscribers at once; polling only covers other writers. Default 250 ms.
   */
  pollIntervalMs?: number;
  /**
   * How long a write waits for another process's transaction on the same file. Default 5000 ms. SQLite waits
   * synchronously, blocking this process's event loop meanwhile: fine for the occasional second process (a CLI
   * replay, an operator tool), not a way to run several writer processes on one file.
   */
  busyTimeoutMs?: number;
}

export interface SqliteEventLogStats {
  /** Write transactions committed. Fewer than appends when group commit batches them. */
  transactions: number;
  /** Appends that succeeded (including empty ones, which write nothing). */
  appends: number;
  /** Events written. */
  events: number;
  /** Appends rejected because the stream had moved on. */
  conflicts: number;
}

const DEFAULT_MAX_BATCH = 1000;
const DEFAULT_POLL_INTERVAL_MS = 250;
const DEFAULT_BUSY_TIMEOUT_MS = 5000;
const DEFAULT_SUBSCRIPTION_BATCH = 500;
/** SQLite reads a negative LIMIT as "no limit". */
const NO_LIMIT = -1;

/**
 * The embedded event log: one SQLite file in WAL mode, and one partition (0) whose positions are the row ids
 * (the column keeps its historical name, global_position: in one partition the two are the same). The table and
 * its statements are eventsTable.ts.
 *
 * Appends are group-committed: every append issued in the same turn of the event loop is written in one
 * BEGIN IMMEDIATE transaction (so another process cannot slip in between the version check and the insert), each
 * checked against the version left by the appends before it in the batch.
 */
export class SqliteEventLog implements EventLog, StoredEventReader {
  private readonly db: Database.Database;
  private readonly codec: EventCodec;
  private readonly logger: Logger | undefined;
  private readonly maxBatch: number;
  private readonly pollIntervalMs: number;

  private readonly sql: EventStatements;
  private readonly writeBatch: Database.Transaction<(batch: PendingAppend[]) => BatchWritten>;
  /** This connection's latest writes, trusted while no other connection commits (recentWrites.ts). */
  private readonly recent: RecentWrites;

  private queue: PendingAppend[] = [];
  private flushScheduled = false;
  private closing = false;
  private closed: Promise<void> | undefined;
  private readonly counters: SqliteEventLogStats = { transactions: 0, appends: 0, events: 0, conflicts: 0 };

  /** Woken after every commit of this instance and on polls that find a moved head. */
  private readonly committed = new EventEmitter();
  private readonly subscriptions = new Set<PullSubscription>();
  private pollTimer: NodeJS.Timeout | undefined;

  constructor(options: SqliteEventLogOptions) {
    this.codec = options.codec;
    this.logger = options.logger;
    this.maxBatch = positiveInteger(options.groupCommit?.maxBatch ?? DEFAULT_MAX_BATCH, 'groupCommit.maxBatch');
    this.pollIntervalMs = positiveInteger(options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS, 'pollIntervalMs');
    // Subscriptions each listen; the default limit of 10 would warn about a leak that is not one.
    this.committed.setMaxListeners(0);

    this.db = new Database(options.file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    this.db.pragma(`busy_timeout = ${positiveInteger(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS, 'busyTimeoutMs')}`);
    // INSERT OR REPLACE deletes the conflicting row without firing DELETE triggers unless recursive triggers are
    // on; with them on, the append-only trigger also refuses a REPLACE that would overwrite an event.
    this.db.pragma('recursive_triggers = ON');
    this.db.exec(EVENTS_SCHEMA);
    this.sql = prepareEventStatements(this.db);
    this.recent = new RecentWrites(this.db);
    this.writeBatch = this.db.transaction((batch: PendingAppend[]) => writeAppends(batch, this.sql, this.codec, this.recent));

    this.logger?.debug(
      { file: options.file, synchronous: options.synchronous ?? 'normal', maxBatch: this.maxBatch },
      'event log opened',
    );
  }

  static open(options: SqliteEventLogOptions): SqliteEventLog {
    return new SqliteEventLog(options);
  }

  /** Counters for tests and metrics: a snapshot, not a live object. */
  stats(): SqliteEventLogStats {
    return { ...this.counters };
  }

  append(streamId: string, expected: ExpectedVersion, events: NewEvent[]): Promise<AppendResult> {
    if (this.closing) return Promise.reject(new UnavailableError('the event log is closed'));
    try {
      validateStreamId(streamId);
      validateExpected(expected);
    } catch (error) {
      return Promise.reject(error);
    }
    return new Promise<AppendResult>((resolve, reject) => {
      this.queue.push({ streamId, expected, events, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // setImmediate (not a microtask) so that every append issued in this turn, including those issued from
        // promise continuations, joins the same transaction.
        setImmediate(this.flushScheduledBatch);
      }
    });
  }

  async readStream(streamId: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    validateStreamId(streamId);
    const fromVersion = fromVersionOf(options.fromVersion);
    const limit = options.limit === undefined ? NO_LIMIT : nonNegativeInteger(options.limit, 'limit');
    const db = this.openDb();
    // The command bus asks after every command whether its cached stream moved on; usually it is our own tip.
    const tip = this.recent.current() ? this.recent.tipOf(streamId) : undefined;
    if (tip !== undefined && fromVersion > tip.version) return [];
    return this.decodeRows(db.selectStream.all(streamId, fromVersion, limit));
  }

  async streamVersion(streamId: string): Promise<number> {
    validateStreamId(streamId);
    const db = this.openDb();
    const tip = this.recent.current() ? this.recent.tipOf(streamId) : undefined;
    return tip?.version ?? db.selectVersion.get(streamId) ?? 0;
  }

  async readAll(options: ReadAllOptions): Promise<RecordedEvent[]> {
    const after = nonNegativeInteger(positionIn(options.after ?? EMPTY_CHECKPOINT, PARTITION), 'after');
    return this.readAllNow(after, nonNegativeInteger(options.limit, 'limit'));
  }

  async findByCommandId(commandId: string): Promise<RecordedEvent[]> {
    const remembered = this.recent.current();
    if (remembered && this.recent.knownAbsent(commandId)) return [];
    const rows = this.openDb().selectByCommand.all(commandId);
    if (rows.length === 0) this.recent.absent(commandId);
    return this.decodeRows(rows);
  }

  async headPosition(): Promise<Checkpoint> {
    const head = this.headNow();
    return head === 0 ? EMPTY_CHECKPOINT : checkpointFromEntries([[PARTITION, head]]);
  }

  async readStoredStream(streamId: string, fromVersion: number, limit: number): Promise<StoredEvent[]> {
    validateStreamId(streamId);
    const rows = this.openDb().selectStoredStream.all(
      streamId,
      fromVersionOf(fromVersion),
      nonNegativeInteger(limit, 'limit'),
    );
    return rows.map(storedEventOf);
  }

  /** The cursor is the row id (position): one partition, so log order is row order. */
  async readStoredPage(options: ReadStoredOptions): Promise<StoredEventPage> {
    const after = nonNegativeInteger(options.after, 'after');
    const limit = nonNegativeInteger(options.limit, 'limit');
    const db = this.openDb();
    const rows =
      options.streamId === undefined
        ? db.selectStoredAll.all(after, limit)
        : db.selectStoredOfStream.all(options.streamId, after, limit);
    return { events: rows.map(storedEventOf), cursor: rows.at(-1)?.global_position ?? after };
  }

  partitionOf(streamId: string): number {
    validateStreamId(streamId);
    return PARTITION;
  }

  subscribe(options: SubscribeOptions): Subscription {
    if (this.closing) throw new UnavailableError('the event log is closed');
    nonNegativeInteger(positionIn(options.after, PARTITION), 'after');
    const subscription = new PullSubscription({
      read: (after, limit) => this.readAllNow(positionIn(after, PARTITION), limit),
      detach: (stopped) => this.detach(stopped),
      after: options.after,
      batchSize: positiveInteger(options.batchSize ?? DEFAULT_SUBSCRIPTION_BATCH, 'batchSize'),
      handler: options.handler,
      onError: options.onError,
      settleMs: options.settleMs,
      logger: this.logger,
    });
    this.subscriptions.add(subscription);
    this.committed.on('commit', subscription.wake);
    this.startPolling();
    subscription.wake();
    return subscription;
  }

  close(): Promise<void> {
    this.closed ??= this.closeOnce();
    return this.closed;
  }

  /** Synchronous page read: subscriptions use it directly, without a promise per page. */
  private readAllNow(after: number, limit: number): RecordedEvent[] {
    const db = this.openDb();
    // Subscribers following the head read what this connection has just appended: from memory when it has it.
    const recent = this.recent.current() ? this.recent.bodiesAfter(after, limit) : undefined;
    if (recent !== undefined) return recent.map(({ position, body }) => this.codec.decode(body, { partition: PARTITION, position }));
    return this.decodeRows(db.selectAll.all(after, limit));
  }

  private headNow(): number {
    return this.openDb().selectHead.get() ?? 0;
  }

  /** Called by a subscription that stopped (closed or failed). */
  private detach(subscription: PullSubscription): void {
    this.committed.off('commit', subscription.wake);
    this.subscriptions.delete(subscription);
    if (this.subscriptions.size === 0) this.stopPolling();
  }

  private async closeOnce(): Promise<void> {
    this.closing = true;
    // Appends accepted before close() still commit: their callers were promised an outcome.
    while (this.queue.length > 0) this.flushOneBatch();
    await Promise.all([...this.subscriptions].map((subscription) => subscription.close()));
    this.stopPolling();
    this.db.close();
    this.logger?.debug({ stats: this.counters }, 'event log closed');
  }

  private readonly flushScheduledBatch = (): void => {
    this.flushScheduled = false;
    if (this.queue.length === 0 || !this.db.open) return;
    this.flushOneBatch();
    // One batch per turn: a flood of appends must not starve the rest of the process (HTTP, sockets).
    if (this.queue.length > 0) {
      this.flushScheduled = true;
      setImmediate(this.flushScheduledBatch);
    }
  };

  private flushOneBatch(): void {
    const batch = this.queue.length <= this.maxBatch ? this.queue : this.queue.slice(0, this.maxBatch);
    this.queue = batch === this.queue ? [] : this.queue.slice(this.maxBatch);
    this.commit(batch);
    this.committed.emit('commit');
  }

  private commit(batch: PendingAppend[]): void {
    let outcomes: BatchWritten['outcomes'];
    try {
      const done = this.writeBatch.immediate(batch);
      this.recent.committed(done.tips, done.written);
      outcomes = done.outcomes;
    } catch (error) {
      // Something other than a version conflict failed (a duplicate event id, an event the codec refuses, a
      // busy database): the whole transaction rolled back. Commit each append alone so only the guilty one fails.
      if (batch.length > 1 && !isBusy(error)) {
        this.logger?.warn({ err: error, appends: batch.length }, 'group commit failed; retrying appends one by one');
        for (const pending of batch) this.commit([pending]);
        return;
      }
      const reason = isBusy(error) ? new UnavailableError('the event log is locked by another writer') : error;
      for (const pending of batch) pending.reject(reason);
      return;
    }
    this.counters.transactions += 1;
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i];
      const outcome = outcomes[i];
      if (pending === undefined || outcome === undefined) continue;
      if (outcome.ok) {
        this.counters.appends += 1;
        this.counters.events += outcome.result.events.length;
        pending.resolve(outcome.result);
      } else {
        this.counters.conflicts += 1;
        pending.reject(outcome.error);
      }
    }
  }

  private decodeRows(rows: EventRow[]): RecordedEvent[] {
    return rows.map(([position, body]) => this.codec.decode(body, { partition: PARTITION, position }));
  }

  /** Reads after close() would throw better-sqlite3's generic error; say what happened instead. */
  private openDb(): EventStatements {
    if (!this.db.open) throw new UnavailableError('the event log is closed');
    return this.sql;
  }

  private startPolling(): void {
    if (this.pollTimer !== undefined) return;
    // Only another process's appends need this: ours wake subscribers directly after each commit.
    this.pollTimer = setInterval(() => {
      if (!this.db.open) return;
      let head: number;
      try {
        head = this.headNow();
      } catch (error) {
        this.logger?.warn({ err: error }, 'event log poll failed');
        return;
      }
      for (const subscription of this.subscriptions) {
        if (positionIn(subscription.checkpoint, PARTITION) < head) subscription.wake();
      }
    }, this.pollIntervalMs);
  }

  private stopPolling(): void {
    if (this.pollTimer === undefined) return;
    clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }
}

function isBusy(error: unknown): boolean {
  return error instanceof Database.SqliteError && (error.code === 'SQLITE_BUSY' || error.code === 'SQLITE_LOCKED');
}
