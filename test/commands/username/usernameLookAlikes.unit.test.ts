import { describe, expect, it } from 'vitest';
import { UsernameLookAlikes } from '../../../src/commands/username/usernameLookAlikes.js';
import { EMPTY_CHECKPOINT } from '../../../src/eventlog/checkpoint.js';
import type { ListUsernamesOptions, UsernameEntry } from '../../../src/projections/history/historyStore.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

/**
 * A history view of `entries` (sorted by user id) and a log of username claims, counting the view's pages and the
 * waits for it; the first `failures` waits time out.
 */
function world(entries: UsernameEntry[], options: { failures?: number; claims?: Array<[string, string, string]> } = {}) {
  const calls = { pages: 0, waits: 0 };
  let failuresLeft = options.failures ?? 0;
  const log = new RecordedEventLog();
  for (const [streamId, username, userId] of options.claims ?? []) {
    log.record(streamId, { type: 'UsernameClaimed', data: { username, userId } });
  }
  const lookAlikes = new UsernameLookAlikes({
    log: {
      headPosition: async () => EMPTY_CHECKPOINT,
      readStream: async (streamId, read) => log.events.filter((e) => e.streamId === streamId).slice(0, read?.limit),
    },
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
  return { lookAlikes, calls };
}

const pad = (n: number): string => String(n).padStart(5, '0');

describe('assertNoLookAlike', () => {
  it('finds the old account a name looks like across every page of the view, and builds its index once', async () => {
    // 2500 accounts: three pages of 1000; tom is on the last one.
    const entries = Array.from({ length: 2500 }, (_, i) => ({ userId: `u${pad(i)}`, username: `user${pad(i)}x` }));
    entries[2400] = { userId: `u${pad(2400)}`, username: 'Tom' };
    const { lookAlikes, calls } = world(entries);
    await expect(lookAlikes.assertNoLookAlike('torn')).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      details: { username: 'torn', confusableWith: 'tom' },
    });
    const taken = await lookAlikes.assertNoLookAlike('TOM').catch((error: unknown) => error);
    expect(taken).toMatchObject({ code: 'USERNAME_TAKEN', details: { username: 'TOM' } });
    expect(taken).not.toHaveProperty('details.confusableWith');
    await expect(lookAlikes.assertNoLookAlike('alicia')).resolves.toBeUndefined();
    expect(calls).toEqual({ pages: 3, waits: 1 });
  });

  it('leaves a name that is its own skeleton to the single writer (its old claim is its skeleton key)', async () => {
    const { lookAlikes } = world([{ userId: 'u1', username: 'alice' }]);
    await expect(lookAlikes.assertNoLookAlike('аlice')).resolves.toBeUndefined();
  });

  it('refuses a name whose look-alike key an account has claimed, before anything is claimed for it', async () => {
    const { lookAlikes } = world([], { claims: [['username-alice', 'alice', 'u-alice'], ['username-lan', 'lan', 'u-lan']] });
    // A capital I is drawn as l: aIice's skeleton as written is alice's, though case-folded it is aiice.
    await expect(lookAlikes.assertNoLookAlike('aIice')).rejects.toMatchObject({
      code: 'USERNAME_TAKEN',
      details: { username: 'aIice', confusableWith: 'alice' },
    });
    await expect(lookAlikes.assertNoLookAlike('Ian')).rejects.toMatchObject({ details: { confusableWith: 'lan' } });
    const taken = await lookAlikes.assertNoLookAlike('Alice').catch((error: unknown) => error);
    expect(taken).toMatchObject({ code: 'USERNAME_TAKEN', details: { username: 'Alice' } });
    expect(taken).not.toHaveProperty('details.confusableWith');
    await expect(lookAlikes.assertNoLookAlike('ian')).resolves.toBeUndefined();
  });

  it('finds an old account by its skeleton as written too (Ian, registered before that key was claimed)', async () => {
    const { lookAlikes } = world([{ userId: 'u1', username: 'Ian' }]);
    await expect(lookAlikes.assertNoLookAlike('lan')).rejects.toMatchObject({ details: { username: 'lan', confusableWith: 'ian' } });
    await expect(lookAlikes.assertNoLookAlike('ion')).resolves.toBeUndefined();
  });

  it('tries again on the next call when the view could not be waited for', async () => {
    const { lookAlikes, calls } = world([{ userId: 'u1', username: 'b0b' }], { failures: 1 });
    await expect(lookAlikes.assertNoLookAlike('bob')).rejects.toThrow('the view is behind');
    await expect(lookAlikes.assertNoLookAlike('bob')).rejects.toMatchObject({ details: { confusableWith: 'b0b' } });
    expect(calls.waits).toBe(2);
  });
});

describe('assertDisplayNameOf', () => {
  // alice and tom registered with skeleton claims (tom's is username-torn), b0b before skeletons.
  const setting = () =>
    world([{ userId: 'u-bob', username: 'b0b' }], {
      claims: [
        ['username-alice', 'alice', 'u-alice'],
        ['username-torn', 'tom', 'u-tom'],
        ['username-tom', 'tom', 'u-tom'],
      ],
    });

  it.each([
    ['Alice', 'alice'],
    ['аlice', 'alice'],
    ['TORN', 'tom'],
    ['Tom', 'tom'],
    ['bob', 'b0b'],
    ['aIice', 'alice'],
  ])("refuses %s for someone else: it looks like %s's username", async (displayName, confusableWith) => {
    await expect(setting().lookAlikes.assertDisplayNameOf('u-mallory', displayName)).rejects.toMatchObject({
      code: 'DISPLAY_NAME_CONFUSABLE',
      details: { displayName, confusableWith },
    });
  });

  it("lets people take their own username, in any look, and names like nobody's", async () => {
    const { lookAlikes } = setting();
    await expect(lookAlikes.assertDisplayNameOf('u-alice', 'ALICE')).resolves.toBeUndefined();
    await expect(lookAlikes.assertDisplayNameOf('u-tom', 'Torn')).resolves.toBeUndefined();
    await expect(lookAlikes.assertDisplayNameOf('u-bob', 'Bob')).resolves.toBeUndefined();
    await expect(lookAlikes.assertDisplayNameOf('u-mallory', 'Alice A.')).resolves.toBeUndefined();
    await expect(lookAlikes.assertDisplayNameOf('u-mallory', 'Mallory 🐇')).resolves.toBeUndefined();
  });
});
