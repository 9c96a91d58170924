import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/support/isoTime.js';

describe('isoTime', () => {
  it('is toISOString for times around now, the epoch, leap days and the ends of the four-digit years', () => {
    const now = Date.now();
    const samples = [
      0,
      1,
      999,
      59_999,
      60_000,
      -1,
      -60_001,
      now,
      Date.UTC(2024, 1, 29, 23, 59, 59, 999),
      Date.UTC(2000, 0, 1),
      Date.UTC(9999, 11, 31, 23, 59, 59, 999),
      Date.UTC(10000, 0, 1, 0, 0, 0, 5),
      Date.UTC(-1, 5, 1, 12, 0, 7, 70),
    ];
    for (const ms of samples) expect(isoTime(ms)).toBe(new Date(ms).toISOString());
  });

  it('is toISOString for a hundred thousand random times, in and out of the minutes it remembers', () => {
    const now = Date.now();
    for (let i = 0; i < 100_000; i++) {
      // Half within a few minutes of now (the remembered prefixes), half anywhere in ±300 years.
      const ms = i % 2 === 0 ? now + Math.floor(Math.random() * 600_000) : Math.floor((Math.random() - 0.5) * 2 * 300 * 365 * 86_400_000);
      expect(isoTime(ms)).toBe(new Date(ms).toISOString());
    }
  });

  it('leaves what is not a whole number of milliseconds to Date (which throws for an invalid time)', () => {
    expect(isoTime(1.5)).toBe(new Date(1.5).toISOString());
    expect(() => isoTime(Number.NaN)).toThrow(RangeError);
  });
});
