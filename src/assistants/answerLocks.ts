import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Clock } from '../support/clock.js';

// Leases that keep answers single (issue #19): one per question, so of several gateways following the log only one
// answers it, and one per asker and room, so an asker has one answer coming at a time there (ALREADY_PROCESSING).
// A lease expires on its own: a process that crashed mid-answer holds nothing for long, and the asker can ask again.

export interface AnswerLocks {
  /** Takes the lease for `ttlMs`; returns its release, or undefined when somebody holds it. */
  acquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined>;
}

/** One process (embedded). */
export class MemoryAnswerLocks implements AnswerLocks {
  private readonly held = new Map<string, { token: string; expiresAt: number }>();

  constructor(private readonly clock: Clock) {}

  async acquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const now = this.clock.now();
    const current = this.held.get(key);
    if (current && current.expiresAt > now) return undefined;
    const token = randomUUID();
    this.held.set(key, { token, expiresAt: now + ttlMs });
    return async () => {
      if (this.held.get(key)?.token === token) this.held.delete(key);
    };
  }
}

/** Deletes the key only while it still holds our token: a lease that expired and was taken again is not ours. */
const RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/** Several processes (distributed): SET NX PX under `<REDIS_KEY_PREFIX>assistant:`. */
export class RedisAnswerLocks implements AnswerLocks {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  async acquire(key: string, ttlMs: number): Promise<(() => Promise<void>) | undefined> {
    const token = randomUUID();
    const redisKey = `${this.prefix}${key}`;
    const taken = await this.client.set(redisKey, token, 'PX', ttlMs, 'NX');
    if (taken !== 'OK') return undefined;
    return async () => {
      await this.client.eval(RELEASE, 1, redisKey, token);
    };
  }
}
