import { describe, expect, it } from 'vitest';
import { parseReplayQuery } from '../../src/analysis/replayQuery.js';
import { topicPlan } from '../../src/cli/kafkaReplayWorkers.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';

// How a replay of the Kafka topic is shared among worker threads: whole partitions, balanced by what each reads.

describe('topicPlan', () => {
  const end: Checkpoint = { 0: 60_000, 1: 50_000, 2: 40_000, 3: 30_000, 4: 20_000, 5: 10_000 };
  const plan = (flags: Parameters<typeof parseReplayQuery>[0], jobs: number, minSpan = 100_000, until = end) =>
    topicPlan({ query: parseReplayQuery(flags), end: until, jobs, minSpan });

  it('gives every partition with something to read to exactly one worker, largest first to the least loaded', () => {
    const groups = plan({}, 2);
    expect(groups).toEqual([
      [0, 3, 4],
      [1, 2, 5],
    ]);
    expect(plan({}, 3)).toEqual([
      [0, 5],
      [1, 4],
      [2, 3],
    ]);
    // Never more workers than partitions.
    expect(plan({}, 8)?.flat().sort()).toEqual([0, 1, 2, 3, 4, 5]);
    expect(plan({}, 8)).toHaveLength(6);
  });

  it('counts only what lies after --after, and leaves out partitions already read', () => {
    // Left to read: 1000 in partition 1, 40k, 30k, 20k and 10k in partitions 2-5; partition 0 is done.
    expect(plan({ after: '0:60000,1:49000' }, 2, 10_000)).toEqual([
      [1, 2, 5],
      [3, 4],
    ]);
  });

  it('keeps one thread for one job, a room, a short span or a single partition', () => {
    expect(plan({}, 1)).toBeUndefined();
    expect(plan({ room: 'r-1' }, 4)).toBeUndefined();
    expect(plan({}, 4, 210_001)).toBeUndefined();
    expect(plan({}, 4, 10, { 0: 500_000 })).toBeUndefined();
  });
});
