// kafkajs asks the cluster which broker coordinates a transactional id (or a consumer group) before every request
// to that coordinator, and keeps no answer: four FindCoordinator requests per transaction of the command processor
// (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn), 4 of its 9 requests. The Java client keeps the
// coordinator until a request says it moved. kafkajs offers no hook for that, so this wraps its Cluster's lookup
// with a short-lived cache: an answer is reused for COORDINATOR_TTL_MS. When a coordinator moves (a broker restarts
// or loses leadership of __transaction_state / __consumer_offsets), the requests to the old one fail as retriable
// (NOT_COORDINATOR, or the connection), kafkajs retries them, and the lookup asks the cluster again once the entry
// is older than the TTL: a move costs at most that much more time. A failed lookup is never kept.

import { createRequire } from 'node:module';

/** How long one FindCoordinator answer is reused. */
export const COORDINATOR_TTL_MS = 2_000;

export interface CoordinatorQuery {
  groupId: string;
  coordinatorType?: number;
}

export type Lookup = (this: object, query: CoordinatorQuery) => Promise<unknown>;

interface ClusterClass {
  prototype: { findGroupCoordinatorMetadata: CachedLookup };
}

interface Entry {
  at: number;
  answer: Promise<unknown>;
}

/**
 * Makes every kafkajs Cluster of this process reuse a coordinator lookup for `ttlMs`. Idempotent. kafkajs 2.2 is
 * unmaintained (its last release is from 2023), so its internals will not move under this; a kafkajs whose
 * Cluster no longer has the method is left as it is.
 */
export function installCoordinatorCache(ttlMs: number = COORDINATOR_TTL_MS): void {
  const require = createRequire(import.meta.url);
  const Cluster = require('kafkajs/src/cluster') as ClusterClass;
  const original = Cluster.prototype.findGroupCoordinatorMetadata;
  if (typeof original !== 'function' || original.coordinatorCache) return;
  const cached: CachedLookup = cachedLookup(original, ttlMs);
  cached.coordinatorCache = true;
  Cluster.prototype.findGroupCoordinatorMetadata = cached;
}

type CachedLookup = Lookup & { coordinatorCache?: true };

/** `lookup`, answering again what it answered for the same cluster and query less than `ttlMs` ago. */
export function cachedLookup(lookup: Lookup, ttlMs: number, now: () => number = Date.now): Lookup {
  const caches = new WeakMap<object, Map<string, Entry>>();
  return function (this: object, query: CoordinatorQuery): Promise<unknown> {
    let cache = caches.get(this);
    if (!cache) {
      cache = new Map();
      caches.set(this, cache);
    }
    const key = `${query.coordinatorType ?? 0}\u0000${query.groupId}`;
    const entry = cache.get(key);
    const at = now();
    if (entry && at - entry.at < ttlMs) return entry.answer;
    const answer = lookup.call(this, query);
    const fresh = { at, answer };
    cache.set(key, fresh);
    answer.catch(() => {
      if (cache.get(key) === fresh) cache.delete(key);
    });
    return answer;
  };
}
