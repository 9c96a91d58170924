import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryAnswerLocks, RedisAnswerLocks, type AnswerLocks } from '../../src/assistants/answerLocks.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, testKeyPrefix } from '../support/redis.js';

// The leases that keep answers single (issue #19), in process memory and in Redis: one holder at a time, released
// only by its holder, and gone on their own once their time is up.

function leaseContract(name: string, make: () => { locks: AnswerLocks; advance: (ms: number) => Promise<void> }): void {
  describe(`AnswerLocks: ${name}`, () => {
    it('has one holder at a time, until the holder releases it', async () => {
      const { locks } = make();
      const release = await locks.acquire('question:r1.4:bot', 10_000);
      expect(release).toBeDefined();
      expect(await locks.acquire('question:r1.4:bot', 10_000)).toBeUndefined();
      expect(await locks.acquire('question:r1.5:bot', 10_000)).toBeDefined();
      await release?.();
      expect(await locks.acquire('question:r1.4:bot', 10_000)).toBeDefined();
    });

    it('expires on its own, and an expired holder does not release the next one', async () => {
      const { locks, advance } = make();
      const first = await locks.acquire('asking:r1:alice', 200);
      await advance(300);
      const second = await locks.acquire('asking:r1:alice', 10_000);
      expect(second).toBeDefined();
      await first?.();
      expect(await locks.acquire('asking:r1:alice', 10_000)).toBeUndefined();
    });
  });
}

let now = 0;
leaseContract('memory', () => {
  now = 1_000_000;
  return {
    locks: new MemoryAnswerLocks({ now: () => now }),
    advance: async (ms) => {
      now += ms;
    },
  };
});

describeWithServices('AnswerLocks on a real Redis', ['REDIS_URL'], (env) => {
  const prefix = testKeyPrefix('answer-locks');
  let redis: Redis;
  beforeAll(async () => {
    redis = await openRedis(env('REDIS_URL'));
  });
  afterAll(async () => {
    await deleteKeys(redis, prefix);
    await redis.quit();
  });
  let run = 0;
  leaseContract('redis', () => ({
    locks: new RedisAnswerLocks(redis, `${prefix}${++run}:`),
    advance: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  }));
});
