import { describe, expect, it } from 'vitest';
import { LegacyUsernames } from '../../../src/commands/username/legacyUsernames.js';
import { EMPTY_CHECKPOINT } from '../../../src/eventlog/checkpoint.js';
import type { ListUsernamesOptions, UsernameEntry } from '../../../src/projections/history/historyStore.js';

/** A history view of `entries` (sorted by user id), counting its pages; the first `failures` waits time out. */
function world(entries: UsernameEntry[], failures = 0) {
  const calls = { pages: 0, waits: 0 };
  let failuresLeft = failures;
  const legacy = new LegacyUsernames({
    log: { headPosition: async () => EMPTY_CHECKPOINT },
    waitForHistory: async () => {
      calls.waits++;
      if (failuresLeft-- > 0) throw new Error('the view is behind');
    },
    history: {
      listUsernames: async ({ after = '', limit }: ListUsernamesOptions) => {
        calls.pages++;
        return entries.filter((entry) => entry.userId > after).slice(0, limit);
      },
    },
  });
  return { legacy, calls };
}

const pad = (n: number): string => String(n).padStart(5, '0');

describe('LegacyUsernames', () => {
  it('finds the old account a name looks like across every page of the view, and builds its index once', async () => {
    // 2500 accounts: three pages of 1000; tom is on the last one.
    const entries = Array.from({ length: 2500 }, (_, i) => ({ userId: `u${pad(i)}`, username: `user${pad(i)}x` }));
    entries[2400] = { userId: `u${pad(2400)}`, username: 'Tom' };
    const { legacy, calls } = world(entries);
    await expect(legacy.assertNoLookAlike('torn')).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      details: { username: 'torn', confusableWith: 'tom' },
    });
    await expect(legacy.assertNoLookAlike('TOM')).rejects.toMatchObject({ code: 'USERNAME_TAKEN', details: { username: 'TOM' } });
    await expect(legacy.assertNoLookAlike('alicia')).resolves.toBeUndefined();
    expect(calls).toEqual({ pages: 3, waits: 1 });
  });

  it('leaves a name that is its own skeleton to the single writer (its old claim is its skeleton key)', async () => {
    const { legacy } = world([{ userId: 'u1', username: 'alice' }]);
    await expect(legacy.assertNoLookAlike('аlice')).resolves.toBeUndefined();
  });

  it('tries again on the next registration when the view could not be waited for', async () => {
    const { legacy, calls } = world([{ userId: 'u1', username: 'b0b' }], 1);
    await expect(legacy.assertNoLookAlike('bob')).rejects.toThrow('the view is behind');
    await expect(legacy.assertNoLookAlike('bob')).rejects.toMatchObject({ details: { confusableWith: 'b0b' } });
    expect(calls.waits).toBe(2);
  });
});
