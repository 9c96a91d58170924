import { v7 as uuidv7 } from 'uuid';
import { pooledRandomBytes } from './randomPool.js';

/** Time and ids come from here so the core stays deterministic and tests can pin them. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface IdGenerator {
  next(): string;
}

/**
 * UUIDv7: time-ordered, so event, command and room ids land at the end of their indexes instead of scattering
 * writes across them (measured 3-5x faster inserts than random v4 ids on the SQLite log).
 *
 * Monotonic as the uuid package's own v7() keeps it (a random 31-bit counter at each new millisecond, counted up
 * within one), but with the random bytes from the pool (randomPool.ts): uuid asks the system's random source for
 * 16 bytes per id, about 1.4% of a send's CPU. Given msecs and seq, uuid keeps no state of its own.
 */
export function monotonicUuidV7(now: () => number = Date.now): IdGenerator {
  let lastMs = Number.NEGATIVE_INFINITY;
  let seq = 0;
  return {
    next: () => {
      const random = pooledRandomBytes(16);
      const ms = now();
      if (ms > lastMs) {
        lastMs = ms;
        seq = ((random[6]! & 0x7f) << 24) | (random[7]! << 16) | (random[8]! << 8) | random[9]!;
      } else {
        seq = (seq + 1) | 0;
        // 2^32 ids in one millisecond: borrow the next one, as uuid does.
        if (seq === 0) lastMs += 1;
      }
      return uuidv7({ msecs: lastMs, seq, random });
    },
  };
}

export const uuidGenerator: IdGenerator = monotonicUuidV7();
