// A long replay of the Kafka topic, spread over worker threads: each scans its own share of the partitions (its
// own temporary consumer group, whose assigner gives it exactly those: kafkaTopicScan.ts), decodes, unseals and
// formats them, and this thread only writes their output as it arrives. Across partitions a topic has no order, so
// chunks are written as they come; within a partition they stay in order (one worker reads it, in order).

import { z } from 'zod';
import type { ReplayProgress, ReplayResult } from '../analysis/replay.js';
import { onlyStream } from '../analysis/replayFilter.js';
import type { ReplayQuery } from '../analysis/replayQuery.js';
import { CSV_HEADER } from '../analysis/replayRecord.js';
import { EMPTY_CHECKPOINT, lag, mergeCheckpoints, partitionsOf, positionIn, type Checkpoint } from '../eventlog/checkpoint.js';
import { replayWorkerData } from './replayWorkerProtocol.js';
import { startReplayWorker, stop } from './replayWorkerThread.js';

const checkpoint = replayWorkerData.shape.query.shape.after.unwrap();

/** What a worker is started with: the query, the end every worker stops at, and its partitions. */
export const topicWorkerData = replayWorkerData.extend({ end: checkpoint, partitions: z.array(z.number().int().min(0)) });
export type TopicWorkerData = z.input<typeof topicWorkerData>;

/** What a worker posts: output (with its counts before that output), its end and final counts, or why it failed. */
export const topicWorkerResult = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('chunk'), bytes: z.instanceof(Uint8Array), read: z.number(), written: z.number() }),
  z.object({ kind: z.literal('done'), reached: checkpoint, read: z.number(), written: z.number() }),
  z.object({ kind: z.literal('failed'), message: z.string() }),
]);
export type TopicWorkerResult = z.input<typeof topicWorkerResult>;

/** Chunks a worker may have posted and not yet seen written: its back-pressure. */
export const MAX_CHUNKS_IN_FLIGHT = 4;

export interface TopicPlanInput {
  query: Pick<ReplayQuery, 'after' | 'roomId'>;
  /** Where the replay ends per partition (--until, or the head when it starts). */
  end: Checkpoint;
  jobs: number;
  /** Fewer positions than this are replayed in one thread: starting workers would cost more than they save. */
  minSpan: number;
}

/**
 * The partitions each worker scans, or undefined when a replay is not worth spreading: one job, a room (one
 * stream, one partition), a short span, or a single partition with anything to read. Partitions go, largest span
 * first, to the worker with the least so far, so the workers finish at about the same time.
 */
export function topicPlan({ query, end, jobs, minSpan }: TopicPlanInput): number[][] | undefined {
  if (jobs < 2 || onlyStream(query) !== undefined) return undefined;
  const after = query.after ?? EMPTY_CHECKPOINT;
  const spans = partitionsOf(end)
    .map((partition) => ({ partition, span: positionIn(end, partition) - positionIn(after, partition) }))
    .filter(({ span }) => span > 0)
    .sort((a, b) => b.span - a.span || a.partition - b.partition);
  if (spans.length < 2 || lag(end, after) < minSpan) return undefined;
  const groups = Array.from({ length: Math.min(jobs, spans.length) }, () => ({ partitions: [] as number[], span: 0 }));
  for (const { partition, span } of spans) {
    const lightest = groups.reduce((least, group) => (group.span < least.span ? group : least));
    lightest.partitions.push(partition);
    lightest.span += span;
  }
  return groups.map(({ partitions }) => partitions.sort((a, b) => a - b));
}

export interface TopicWorkersOptions {
  dataDir: string | undefined;
  query: Omit<ReplayQuery, 'output'>;
  end: Checkpoint;
  /** One worker per group, scanning those partitions. */
  groups: readonly number[][];
  write: (bytes: Uint8Array | string) => Promise<void>;
  onProgress?: (progress: ReplayProgress) => void;
}

export async function replayTopicInWorkers(options: TopicWorkersOptions): Promise<ReplayResult> {
  const { query, end, groups } = options;
  const after = query.after ?? EMPTY_CHECKPOINT;
  const progress: ReplayProgress = { read: 0, written: 0, total: lag(end, after) };
  options.onProgress?.(progress);
  if (query.format === 'csv') await options.write(CSV_HEADER);

  const counts = groups.map(() => ({ read: 0, written: 0 }));
  let reached = after;
  const workers = groups.map((partitions) => {
    const data: TopicWorkerData = { dataDir: options.dataDir, query: { ...query, types: [...query.types] }, end, partitions };
    return startReplayWorker('kafkaReplayWorker', data);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      let writing = Promise.resolve();
      let done = 0;
      let failed = false;
      const fail = (error: Error) => {
        failed = true;
        reject(error);
      };
      const count = (i: number, { read, written }: { read: number; written: number }) => {
        progress.read += read - (counts[i]?.read ?? 0);
        progress.written += written - (counts[i]?.written ?? 0);
        counts[i] = { read, written };
        options.onProgress?.(progress);
      };
      workers.forEach((worker, i) => {
        let finished = false;
        worker.on('error', fail);
        worker.on('exit', (code) => {
          if (!finished && !failed) fail(new Error(`a replay worker stopped (exit code ${code})`));
        });
        worker.on('message', (message: unknown) => {
          const result = topicWorkerResult.parse(message);
          switch (result.kind) {
            case 'chunk':
              writing = writing
                .then(() => options.write(result.bytes))
                .then(() => {
                  count(i, result);
                  worker.postMessage('ack');
                }, fail);
              return;
            case 'done':
              finished = true;
              // After the worker's last chunk is written: `reached` is only ever what the output holds.
              writing = writing.then(() => {
                count(i, result);
                reached = mergeCheckpoints(reached, result.reached);
                done += 1;
                if (done === workers.length) resolve();
              });
              return;
            case 'failed':
              fail(new Error(`a replay worker failed: ${result.message}`));
              return;
            default: {
              const unknown: never = result;
              fail(new Error(`unknown message from a replay worker: ${JSON.stringify(unknown)}`));
            }
          }
        });
      });
    });
  } finally {
    await Promise.all(workers.map((worker) => stop(worker)));
  }
  return { read: progress.read, written: progress.written, reached };
}
