// One way to open a Redis connection for every Redis adapter (presence, analytics, rate limits, tokens, typing),
// tuned so that an unreachable Redis shows up at once as a failed call instead of requests that hang.

import { Redis } from 'ioredis';
import type { Logger } from 'pino';

export interface RedisClientOptions {
  url: string;
  logger?: Logger;
  /** How long one connection attempt may take before it counts as failed. */
  connectTimeoutMs?: number;
  /** A command without an answer by then fails: a paused or overloaded Redis must not hold requests forever. */
  commandTimeoutMs?: number;
  /** Longest pause between reconnection attempts; they go on for as long as the process runs. */
  maxReconnectDelayMs?: number;
}

const DEFAULT_CONNECT_TIMEOUT_MS = 2_000;
const DEFAULT_COMMAND_TIMEOUT_MS = 2_000;
const DEFAULT_MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * A client that connects on `connectRedis` and then keeps reconnecting with a capped back-off. Calls made while it
 * is disconnected fail immediately (no offline queue): the rate limiter must refuse at once (fail closed) and
 * presence must degrade at once, rather than both waiting for a reconnection that may not come.
 */
export function createRedisClient(options: RedisClientOptions): Redis {
  const maxDelay = options.maxReconnectDelayMs ?? DEFAULT_MAX_RECONNECT_DELAY_MS;
  const client = new Redis(options.url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    // A command that was sent when the connection dropped may have run (a token rotation, a counter increment):
    // resending it after the reconnect could apply it twice, so it fails instead and the caller decides.
    maxRetriesPerRequest: 0,
    connectTimeout: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    commandTimeout: options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxDelay),
  });
  watchConnection(client, options.logger);
  return client;
}

/**
 * Connects, or logs why not and lets the client keep trying in the background: an unreachable Redis at start-up
 * is one of the outages the service rides out (rate limits fail closed, presence degrades), not a reason to exit.
 * Resolves whether the first attempt succeeded.
 */
export async function connectRedis(client: Redis, logger?: Logger): Promise<boolean> {
  // Only a client that never tried connects here; one that is (re)connecting already does so on its own.
  if (client.status !== 'wait') return client.status === 'ready';
  try {
    await client.connect();
    return true;
  } catch (error) {
    logger?.warn({ err: error }, 'Redis is unreachable at start-up; retrying in the background');
    return false;
  }
}

/**
 * Logs each outage once (when it starts and when it ends) instead of once per reconnection attempt, and keeps
 * ioredis from printing "Unhandled error event" for errors nobody listens to.
 */
function watchConnection(client: Redis, logger: Logger | undefined): void {
  let down = false;
  client.on('error', (error: unknown) => {
    if (down) {
      logger?.debug({ err: error }, 'Redis still unreachable');
      return;
    }
    down = true;
    logger?.warn({ err: error }, 'Redis connection failed');
  });
  client.on('ready', () => {
    if (down) logger?.info('Redis connection restored');
    down = false;
  });
}
