// Reads a slice of the log for `chat events replay`: pages through readAll (or one room's stream when the filter is
// confined to it), keeps what the filter matches and hands formatted chunks to a sink. The log is the composed one
// (whatever decorates it, e.g. decryption of personal data, applies here too); this module does no I/O of its own.
// A source that can only scan partitions from a position to an end (the Kafka topic read directly, without an
// index: ReplayScan) serves as well; then a room's replay scans the one partition its stream lives in.

import type { RecordedEvent } from '../events/envelope.js';
import {
  EMPTY_CHECKPOINT,
  advanceAll,
  checkpointFromEntries,
  covers,
  coversAll,
  lag,
  positionIn,
  type Checkpoint,
} from '../eventlog/checkpoint.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { matchesReplay, onlyStream } from './replayFilter.js';
import type { ReplayQuery } from './replayQuery.js';
import { CSV_HEADER, toCsvLine, toJsonLine } from './replayRecord.js';

export type ReplayLog = Pick<EventLog, 'readAll' | 'readStream' | 'streamVersion' | 'headPosition'>;

export interface ReplayScanRequest {
  /** Positions already read per partition (exclusive). */
  after: Checkpoint;
  /** The last position to read per partition (inclusive). */
  until: Checkpoint;
  /** Only these partitions; default every partition `until` names. */
  partitions?: readonly number[];
  /** Takes the events of one partition in position order; the scan reads on once it resolves (back-pressure). */
  onEvents: (events: RecordedEvent[]) => Promise<void>;
}

/** A log read by scanning its partitions, without an index (no streams, no paging by checkpoint). */
export interface ReplayScan {
  /** Per partition, the position up to which the log is decided now. */
  head(): Promise<Checkpoint>;
  partitionOf(streamId: string): number;
  /** Resolves once every partition has been read to its end. */
  scan(request: ReplayScanRequest): Promise<void>;
}

export interface ReplayProgress {
  /** Events read from the log so far (matching or not). */
  read: number;
  /** Events written so far. */
  written: number;
  /** About how many events the slice spans: positions for the whole log (Kafka may skip some), versions for a room. */
  total: number;
}

export interface ReplayOptions {
  log: ReplayLog | ReplayScan;
  query: Omit<ReplayQuery, 'output'>;
  /** Takes each formatted chunk; the next page is read once it resolves (back-pressure). */
  write: (chunk: string) => Promise<void>;
  onProgress?: (progress: ReplayProgress) => void;
  /**
   * Turns events as stored into what readers see (the sealer's unseal: plaintext, or the erased marker), applied to
   * the events the filter keeps only: a user's or a type's slice of a sealed log decrypts what it writes and nothing
   * else (decryption is the largest cost of replaying a sealed log). Default: the events as the source hands them.
   * The filter never looks at personal data, so it keeps the same events either way.
   */
  open?: (events: RecordedEvent[]) => Promise<RecordedEvent[]>;
  /** Whether a CSV replay starts with its header row (default true; false for a slice of a larger replay). */
  withHeader?: boolean;
  /** Events per read. Default 2000 (with a larger young generation, smaller pages measured slightly cheaper). */
  pageSize?: number;
}

export interface ReplayResult {
  read: number;
  written: number;
  /** Where the replay stopped: pass it as the next replay's --after to continue. */
  reached: Checkpoint;
}

const DEFAULT_PAGE_SIZE = 2000;

/**
 * Replays the slice the query names, up to the log's head when it started (or --until), so a replay of a busy log
 * ends instead of chasing new events.
 */
export async function replay(options: ReplayOptions): Promise<ReplayResult> {
  const { log, query } = options;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const scanning = 'scan' in log;
  // Asked even with --until: a Kafka log answers once its index holds the topic up to now (a replay's index starts
  // empty), and reading before that would end early on an index still filling.
  const head = scanning ? await log.head() : await log.headPosition();
  const end = query.until ?? head;
  let header = query.format === 'csv' && options.withHeader !== false;
  const progress: ReplayProgress = { read: 0, written: 0, total: 0 };
  let reached = query.after ?? EMPTY_CHECKPOINT;

  const stream = onlyStream(query);
  if (scanning) {
    // A room is one stream, in one partition: scan that partition alone (the filter keeps the stream's events).
    const partitions = stream === undefined ? undefined : [log.partitionOf(stream)];
    const spanned = partitions === undefined ? end : checkpointFromEntries(partitions.map((p) => [p, positionIn(end, p)]));
    progress.total = lag(spanned, reached);
    options.onProgress?.(progress);
    await log.scan({
      after: reached,
      until: end,
      ...(partitions === undefined ? {} : { partitions }),
      onEvents: (events) => keep(events.filter((event) => covers(end, event))),
    });
  } else if (stream !== undefined) {
    // A room is one stream: read it alone instead of scanning the log. Its versions are 1..version at the start.
    const version = await log.streamVersion(stream);
    progress.total = version;
    options.onProgress?.(progress);
    let fromVersion = 1;
    let done = false;
    while (!done && fromVersion <= version) {
      const page = await log.readStream(stream, { fromVersion, limit: Math.min(pageSize, version - fromVersion + 1) });
      if (page.length === 0) break;
      fromVersion += page.length;
      const within: RecordedEvent[] = [];
      for (const event of page) {
        // A stream is in position order within its partition: the first event past the end ends the replay.
        if (!covers(end, event)) {
          done = true;
          break;
        }
        within.push(event);
      }
      await keep(within);
    }
  } else {
    progress.total = lag(end, reached);
    options.onProgress?.(progress);
    // The cursor moves over everything read; `reached` only over what lies within the end, so it is exactly where a
    // next replay continues.
    let cursor = reached;
    for (;;) {
      if (coversAll(cursor, end)) break;
      const page = await log.readAll({ after: cursor, limit: pageSize });
      if (page.length === 0) break;
      cursor = advanceAll(cursor, page);
      // Events past the end (in a partition the end names, or one it does not) are read but never written.
      await keep(page.filter((event) => covers(end, event)));
    }
  }
  if (header) await emit([]);
  return { read: progress.read, written: progress.written, reached };

  async function keep(events: RecordedEvent[]): Promise<void> {
    const matched = events.filter((event) => matchesReplay(query, event));
    const kept = options.open === undefined || matched.length === 0 ? matched : await options.open(matched);
    progress.read += events.length;
    progress.written += kept.length;
    reached = advanceAll(reached, events);
    await emit(kept);
    options.onProgress?.(progress);
  }

  async function emit(events: RecordedEvent[]): Promise<void> {
    if (events.length === 0 && !header) return;
    let chunk = header ? CSV_HEADER : '';
    const line = query.format === 'csv' ? toCsvLine : toJsonLine;
    for (const event of events) chunk += line(event);
    header = false;
    await options.write(chunk);
  }
}
