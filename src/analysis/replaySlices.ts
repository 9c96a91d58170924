// How a long replay of the one-partition (SQLite) log is cut into slices that workers replay side by side, and how
// their output is put back in log order. Pure: the worker threads that use it are in cli/replayWorkers.ts.

import { EMPTY_CHECKPOINT, partitionsOf, positionIn, type Checkpoint } from '../eventlog/checkpoint.js';
import { onlyStream } from './replayFilter.js';
import type { ReplayQuery } from './replayQuery.js';

/** Positions `after` (exclusive) to `until` (inclusive) of partition 0: one worker's share of a replay. */
export interface ReplaySlice {
  /** Its place in the output: slices are written in index order. */
  index: number;
  after: number;
  until: number;
}

/** Consecutive slices of `size` positions covering (after, until]; none when the range is empty. */
export function planSlices(after: number, until: number, size: number): ReplaySlice[] {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`slice size must be a positive integer, not ${size}`);
  const slices: ReplaySlice[] = [];
  for (let start = after; start < until; start += size) {
    slices.push({ index: slices.length, after: start, until: Math.min(start + size, until) });
  }
  return slices;
}

/**
 * Collects results that finish in any order and hands them back in index order: put() returns every result that
 * has become next in line (possibly none, possibly several).
 */
export class InOrder<T extends object> {
  private readonly waiting = new Map<number, T>();
  private next = 0;

  put(index: number, value: T): T[] {
    if (index < this.next || this.waiting.has(index)) throw new RangeError(`result ${index} was already put`);
    this.waiting.set(index, value);
    const ready: T[] = [];
    for (let head = this.waiting.get(this.next); head !== undefined; head = this.waiting.get(this.next)) {
      this.waiting.delete(this.next);
      this.next += 1;
      ready.push(head);
    }
    return ready;
  }

  /** Results put but not yet handed back (they wait for an earlier one). */
  get held(): number {
    return this.waiting.size;
  }
}

export interface ParallelPlanInput {
  query: Pick<ReplayQuery, 'after' | 'until' | 'roomId'>;
  /** The log's head when the replay starts. */
  head: Checkpoint;
  jobs: number;
  sliceSize: number;
  /** Fewer positions than this are replayed in one thread: starting workers would cost more than they save. */
  minSpan: number;
}

/**
 * The slices of a replay worth spreading over workers, or undefined when it is not: one job, a room (one stream,
 * read alone), a log with more than partition 0 (Kafka: positions are per partition), or a short span.
 */
export function parallelPlan({ query, head, jobs, sliceSize, minSpan }: ParallelPlanInput): ReplaySlice[] | undefined {
  if (jobs < 2 || onlyStream(query) !== undefined) return undefined;
  const named = [head, query.after ?? EMPTY_CHECKPOINT, query.until ?? EMPTY_CHECKPOINT].flatMap((checkpoint) => partitionsOf(checkpoint));
  if (named.some((partition) => partition !== 0)) return undefined;
  const after = positionIn(query.after ?? EMPTY_CHECKPOINT, 0);
  const end = Math.min(positionIn(head, 0), query.until === undefined ? Number.POSITIVE_INFINITY : positionIn(query.until, 0));
  if (end - after < minSpan) return undefined;
  return planSlices(after, end, sliceSize);
}
