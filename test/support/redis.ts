// Helpers for the suites that run against a real Redis (REDIS_URL, see realServices.ts): a key prefix of their
// own per run so suites can share one server in parallel, clean-up of exactly those keys, and clients that can
// never reach a server, for the fault tests.

import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { connectRedis, createRedisClient } from '../../src/redis/redisClient.js';

/** `test:<random>:`: nothing another suite or run writes can collide with it. */
export function testKeyPrefix(label: string): string {
  return `test:${label}:${randomUUID()}:`;
}

/** A connected client with the service's own settings (no offline queue, short timeouts). */
export async function openRedis(url: string): Promise<Redis> {
  const client = createRedisClient({ url });
  if (!(await connectRedis(client))) throw new Error(`cannot connect to Redis at ${url}`);
  return client;
}

/** Deletes every key under the prefix (SCAN, not KEYS, so a busy shared server is not blocked). */
export async function deleteKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await client.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}

/** Counts the keys under the prefix. */
export async function countKeys(client: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let count = 0;
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    count += keys.length;
  } while (cursor !== '0');
  return count;
}

/**
 * A client pointed at a port nothing listens on (127.0.0.1:1): every connection attempt is refused at once, so
 * the tests see what the service does while Redis is unreachable, without waiting for timeouts.
 */
export async function unreachableRedis(): Promise<Redis> {
  const client = createRedisClient({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 200, maxReconnectDelayMs: 200 });
  if (await connectRedis(client)) throw new Error('127.0.0.1:1 unexpectedly accepted a Redis connection');
  return client;
}

export async function quit(client: Redis): Promise<void> {
  // quit() needs a live connection; a client that never connected (or lost it) is just stopped.
  if (client.status === 'ready') await client.quit();
  else client.disconnect();
}

function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, (char) => `\\${char}`);
}
