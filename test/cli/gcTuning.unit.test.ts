import { describe, expect, it } from 'vitest';
import { parallelScavenge } from '../../src/cli/gcTuning.js';

// GC_PARALLEL_SCAVENGE: `auto` keeps V8's scavenge helpers only where a core is likely free for them.

describe('parallelScavenge', () => {
  it('auto: off at one or two cores, on from three', () => {
    expect([1, 2, 3, 4, 64].map((cores) => parallelScavenge('auto', cores))).toEqual([false, false, true, true, true]);
  });

  it('on and off decide whatever the cores', () => {
    expect([1, 2, 16].map((cores) => parallelScavenge('on', cores))).toEqual([true, true, true]);
    expect([1, 2, 16].map((cores) => parallelScavenge('off', cores))).toEqual([false, false, false]);
  });
});
