// A long replay of the one-partition (SQLite) log, spread over worker threads: reading, decoding (and unsealing)
// and formatting an event is all CPU, so on a machine with more than one core slices of the log are replayed side
// by side while this thread only writes their output, in log order. The bytes written are exactly those of a
// replay in one thread (an e2e test compares them).

import type { Worker } from 'node:worker_threads';
import type { ReplayProgress, ReplayResult } from '../analysis/replay.js';
import type { ReplayQuery } from '../analysis/replayQuery.js';
import { CSV_HEADER } from '../analysis/replayRecord.js';
import { InOrder, type ReplaySlice } from '../analysis/replaySlices.js';
import { checkpointFromEntries, EMPTY_CHECKPOINT, type Checkpoint } from '../eventlog/checkpoint.js';
import { startReplayWorker, stop } from './replayWorkerThread.js';
import { replayWorkerResult, type ReplayWorkerData, type SliceResult } from './replayWorkerProtocol.js';

export interface ParallelReplayOptions {
  dataDir: string | undefined;
  query: Omit<ReplayQuery, 'output'>;
  /** Consecutive slices of partition 0, in order; their union is what the replay covers. */
  slices: readonly ReplaySlice[];
  /** Worker threads (at least 1). */
  jobs: number;
  /** Takes the output in log order; the next is written once it resolves. */
  write: (bytes: Uint8Array | string) => Promise<void>;
  onProgress?: (progress: ReplayProgress) => void;
}

export async function replayInWorkers(options: ParallelReplayOptions): Promise<ReplayResult> {
  const { slices, query } = options;
  const first = slices[0];
  const last = slices.at(-1);
  const progress: ReplayProgress = { read: 0, written: 0, total: first && last ? last.until - first.after : 0 };
  options.onProgress?.(progress);
  if (query.format === 'csv') await options.write(CSV_HEADER);
  if (first === undefined) return { read: 0, written: 0, reached: query.after ?? EMPTY_CHECKPOINT };

  const data: ReplayWorkerData = {
    dataDir: options.dataDir,
    query: { ...query, types: [...query.types] },
  };
  const workers = Array.from({ length: Math.max(1, Math.min(options.jobs, slices.length)) }, () => startReplayWorker('replayWorker', data));
  const queue = [...slices];
  const results = new InOrder<SliceResult>();
  // Finished slices waiting for an earlier one are held in memory: a worker gets no new slice while this many are.
  const maxHeld = workers.length * 2;
  const idle: Worker[] = [];
  let writtenSlices = 0;
  let reached: Checkpoint = query.after ?? EMPTY_CHECKPOINT;

  try {
    await new Promise<void>((resolve, reject) => {
      let writing = Promise.resolve();
      let failed = false;
      const fail = (error: Error) => {
        failed = true;
        reject(error);
      };
      const dispatch = (worker: Worker) => {
        const slice = results.held < maxHeld ? queue.shift() : undefined;
        if (slice === undefined) idle.push(worker);
        else worker.postMessage(slice);
      };
      for (const worker of workers) {
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (writtenSlices < slices.length && !failed) fail(new Error(`a replay worker stopped (exit code ${code})`));
        });
        worker.on('message', (message: unknown) => {
          const result = replayWorkerResult.parse(message);
          if (result.kind === 'failed') {
            fail(new Error(`a replay worker failed: ${result.message}`));
            return;
          }
          for (const ready of results.put(result.index, result)) {
            writing = writing
              .then(() => options.write(ready.bytes))
              .then(() => {
                writtenSlices += 1;
                progress.read += ready.read;
                progress.written += ready.written;
                reached = checkpointFromEntries([[0, ready.reached]]);
                options.onProgress?.(progress);
                // Room again for held results: the parked workers take the next slices.
                for (const parked of idle.splice(0)) dispatch(parked);
                if (writtenSlices === slices.length) resolve();
              }, fail);
          }
          dispatch(worker);
        });
        dispatch(worker);
      }
    });
  } finally {
    await Promise.all(workers.map((worker) => stop(worker)));
  }
  return { read: progress.read, written: progress.written, reached };
}
