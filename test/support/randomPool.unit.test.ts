import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../src/support/randomPool.js';

describe('pooledRandomBytes', () => {
  it('hands out fresh bytes of the asked size, none twice, across refills of the pool', () => {
    const seen = new Set<string>();
    // 12 bytes x 2,000 = 24 KB: six refills of the 4 KiB pool.
    for (let i = 0; i < 2_000; i++) {
      const bytes = pooledRandomBytes(12);
      expect(bytes).toHaveLength(12);
      seen.add(bytes.toString('hex'));
    }
    expect(seen.size).toBe(2_000);
  });

  it('gives each caller its own copy: changing one changes no other', () => {
    const a = pooledRandomBytes(16);
    const copy = Buffer.from(a);
    a.fill(0);
    const b = pooledRandomBytes(16);
    expect(b.equals(Buffer.alloc(16))).toBe(false);
    expect(copy.equals(Buffer.alloc(16))).toBe(false);
  });

  it('refuses sizes it cannot serve', () => {
    expect(() => pooledRandomBytes(-1)).toThrow(RangeError);
    expect(() => pooledRandomBytes(4097)).toThrow(RangeError);
    expect(() => pooledRandomBytes(1.5)).toThrow(RangeError);
    expect(pooledRandomBytes(0)).toHaveLength(0);
  });
});
