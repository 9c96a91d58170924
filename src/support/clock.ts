/** Time and ids come from here so the core stays deterministic and tests can pin them. */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface IdGenerator {
  next(): string;
}

export const uuidGenerator: IdGenerator = { next: () => crypto.randomUUID() };
