import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PersonalDataKeys } from '../../src/privacy/personalDataKeys.js';

export interface KeysUnderTest {
  keys: PersonalDataKeys;
  /** A second handle on the same store, as another process (the CLI, another api instance) would hold. */
  other: PersonalDataKeys;
  cleanup: () => Promise<void>;
}

const AT = 1_750_000_000_000;

/** What every PersonalDataKeys adapter must do (SQLite embedded, Redis distributed). Each test gets a fresh store. */
export function personalDataKeysContract(name: string, make: () => Promise<KeysUnderTest>): void {
  describe(`PersonalDataKeys contract: ${name}`, () => {
    let keys: PersonalDataKeys;
    let other: PersonalDataKeys;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ keys, other, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    it('creates a 32-byte key on first use and returns the same key afterwards, also to another handle', async () => {
      const key = await keys.keyFor('u-alice');
      expect(key).toHaveLength(32);
      expect(await keys.keyFor('u-alice')).toEqual(key);
      expect(await other.keyFor('u-alice')).toEqual(key);
      expect(await keys.keyFor('u-bob')).not.toEqual(key);
    });

    it('agrees on one key when first uses race', async () => {
      const raced = await Promise.all([keys.keyFor('u-race'), other.keyFor('u-race'), keys.keyFor('u-race')]);
      expect(raced[1]).toEqual(raced[0]);
      expect(raced[2]).toEqual(raced[0]);
    });

    it('looks up present, absent and destroyed keys in one call without creating any', async () => {
      const alice = await keys.keyFor('u-alice');
      await keys.keyFor('u-carol');
      await keys.destroy('u-carol', AT);
      const states = await keys.lookup(['u-alice', 'u-nobody', 'u-carol', 'u-alice']);
      expect(states.get('u-alice')).toEqual({ state: 'present', key: alice });
      expect(states.get('u-nobody')).toEqual({ state: 'absent' });
      expect(states.get('u-carol')).toEqual({ state: 'destroyed' });
      expect((await keys.lookup(['u-nobody'])).get('u-nobody')).toEqual({ state: 'absent' });
      expect((await keys.lookup([])).size).toBe(0);
    });

    it('destroys a key for good: every handle sees it destroyed and no new key is ever made', async () => {
      await keys.keyFor('u-alice');
      await other.lookup(['u-alice']);
      expect(await other.destroy('u-alice', AT)).toEqual({ destroyedNow: true });
      expect((await keys.lookup(['u-alice'])).get('u-alice')).toEqual({ state: 'destroyed' });
      await expect(keys.keyFor('u-alice')).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
      await expect(other.keyFor('u-alice')).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
    });

    it("sees another handle's changes on the next read, whatever this handle read before", async () => {
      await keys.keyFor('u-alice');
      expect((await keys.lookup(['u-dave'])).get('u-dave')).toEqual({ state: 'absent' });
      const dave = await other.keyFor('u-dave');
      await other.destroy('u-alice', AT);
      await expect(keys.keyFor('u-alice')).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
      expect((await keys.lookup(['u-dave'])).get('u-dave')).toEqual({ state: 'present', key: dave });
      expect(await keys.keyFor('u-dave')).toEqual(dave);
    });

    it('is idempotent: destroying twice reports the second call as no change', async () => {
      await keys.keyFor('u-alice');
      expect(await keys.destroy('u-alice', AT)).toEqual({ destroyedNow: true });
      expect(await keys.destroy('u-alice', AT + 1)).toEqual({ destroyedNow: false });
      expect((await keys.lookup(['u-alice'])).get('u-alice')).toEqual({ state: 'destroyed' });
    });

    it('destroying a user who never had a key leaves a tombstone: no key is made for them later', async () => {
      expect(await keys.destroy('u-never', AT)).toEqual({ destroyedNow: true });
      await expect(keys.keyFor('u-never')).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
      expect((await keys.lookup(['u-never'])).get('u-never')).toEqual({ state: 'destroyed' });
    });

    it('refuses a user id that cannot name a key, changing nothing', async () => {
      await expect(keys.keyFor('')).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      await expect(keys.destroy('bad\nid', AT)).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect((await keys.lookup(['bad\nid'])).get('bad\nid')).toEqual({ state: 'absent' });
    });
  });
}
