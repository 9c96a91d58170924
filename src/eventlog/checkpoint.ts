// Positions in a partitioned log, and how far a reader has got in it.
//
// A log is split into partitions (a Kafka topic's partitions; the SQLite log is the one-partition case). A stream
// lives in exactly one partition, so its events keep their order there; across partitions there is no order at
// all. An event's place is therefore a pair: its partition and its 1-based position within that partition
// (Kafka: offset + 1, so 0 keeps meaning "nothing yet"). Positions strictly increase within a partition but may
// skip numbers (Kafka transaction markers take offsets), so a difference of positions counts offsets, not events.
//
// A Checkpoint is the last position a reader has applied in each partition. It is a plain frozen object so it
// compares with toEqual, prints readably and stores as JSON; a partition that is absent is at 0. Every helper is
// pure and returns a new checkpoint (or the same one when nothing moved).

import type { EventPosition } from '../events/envelope.js';
import { InvalidCheckpointError } from './eventLogErrors.js';

export type { EventPosition };

/** The last position applied per partition; absent partitions are at 0. Keys are partition numbers. */
export type Checkpoint = Readonly<Record<number, number>>;

/** Nothing applied anywhere: the start of the log. */
export const EMPTY_CHECKPOINT: Checkpoint = Object.freeze({});

/** The last position applied in one partition (0 when none). */
export function positionIn(checkpoint: Checkpoint, partition: number): number {
  return checkpoint[partition] ?? 0;
}

/** Whether the event at `at` is already applied, i.e. at or below the checkpoint in its partition. */
export function covers(checkpoint: Checkpoint, at: EventPosition): boolean {
  return at.position <= positionIn(checkpoint, at.partition);
}

/** Whether `checkpoint` has reached `target` in every partition (what a read-your-writes wait needs). */
export function coversAll(checkpoint: Checkpoint, target: Checkpoint): boolean {
  return partitionsOf(target).every((partition) => positionIn(target, partition) <= positionIn(checkpoint, partition));
}

/** The checkpoint moved to `at` in its partition; never moves back. */
export function advance(checkpoint: Checkpoint, at: EventPosition): Checkpoint {
  return advanceAll(checkpoint, [at]);
}

/** The checkpoint moved past every one of `events` (in any order); one copy for a whole batch. */
export function advanceAll(checkpoint: Checkpoint, events: Iterable<EventPosition>): Checkpoint {
  let next: Record<number, number> | undefined;
  for (const { partition, position } of events) {
    assertPlace(partition, position);
    if (position <= positionIn(next ?? checkpoint, partition)) continue;
    next ??= { ...checkpoint };
    next[partition] = position;
  }
  return next === undefined ? checkpoint : Object.freeze(next);
}

/** The furthest of two checkpoints in each partition. */
export function mergeCheckpoints(a: Checkpoint, b: Checkpoint): Checkpoint {
  return advanceAll(a, placesOf(b));
}

/** The last of `events` per partition: what a caller waits for after appending them. */
export function checkpointOf(events: Iterable<EventPosition>): Checkpoint {
  return advanceAll(EMPTY_CHECKPOINT, events);
}

/** Positions `checkpoint` is behind `head`, summed over partitions (offsets, so markers count too). */
export function lag(head: Checkpoint, checkpoint: Checkpoint): number {
  let total = 0;
  for (const partition of partitionsOf(head)) {
    total += Math.max(0, positionIn(head, partition) - positionIn(checkpoint, partition));
  }
  return total;
}

/** The partitions a checkpoint names, ascending. */
export function partitionsOf(checkpoint: Checkpoint): number[] {
  return Object.keys(checkpoint)
    .map(Number)
    .sort((a, b) => a - b);
}

/** A checkpoint from (partition, position) pairs, e.g. rows of a store; zeros are left out, duplicates refused. */
export function checkpointFromEntries(entries: Iterable<readonly [number, number]>): Checkpoint {
  const result: Record<number, number> = {};
  for (const [partition, position] of entries) {
    assertPlace(partition, position, true);
    if (partition in result) throw new InvalidCheckpointError(`partition ${partition} appears twice`);
    if (position > 0) result[partition] = position;
  }
  return Object.freeze(result);
}

/** The (partition, position) pairs of a checkpoint, ascending by partition: what a store writes. */
export function checkpointEntries(checkpoint: Checkpoint): Array<[number, number]> {
  return partitionsOf(checkpoint).map((partition) => [partition, positionIn(checkpoint, partition)]);
}

/** JSON for stores that keep a checkpoint in one value (`{"0":12,"3":7}`); partitions in ascending order. */
export function serializeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(Object.fromEntries(checkpointEntries(checkpoint).map(([p, position]) => [String(p), position])));
}

/** Reads what serializeCheckpoint wrote; anything else is an InvalidCheckpointError, never a silent reset. */
export function parseCheckpoint(json: string): Checkpoint {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new InvalidCheckpointError('not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidCheckpointError('not an object of partition to position');
  }
  return checkpointFromEntries(
    Object.entries(value).map(([key, position]): [number, number] => {
      if (!/^(0|[1-9][0-9]*)$/.test(key)) throw new InvalidCheckpointError(`"${key}" is not a partition number`);
      if (typeof position !== 'number') throw new InvalidCheckpointError(`partition ${key} has no numeric position`);
      return [Number(key), position];
    }),
  );
}

function* placesOf(checkpoint: Checkpoint): Iterable<EventPosition> {
  for (const partition of partitionsOf(checkpoint)) yield { partition, position: positionIn(checkpoint, partition) };
}

function assertPlace(partition: number, position: number, allowZero = false): void {
  if (!Number.isSafeInteger(partition) || partition < 0) {
    throw new InvalidCheckpointError(`partition ${String(partition)} is not an integer of at least 0`);
  }
  if (!Number.isSafeInteger(position) || position < (allowZero ? 0 : 1)) {
    throw new InvalidCheckpointError(`position ${String(position)} in partition ${partition} is not valid`);
  }
}
