import { describe, expect, it } from 'vitest';

import { MemoryPresenceTracker } from '../../src/presence/memoryPresenceTracker.js';
import { presenceTrackerContract } from './presenceTrackerContract.js';

presenceTrackerContract('memory', async (options) => {
  const tracker = new MemoryPresenceTracker(options);
  return { tracker, cleanup: () => tracker.close() };
});

describe('MemoryPresenceTracker', () => {
  it('refuses a TTL that is not positive', () => {
    expect(() => new MemoryPresenceTracker({ ttlMs: 0, clock: { now: () => 0 } })).toThrow(RangeError);
  });

  it('forgets everything on close', async () => {
    const tracker = new MemoryPresenceTracker({ ttlMs: 1000, clock: { now: () => 10 } });
    await tracker.connect('u-alice', 'c-1', 10);
    await tracker.close();
    expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: null }]);
  });
});
