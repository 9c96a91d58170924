// Analytics counters in Redis (distributed mode): they survive restarts and every api process reads the same
// ones. A batch is one Lua script: it reads the checkpoint, skips what it covers, moves the counters and stores the
// advanced checkpoint, all atomically, so a re-delivered batch (or a second projector instance) never counts twice.
//
// Keys under the prefix:
//   checkpoint                 hash   partition → last position applied
//   meta                       hash   newest (occurredAt retention is measured from), prunedAt
//   room:<g>:<roomId>          hash   bucketStart → messages        (g: minute | hour)
//   bucket:<g>:<bucketStart>   zset   roomId → messages             (top rooms, and which rooms a prune touches)
//   buckets:<g>                zset   bucketStart, scored by itself (the buckets that exist, by time)
//   day:<dayStart>             set    userIds active that UTC day
//   days                       zset   dayStart, scored by itself
//   sizes                      hash   size bucket → messages (never pruned)
//   assistant-tokens           hash   <assistantId> NUL <model> NUL answers|prompt|completion → count (never pruned)
// The scripts name most keys themselves (from the prefix in ARGV) because which rooms and buckets a batch touches
// is only known inside; that is fine on a single Redis (or Sentinel), not on Redis Cluster.

import type { Redis } from 'ioredis';
import { z } from 'zod';
import { ChatError, UnavailableError } from '../../domain/errors.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { checkpointFromEntries, type Checkpoint } from '../../eventlog/checkpoint.js';
import { LuaScript } from '../../redis/luaScript.js';
import {
  HOUR_MS,
  MESSAGE_SIZE_BUCKETS,
  MINUTE_MS,
  analyticsUpdates,
  type AnalyticsUpdate,
  type EpochMillis,
  type Granularity,
} from './analyticsProjection.js';
import {
  DEFAULT_ANALYTICS_RETENTION,
  type AnalyticsRetention,
  type AnalyticsStore,
  type AssistantTokenTotal,
  type DailyActiveUsers,
  type MessageSizeCount,
  type RoomMessageBucket,
  type RoomMessageTotal,
  type TimeRange,
} from './analyticsStore.js';

export interface RedisAnalyticsStoreOptions {
  client: Redis;
  /** Prepended to every key, so several deployments (or test runs, or a rebuild beside the live store) share a Redis. */
  keyPrefix: string;
  retention?: AnalyticsRetention;
}

const SIZE_OF: Record<Granularity, number> = { minute: MINUTE_MS, hour: HOUR_MS };

/** One counter update as the script reads it: compact, with times as decimal strings so no float formatting rounds them. */
type EncodedUpdate = ['r', string, Granularity, string] | ['a', string, string] | ['s', string] | ['t', string, string, string, string];

// ARGV: 1 prefix, 2 JSON {events: [{p, pos, at, u: EncodedUpdate[]}], keep: {minute, hour, day}}.
// Mirrors MemoryAnalyticsStore.applyBatch: events the stored checkpoint covers are dropped, newest moves over the
// fresh ones first, then each update is applied if retention still keeps its bucket, then the checkpoint advances.
const APPLY_BATCH = new LuaScript(`
local P = ARGV[1]
local batch = cjson.decode(ARGV[2])
local MINUTE, HOUR, DAY = 60000, 3600000, 86400000
local function int(n) return string.format('%d', n) end
local cp = {}
local function covered(p, pos)
  local key = tostring(p)
  if cp[key] == nil then cp[key] = tonumber(redis.call('HGET', P .. 'checkpoint', key) or '0') end
  return pos <= cp[key]
end
local fresh = {}
for _, e in ipairs(batch.events) do
  if not covered(e.p, e.pos) then table.insert(fresh, e) end
end
if #fresh == 0 then return 0 end
local stored = redis.call('HGET', P .. 'meta', 'newest')
local newest = stored and tonumber(stored) or nil
local advanced = {}
for _, e in ipairs(fresh) do
  if newest == nil or e.at > newest then newest = e.at end
  local key = tostring(e.p)
  if advanced[key] == nil or e.pos > advanced[key] then advanced[key] = e.pos end
end
local size = { minute = MINUTE, hour = HOUR }
local keep = { minute = batch.keep.minute, hour = batch.keep.hour }
for _, e in ipairs(fresh) do
  for _, u in ipairs(e.u) do
    if u[1] == 'r' then
      local g, start = u[3], tonumber(u[4])
      if start + size[g] > newest - keep[g] then
        redis.call('HINCRBY', P .. 'room:' .. g .. ':' .. u[2], u[4], 1)
        redis.call('ZINCRBY', P .. 'bucket:' .. g .. ':' .. u[4], 1, u[2])
        redis.call('ZADD', P .. 'buckets:' .. g, u[4], u[4])
      end
    elseif u[1] == 'a' then
      if tonumber(u[3]) + DAY > newest - batch.keep.day then
        redis.call('SADD', P .. 'day:' .. u[3], u[2])
        redis.call('ZADD', P .. 'days', u[3], u[3])
      end
    elseif u[1] == 's' then
      redis.call('HINCRBY', P .. 'sizes', u[2], 1)
    elseif u[1] == 't' then
      local who = u[2] .. '\0' .. u[3] .. '\0'
      redis.call('HINCRBY', P .. 'assistant-tokens', who .. 'answers', 1)
      redis.call('HINCRBY', P .. 'assistant-tokens', who .. 'prompt', u[4])
      redis.call('HINCRBY', P .. 'assistant-tokens', who .. 'completion', u[5])
    else
      return redis.error_reply('unknown analytics update ' .. tostring(u[1]))
    end
  end
end
for key, pos in pairs(advanced) do
  if pos > cp[key] then redis.call('HSET', P .. 'checkpoint', key, int(pos)) end
end
redis.call('HSET', P .. 'meta', 'newest', int(newest))
-- Pruning only frees memory (queries hide what retention drops); doing it once the horizon moved a minute keeps
-- a batch cheap.
local prunedAt = tonumber(redis.call('HGET', P .. 'meta', 'prunedAt') or '-1e300')
if newest - prunedAt >= MINUTE then
  redis.call('HSET', P .. 'meta', 'prunedAt', int(newest))
  for g, s in pairs(size) do
    local cutoff = int(newest - keep[g] - s)
    for _, b in ipairs(redis.call('ZRANGEBYSCORE', P .. 'buckets:' .. g, '-inf', cutoff)) do
      for _, roomId in ipairs(redis.call('ZRANGE', P .. 'bucket:' .. g .. ':' .. b, 0, -1)) do
        redis.call('HDEL', P .. 'room:' .. g .. ':' .. roomId, b)
      end
      redis.call('DEL', P .. 'bucket:' .. g .. ':' .. b)
    end
    redis.call('ZREMRANGEBYSCORE', P .. 'buckets:' .. g, '-inf', cutoff)
  end
  local dayCutoff = int(newest - batch.keep.day - DAY)
  for _, d in ipairs(redis.call('ZRANGEBYSCORE', P .. 'days', '-inf', dayCutoff)) do
    redis.call('DEL', P .. 'day:' .. d)
  end
  redis.call('ZREMRANGEBYSCORE', P .. 'days', '-inf', dayCutoff)
end
return #fresh
`);

// Rooms by messages over the buckets of one granularity that overlap [from, to] and retention still keeps.
// ARGV: 1 prefix, 2 granularity, 3 bucket size, 4 retention, 5 from, 6 to. Returns roomId, total, roomId, total…
const TOP_ROOMS = new LuaScript(`
local P, g = ARGV[1], ARGV[2]
local size, keep, from, to = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])
local stored = redis.call('HGET', P .. 'meta', 'newest')
if not stored then return {} end
local lower = math.max(from - size, tonumber(stored) - keep - size)
local totals, order = {}, {}
for _, b in ipairs(redis.call('ZRANGEBYSCORE', P .. 'buckets:' .. g, '(' .. string.format('%d', lower), string.format('%d', to))) do
  local counts = redis.call('ZRANGE', P .. 'bucket:' .. g .. ':' .. b, 0, -1, 'WITHSCORES')
  for i = 1, #counts, 2 do
    local roomId = counts[i]
    if totals[roomId] == nil then
      totals[roomId] = 0
      table.insert(order, roomId)
    end
    totals[roomId] = totals[roomId] + tonumber(counts[i + 1])
  end
end
local reply = {}
for _, roomId in ipairs(order) do
  table.insert(reply, roomId)
  table.insert(reply, string.format('%d', totals[roomId]))
end
return reply
`);

// Days overlapping [from, to] that retention keeps, with their distinct senders.
// ARGV: 1 prefix, 2 retention, 3 from, 4 to. Returns dayStart, count, dayStart, count… oldest first.
const ACTIVE_USERS = new LuaScript(`
local P = ARGV[1]
local keep, from, to = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4])
local DAY = 86400000
local stored = redis.call('HGET', P .. 'meta', 'newest')
if not stored then return {} end
local lower = math.max(from - DAY, tonumber(stored) - keep - DAY)
local reply = {}
for _, d in ipairs(redis.call('ZRANGEBYSCORE', P .. 'days', '(' .. string.format('%d', lower), string.format('%d', to))) do
  table.insert(reply, d)
  table.insert(reply, string.format('%d', redis.call('SCARD', P .. 'day:' .. d)))
end
return reply
`);

const flatPairs = z
  .array(z.string())
  .refine((flat) => flat.length % 2 === 0, 'expected name/value pairs')
  .transform((flat) => {
    const pairs: Array<[string, number]> = [];
    for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i] ?? '', Number(flat[i + 1])]);
    return pairs;
  });
const integerText = z.string().regex(/^-?\d+$/).transform(Number);
const counters = z.record(z.string(), integerText);

export class RedisAnalyticsStore implements AnalyticsStore {
  private readonly client: Redis;
  private readonly prefix: string;
  private readonly retention: AnalyticsRetention;

  constructor(options: RedisAnalyticsStoreOptions) {
    this.client = options.client;
    this.prefix = options.keyPrefix;
    this.retention = options.retention ?? DEFAULT_ANALYTICS_RETENTION;
  }

  async applyBatch(events: RecordedEvent[]): Promise<void> {
    if (events.length === 0) return;
    // Map everything before sending anything: an event the mapping refuses leaves the store as it was.
    const encoded = events.map((event) => ({
      p: event.partition,
      pos: event.position,
      at: event.metadata.occurredAt,
      u: analyticsUpdates(event).map(encodeUpdate),
    }));
    const keep = { minute: this.retention.minuteBucketsMs, hour: this.retention.hourBucketsMs, day: this.retention.activeUserDaysMs };
    await APPLY_BATCH.run(this.client, [], [this.prefix, JSON.stringify({ events: encoded, keep })]);
  }

  async checkpoint(): Promise<Checkpoint> {
    const stored = counters.parse(await this.client.hgetall(this.key('checkpoint')));
    return checkpointFromEntries(Object.entries(stored).map(([partition, position]): [number, number] => [Number(partition), position]));
  }

  roomMessages(roomId: string, granularity: Granularity, range: TimeRange): Promise<RoomMessageBucket[]> {
    return this.guard(() => this.readRoomMessages(roomId, granularity, range));
  }

  activeUsers(range: TimeRange): Promise<DailyActiveUsers[]> {
    return this.guard(async () => {
      const reply = await ACTIVE_USERS.run(this.client, [], [this.prefix, this.retention.activeUserDaysMs, int(range.from), int(range.to)]);
      return flatPairs.parse(reply).map(([dayStart, activeUsers]) => ({ dayStart: Number(dayStart), activeUsers }));
    });
  }

  topRooms(granularity: Granularity, range: TimeRange, limit: number): Promise<RoomMessageTotal[]> {
    return this.guard(() => this.readTopRooms(granularity, range, limit));
  }

  messageSizes(): Promise<MessageSizeCount[]> {
    return this.guard(async () => {
      const sizes = counters.parse(await this.client.hgetall(this.key('sizes')));
      return MESSAGE_SIZE_BUCKETS.map(({ bucket }) => ({ bucket, messages: sizes[bucket] ?? 0 }));
    });
  }

  /** The counters stay in Redis (that is the point); the client belongs to whoever made it. */
  async assistantTokens(): Promise<AssistantTokenTotal[]> {
    return this.guard(async () => {
      const fields = counters.parse(await this.client.hgetall(this.key('assistant-tokens')));
      const totals = new Map<string, AssistantTokenTotal>();
      for (const [field, count] of Object.entries(fields)) {
        const [assistantId = '', model = '', kind] = field.split('\u0000');
        const key = `${assistantId}\u0000${model}`;
        const total = totals.get(key) ?? { assistantId, model, answers: 0, promptTokens: 0, completionTokens: 0 };
        if (kind === 'answers') total.answers = count;
        else if (kind === 'prompt') total.promptTokens = count;
        else if (kind === 'completion') total.completionTokens = count;
        totals.set(key, total);
      }
      return [...totals.values()].sort((a, b) => (a.assistantId === b.assistantId ? (a.model < b.model ? -1 : 1) : a.assistantId < b.assistantId ? -1 : 1));
    });
  }

  async close(): Promise<void> {}

  private async readRoomMessages(roomId: string, granularity: Granularity, range: TimeRange): Promise<RoomMessageBucket[]> {
    // One transaction: the buckets and the retention horizon they are judged by come from the same moment.
    const [newest, buckets] = await this.transaction((multi) =>
      multi.hget(this.key('meta'), 'newest').hgetall(this.key(`room:${granularity}:${roomId}`)),
    );
    const horizon = z.string().nullable().parse(newest);
    if (horizon === null) return [];
    const keep = granularity === 'minute' ? this.retention.minuteBucketsMs : this.retention.hourBucketsMs;
    const size = SIZE_OF[granularity];
    return Object.entries(counters.parse(buckets))
      .map(([start, messages]) => ({ bucketStart: Number(start), messages }))
      .filter(({ bucketStart }) => bucketStart + size > Number(horizon) - keep && overlaps(bucketStart, size, range))
      .sort((a, b) => a.bucketStart - b.bucketStart);
  }

  private async readTopRooms(granularity: Granularity, range: TimeRange, limit: number): Promise<RoomMessageTotal[]> {
    const keep = granularity === 'minute' ? this.retention.minuteBucketsMs : this.retention.hourBucketsMs;
    const reply = await TOP_ROOMS.run(
      this.client,
      [],
      [this.prefix, granularity, SIZE_OF[granularity], keep, int(range.from), int(range.to)],
    );
    return flatPairs
      .parse(reply)
      .filter(([, messages]) => messages > 0)
      .map(([roomId, messages]) => ({ roomId, messages }))
      .sort((a, b) => b.messages - a.messages || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0))
      .slice(0, Math.max(0, limit));
  }

  /** A Redis failure on a read is 503 UNAVAILABLE for the analyst; a reply of the wrong shape stays a bug (500). */
  private async guard<T>(read: () => Promise<T>): Promise<T> {
    try {
      return await read();
    } catch (error) {
      if (error instanceof ChatError || error instanceof z.ZodError) throw error;
      throw new UnavailableError('analytics are unavailable right now', undefined, { cause: error });
    }
  }

  private key(name: string): string {
    return `${this.prefix}${name}`;
  }

  /** Runs a MULTI/EXEC and returns each command's reply, failing on the first command that failed. */
  private async transaction(build: (multi: ReturnType<Redis['multi']>) => ReturnType<Redis['multi']>): Promise<unknown[]> {
    const results = z.array(z.tuple([z.null(), z.unknown()])).parse(await build(this.client.multi()).exec());
    return results.map(([, reply]) => reply);
  }
}

function encodeUpdate(update: AnalyticsUpdate): EncodedUpdate {
  switch (update.op) {
    case 'roomMessageCounted':
      return ['r', update.roomId, update.granularity, int(update.bucketStart)];
    case 'senderActive':
      return ['a', update.userId, int(update.dayStart)];
    case 'messageSized':
      return ['s', update.bucket];
    case 'assistantTokensUsed':
      return ['t', update.assistantId, update.model, int(update.promptTokens), int(update.completionTokens)];
    default: {
      const unknown: never = update;
      throw new Error(`RedisAnalyticsStore: unhandled update ${JSON.stringify(unknown)}`);
    }
  }
}

/** Epoch milliseconds as an integer string (times in this store are whole milliseconds). */
function int(ms: EpochMillis): string {
  return String(Math.trunc(ms));
}

function overlaps(start: EpochMillis, size: number, range: TimeRange): boolean {
  return start + size > range.from && start <= range.to;
}
