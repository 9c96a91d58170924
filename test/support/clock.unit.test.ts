import { validate, version } from 'uuid';
import { describe, expect, it } from 'vitest';
import { monotonicUuidV7 } from '../../src/support/clock.js';

describe('monotonicUuidV7', () => {
  it('makes valid, distinct version-7 ids that sort in the order they were made, within one millisecond too', () => {
    let ms = 1_765_000_000_000;
    const ids = monotonicUuidV7(() => ms);
    const made: string[] = [];
    for (let i = 0; i < 5_000; i++) {
      if (i % 1_000 === 0) ms += 1;
      made.push(ids.next());
    }
    for (const id of made.slice(0, 10)) {
      expect(validate(id)).toBe(true);
      expect(version(id)).toBe(7);
    }
    expect(new Set(made).size).toBe(made.length);
    expect([...made].sort()).toEqual(made);
  });

  it('keeps its order when the clock steps back', () => {
    let ms = 1_765_000_000_000;
    const ids = monotonicUuidV7(() => ms);
    const before = ids.next();
    ms -= 5_000;
    const after = ids.next();
    expect(after > before).toBe(true);
    // The time in the id is the latest seen, not the earlier clock.
    expect(after.slice(0, 13)).toBe(before.slice(0, 13));
  });
});
