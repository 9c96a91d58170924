import { describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { untilApplied, waitForProjection } from '../../src/projections/readYourWrites.js';

describe('read-your-writes', () => {
  it('waits for the last appended event of each partition', async () => {
    const targets: Checkpoint[] = [];
    const appended = [
      { partition: 0, position: 4 },
      { partition: 2, position: 9 },
      { partition: 0, position: 7 },
    ];
    await untilApplied(async (target) => void targets.push(target), appended);
    expect(targets).toEqual([{ 0: 7, 2: 9 }]);
  });

  it('does not wait when nothing was appended, nor when there is no view to wait for', async () => {
    const targets: Checkpoint[] = [];
    await untilApplied(async (target) => void targets.push(target), []);
    await expect(untilApplied(undefined, [{ partition: 0, position: 1 }])).resolves.toBeUndefined();
    expect(targets).toEqual([]);
  });

  it("bounds the projection's wait by the configured timeout and passes its refusal on to the caller", async () => {
    const calls: Array<[Checkpoint, number]> = [];
    const wait = waitForProjection({ waitFor: async (target, timeoutMs) => void calls.push([target, timeoutMs]) }, 2500);
    await untilApplied(wait, [{ partition: 1, position: 3 }]);
    expect(calls).toEqual([[{ 1: 3 }, 2500]]);

    const timingOut = waitForProjection({ waitFor: () => Promise.reject(new Error('timed out')) }, 10);
    await expect(untilApplied(timingOut, [{ partition: 0, position: 1 }])).rejects.toThrow('timed out');
  });
});
