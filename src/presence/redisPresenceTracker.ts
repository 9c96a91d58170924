// Presence in Redis (distributed mode), shared by every gateway: each user's connections in a sorted set scored
// by their last heartbeat, every online user in one sorted set scored by their latest heartbeat (so a sweep finds
// the users whose every connection expired with one range query), and last-seen times in a hash.
// Every change of a user's state is one Lua script, so concurrent gateways cannot both report the same transition.

import type { Redis } from 'ioredis';
import { z } from 'zod';
import { LuaScript } from '../redis/luaScript.js';
import type { Clock } from '../support/clock.js';
import type { PresenceTracker, PresenceTransition, PresenceView } from './presenceTracker.js';
import { isoTime } from '../support/isoTime.js';

export interface RedisPresenceTrackerOptions {
  client: Redis;
  /** Prepended to every key, so several deployments (or test runs) can share one Redis. */
  keyPrefix: string;
  /** A connection whose last heartbeat is older than this is gone. */
  ttlMs: number;
  /** Read by get() only, which has no `now` argument (as in the memory tracker). */
  clock: Clock;
  /** Users a sweep expires per script run: keeps each run short, so Redis never stalls other clients on a big sweep. */
  sweepBatchSize?: number;
}

// Shared by the scripts below: drops the user's connections whose heartbeat is older than the TTL, keeps the
// latest of their heartbeats as last seen, and re-scores (or removes) the user in the online set.
// KEYS: 1 the user's connections, 2 online users, 3 last seen. ARGV: 1 userId, 2 now, 3 ttl.
// Times go to Redis through int(): Lua would print an epoch in milliseconds with 14 significant digits at most.
const EXPIRE_STALE = `
local function int(n) return string.format('%d', n) end
local function expireStale(now, ttl)
  local stale = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. int(now - ttl), 'WITHSCORES')
  if #stale > 0 then
    local seen = tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or '-1')
    for i = 2, #stale, 2 do seen = math.max(seen, tonumber(stale[i])) end
    redis.call('HSET', KEYS[3], ARGV[1], int(seen))
    redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', '(' .. int(now - ttl))
  end
  return redis.call('ZCARD', KEYS[1])
end
local function rescore()
  local latest = redis.call('ZRANGE', KEYS[1], -1, -1, 'WITHSCORES')
  if #latest == 0 then
    redis.call('ZREM', KEYS[2], ARGV[1])
  else
    redis.call('ZADD', KEYS[2], latest[2], ARGV[1])
  end
end
`;

// Connect. ARGV: 4 connectionId. Returns 1 when this connection brought the user online.
const CONNECT = new LuaScript(`${EXPIRE_STALE}
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local live = expireStale(now, ttl)
local previous = tonumber(redis.call('ZSCORE', KEYS[1], ARGV[4]) or now)
redis.call('ZADD', KEYS[1], int(math.max(now, previous)), ARGV[4])
rescore()
if live > 0 then return 0 end
return 1
`);

// Heartbeat. ARGV: 4 connectionId. A heartbeat never revives an expired (or unknown) connection.
const HEARTBEAT = new LuaScript(`${EXPIRE_STALE}
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local last = redis.call('ZSCORE', KEYS[1], ARGV[4])
if not last or now - tonumber(last) > ttl then return 0 end
redis.call('ZADD', KEYS[1], int(math.max(now, tonumber(last))), ARGV[4])
rescore()
return 1
`);

// Disconnect. ARGV: 4 connectionId. Returns the offline time when this was the user's last live connection.
const DISCONNECT = new LuaScript(`${EXPIRE_STALE}
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('ZREM', KEYS[1], ARGV[4]) == 0 then return false end
if expireStale(now, ttl) > 0 then
  rescore()
  return false
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
local at = math.max(now, tonumber(redis.call('HGET', KEYS[3], ARGV[1]) or now))
redis.call('HSET', KEYS[3], ARGV[1], int(at))
return int(at)
`);

// Expiry of one user found by a sweep. Re-checks, inside the script, that the user's latest heartbeat is still too
// old: of several gateways sweeping at once, only the first finds the user and reports the transition.
// Returns the last-seen time when the user went offline here.
const EXPIRE_USER = new LuaScript(`${EXPIRE_STALE}
local now, ttl = tonumber(ARGV[2]), tonumber(ARGV[3])
local latest = redis.call('ZSCORE', KEYS[2], ARGV[1])
if not latest or now - tonumber(latest) <= ttl then return false end
if expireStale(now, ttl) > 0 then
  rescore()
  return false
end
redis.call('DEL', KEYS[1])
redis.call('ZREM', KEYS[2], ARGV[1])
return redis.call('HGET', KEYS[3], ARGV[1]) or int(now)
`);

/** Lua `false` arrives as null; times are sent back as decimal strings so no float formatting can round them. */
const optionalTime = z.union([z.null(), z.string().regex(/^-?\d+$/).transform(Number)]);
const flag = z.union([z.literal(0), z.literal(1)]);
const scoredMembers = z.array(z.string());

export class RedisPresenceTracker implements PresenceTracker {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly ttlMs: number;
  private readonly clock: Clock;
  private readonly sweepBatchSize: number;

  constructor(options: RedisPresenceTrackerOptions) {
    if (!(options.ttlMs > 0)) throw new RangeError(`presence TTL must be positive, got ${options.ttlMs}`);
    this.client = options.client;
    this.prefix = options.keyPrefix;
    this.ttlMs = options.ttlMs;
    this.clock = options.clock;
    this.sweepBatchSize = options.sweepBatchSize ?? 500;
  }

  async connect(userId: string, connectionId: string, now: number): Promise<PresenceTransition | undefined> {
    const broughtOnline = flag.parse(await CONNECT.run(this.client, this.keysOf(userId), [userId, now, this.ttlMs, connectionId]));
    return broughtOnline === 1 ? { userId, online: true, at: now } : undefined;
  }

  async heartbeat(userId: string, connectionId: string, now: number): Promise<void> {
    flag.parse(await HEARTBEAT.run(this.client, this.keysOf(userId), [userId, now, this.ttlMs, connectionId]));
  }

  async disconnect(userId: string, connectionId: string, now: number): Promise<PresenceTransition | undefined> {
    const at = optionalTime.parse(
      await DISCONNECT.run(this.client, this.keysOf(userId), [userId, now, this.ttlMs, connectionId]),
    );
    return at === null ? undefined : { userId, online: false, at };
  }

  async sweep(now: number): Promise<PresenceTransition[]> {
    const transitions: PresenceTransition[] = [];
    // Users whose latest heartbeat is older than the TTL, i.e. every connection of theirs expired. Candidates only:
    // each is re-checked atomically, and one another gateway expired first (or who heartbeated since) is skipped.
    // An expired or skipped user leaves the range, so each batch is read from the start again; `tried` ends the
    // loop should a user somehow stay in it.
    const tried = new Set<string>();
    for (;;) {
      const candidates = scoredMembers.parse(
        await this.client.zrangebyscore(this.onlineKey(), '-inf', `(${now - this.ttlMs}`, 'LIMIT', 0, this.sweepBatchSize),
      );
      const fresh = candidates.filter((userId) => !tried.has(userId));
      for (const userId of fresh) {
        tried.add(userId);
        const at = optionalTime.parse(await EXPIRE_USER.run(this.client, this.keysOf(userId), [userId, now, this.ttlMs]));
        if (at !== null) transitions.push({ userId, online: false, at });
      }
      if (candidates.length < this.sweepBatchSize || fresh.length === 0) return transitions;
    }
  }

  async get(userIds: readonly string[]): Promise<PresenceView[]> {
    if (userIds.length === 0) return [];
    const now = this.clock.now();
    const distinct = [...new Set(userIds)];
    // One transaction, so the answer is one moment's state even while other gateways write.
    const transaction = this.client.multi();
    for (const userId of distinct) transaction.zrange(this.connectionsKey(userId), '0', '-1', 'WITHSCORES');
    transaction.hmget(this.lastSeenKey(), ...distinct);
    const replies = z
      .array(z.tuple([z.null(), z.unknown()]))
      .parse(await transaction.exec())
      .map(([, reply]) => reply);
    const lastSeen = z.array(z.string().nullable()).parse(replies.at(-1));
    const views = new Map<string, PresenceView>();
    distinct.forEach((userId, index) => {
      const heartbeats = pairs(scoredMembers.parse(replies[index]));
      const live = heartbeats.filter((last) => now - last <= this.ttlMs);
      if (live.length > 0) {
        views.set(userId, { userId, online: true, lastSeenAt: isoTime(Math.max(...live)) });
        return;
      }
      const seen = Math.max(Number(lastSeen[index] ?? -Infinity), ...heartbeats);
      views.set(userId, { userId, online: false, lastSeenAt: Number.isFinite(seen) ? isoTime(seen) : null });
    });
    return userIds.map((userId) => views.get(userId) ?? { userId, online: false, lastSeenAt: null });
  }

  /** The client belongs to whoever made it (the composition root shares one between adapters). */
  async close(): Promise<void> {}

  private keysOf(userId: string): string[] {
    return [this.connectionsKey(userId), this.onlineKey(), this.lastSeenKey()];
  }

  private connectionsKey(userId: string): string {
    return `${this.prefix}connections:${userId}`;
  }

  private onlineKey(): string {
    return `${this.prefix}online`;
  }

  private lastSeenKey(): string {
    return `${this.prefix}last-seen`;
  }
}

/** ZRANGE … WITHSCORES answers member, score, member, score…; the scores are the heartbeats. */
function pairs(flat: string[]): number[] {
  const scores: number[] = [];
  for (let i = 1; i < flat.length; i += 2) scores.push(Number(flat[i]));
  return scores;
}

