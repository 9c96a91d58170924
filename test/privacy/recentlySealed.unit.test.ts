import { afterEach, describe, expect, it, vi } from 'vitest';
import type { SealedValue } from '../../src/events/chatEvents.js';
import { RecentlySealed } from '../../src/privacy/recentlySealed.js';

const key = Buffer.alloc(32, 1);
const value = (fill: number): SealedValue => ({ keyOwner: 'u-1', iv: Buffer.alloc(12, fill), tag: Buffer.alloc(16, fill), ciphertext: Buffer.alloc(20, fill) });
const copy = (sealed: SealedValue): SealedValue => ({ ...sealed, iv: Buffer.from(sealed.iv), tag: Buffer.from(sealed.tag), ciphertext: Buffer.from(sealed.ciphertext) });

describe('RecentlySealed', () => {
  it('gives the plaintext for the same bytes of the same event and field, once', () => {
    const recent = new RecentlySealed();
    recent.remember('e-1', 'text', value(7), key, 'hello');
    expect(recent.take('e-1', 'name', copy(value(7)), key)).toBeUndefined();
    expect(recent.take('e-1', 'text', copy(value(7)), key)).toBe('hello');
    expect(recent.take('e-1', 'text', copy(value(7)), key)).toBeUndefined();
  });

  it('gives nothing when a byte, the owner or the key differs', () => {
    const recent = new RecentlySealed();
    const changes: Array<(sealed: SealedValue) => SealedValue> = [
      (sealed) => ({ ...sealed, keyOwner: 'u-2' }),
      (sealed) => ({ ...sealed, iv: Buffer.alloc(12, 8) }),
      (sealed) => ({ ...sealed, tag: Buffer.alloc(16, 8) }),
      (sealed) => ({ ...sealed, ciphertext: Buffer.concat([sealed.ciphertext, Buffer.alloc(1)]) }),
    ];
    for (const change of changes) {
      recent.remember('e-1', 'text', value(7), key, 'hello');
      expect(recent.take('e-1', 'text', change(copy(value(7))), key)).toBeUndefined();
    }
    recent.remember('e-1', 'text', value(7), key, 'hello');
    expect(recent.take('e-1', 'text', copy(value(7)), Buffer.alloc(32, 2))).toBeUndefined();
  });

  it('forgets entries older than ten seconds once a newer one comes, and keeps at most 4,096', () => {
    let now = 0;
    const recent = new RecentlySealed(() => now);
    recent.remember('e-old', 'text', value(1), key, 'old');
    now = 10_001;
    recent.remember('e-new', 'text', value(2), key, 'new');
    expect(recent.take('e-old', 'text', value(1), key)).toBeUndefined();
    expect(recent.take('e-new', 'text', value(2), key)).toBe('new');
    for (let i = 0; i <= 4_096; i++) recent.remember(`e-${i}`, 'text', value(3), key, `text ${i}`);
    expect(recent.take('e-0', 'text', value(3), key)).toBeUndefined();
    expect(recent.take('e-1', 'text', value(3), key)).toBe('text 1');
    expect(recent.take('e-4096', 'text', value(3), key)).toBe('text 4096');
  });

  describe('with nothing sealed after it', () => {
    afterEach(() => {
      vi.useRealTimers();
    });

    it('still forgets an entry ten seconds on', () => {
      vi.useFakeTimers();
      const recent = new RecentlySealed();
      recent.remember('e-1', 'text', value(1), key, 'kept');
      recent.remember('e-2', 'text', value(2), key, 'forgotten');
      expect(recent.take('e-1', 'text', value(1), key)).toBe('kept');
      vi.advanceTimersByTime(10_002);
      expect(recent.take('e-2', 'text', value(2), key)).toBeUndefined();
    });
  });
});
