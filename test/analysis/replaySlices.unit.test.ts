import { describe, expect, it } from 'vitest';
import { InOrder, parallelPlan, planSlices } from '../../src/analysis/replaySlices.js';
import { checkpointFromEntries } from '../../src/eventlog/checkpoint.js';

describe('planSlices', () => {
  it('covers (after, until] with consecutive slices, the last one short', () => {
    expect(planSlices(10, 55, 20)).toEqual([
      { index: 0, after: 10, until: 30 },
      { index: 1, after: 30, until: 50 },
      { index: 2, after: 50, until: 55 },
    ]);
    expect(planSlices(0, 40, 20).map((slice) => slice.until)).toEqual([20, 40]);
  });

  it('has no slice for an empty range and refuses a size below one', () => {
    expect(planSlices(7, 7, 20)).toEqual([]);
    expect(planSlices(9, 7, 20)).toEqual([]);
    expect(() => planSlices(0, 10, 0)).toThrow(RangeError);
    expect(() => planSlices(0, 10, 1.5)).toThrow(RangeError);
  });
});

describe('InOrder', () => {
  it('hands results back in index order, however they arrive', () => {
    const order = new InOrder<{ n: number }>();
    expect(order.put(2, { n: 2 })).toEqual([]);
    expect(order.put(1, { n: 1 })).toEqual([]);
    expect(order.held).toBe(2);
    expect(order.put(0, { n: 0 })).toEqual([{ n: 0 }, { n: 1 }, { n: 2 }]);
    expect(order.put(3, { n: 3 })).toEqual([{ n: 3 }]);
    expect(order.held).toBe(0);
  });

  it('refuses a result put twice', () => {
    const order = new InOrder<{ n: number }>();
    order.put(0, { n: 0 });
    order.put(2, { n: 2 });
    expect(() => order.put(0, { n: 0 })).toThrow(RangeError);
    expect(() => order.put(2, { n: 2 })).toThrow(RangeError);
  });
});

describe('parallelPlan', () => {
  const head = checkpointFromEntries([[0, 1000]]);
  const plan = { head, jobs: 2, sliceSize: 300, minSpan: 500 };

  it('slices the span between --after and the head (or --until, whichever is first)', () => {
    expect(parallelPlan({ ...plan, query: {} })?.map((slice) => [slice.after, slice.until])).toEqual([[0, 300], [300, 600], [600, 900], [900, 1000]]);
    const after = checkpointFromEntries([[0, 100]]);
    const until = checkpointFromEntries([[0, 800]]);
    expect(parallelPlan({ ...plan, query: { after, until } })?.map((slice) => [slice.after, slice.until])).toEqual([[100, 400], [400, 700], [700, 800]]);
    const beyond = checkpointFromEntries([[0, 5000]]);
    expect(parallelPlan({ ...plan, query: { until: beyond } })?.at(-1)?.until).toBe(1000);
  });

  it('stays in one thread for one job, a room, a short span, or a log with partitions besides 0', () => {
    expect(parallelPlan({ ...plan, jobs: 1, query: {} })).toBeUndefined();
    expect(parallelPlan({ ...plan, query: { roomId: 'r-1' } })).toBeUndefined();
    expect(parallelPlan({ ...plan, query: { after: checkpointFromEntries([[0, 600]]) } })).toBeUndefined();
    expect(parallelPlan({ ...plan, head: checkpointFromEntries([[0, 1000], [1, 1000]]), query: {} })).toBeUndefined();
    expect(parallelPlan({ ...plan, query: { after: checkpointFromEntries([[3, 1]]) } })).toBeUndefined();
  });
});
