// Feeds a fresh projection store from position zero up to the log's head, for `chat projections rebuild`. The
// serving process catches the new store up the rest of the way when it switches (projections/storeSwitch.ts), so
// this only has to reach the head it saw; it looks once more, to leave that last step small.

import { advanceAll, coversAll, lag, partitionsOf, positionIn, type Checkpoint } from '../eventlog/checkpoint.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { ProjectionStore } from '../projections/projector.js';

export interface RebuildProgress {
  /** Events applied so far. */
  applied: number;
  /** Positions between the store's start and the head being chased (Kafka may skip some). */
  total: number;
  /** Positions the store is still behind that head. */
  behind: number;
}

export interface RebuildOptions {
  log: Pick<EventLog, 'readAll' | 'headPosition'>;
  store: ProjectionStore;
  onProgress?: (progress: RebuildProgress) => void;
  /** Events per transaction. Default 1000. */
  batchSize?: number;
  /** Passes after the first that chase a head that moved meanwhile. Default 1. */
  extraPasses?: number;
}

export interface RebuildResult {
  applied: number;
  checkpoint: Checkpoint;
  /** The last head chased, and reached. */
  head: Checkpoint;
}

export async function rebuildToHead(options: RebuildOptions): Promise<RebuildResult> {
  const batchSize = options.batchSize ?? 1000;
  let checkpoint = await options.store.checkpoint();
  let applied = 0;
  let head: Checkpoint = checkpoint;
  for (let pass = 0; pass <= (options.extraPasses ?? 1); pass += 1) {
    head = await options.log.headPosition();
    if (coversAll(checkpoint, head)) break;
    const total = applied + lag(head, checkpoint);
    options.onProgress?.({ applied, total, behind: lag(head, checkpoint) });
    while (!coversAll(checkpoint, head)) {
      const page = await options.log.readAll({ after: checkpoint, limit: batchSize });
      if (page.length === 0) break;
      await options.store.applyBatch(page);
      applied += page.length;
      checkpoint = advanceAll(checkpoint, page);
      options.onProgress?.({ applied, total, behind: lag(head, checkpoint) });
    }
  }
  return { applied, checkpoint: await options.store.checkpoint(), head };
}

export interface PartitionStatus {
  partition: number;
  checkpoint: number;
  head: number;
  lag: number;
}

/** Per partition of the head (and of the checkpoint, should it name one the head does not): where a projector is. */
export function partitionStatus(head: Checkpoint, checkpoint: Checkpoint): PartitionStatus[] {
  const partitions = [...new Set([...partitionsOf(head), ...partitionsOf(checkpoint)])].sort((a, b) => a - b);
  return partitions.map((partition) => {
    const at = positionIn(checkpoint, partition);
    const last = positionIn(head, partition);
    return { partition, checkpoint: at, head: last, lag: Math.max(0, last - at) };
  });
}
