// Analytics counters in process memory (embedded mode). Nothing is persisted: the projector rebuilds the
// counters from position zero on every start, which the bounded retention keeps cheap.

import type { RecordedEvent } from '../../events/envelope.js';
import { EMPTY_CHECKPOINT, advanceAll, covers, type Checkpoint } from '../../eventlog/checkpoint.js';
import {
  DAY_MS,
  HOUR_MS,
  MESSAGE_SIZE_BUCKETS,
  MINUTE_MS,
  analyticsUpdates,
  type AnalyticsUpdate,
  type EpochMillis,
  type Granularity,
  type MessageSizeBucket,
} from './analyticsProjection.js';
import {
  DEFAULT_ANALYTICS_RETENTION,
  type AnalyticsRetention,
  type AnalyticsStore,
  type DailyActiveUsers,
  type AssistantTokenTotal,
  type MessageSizeCount,
  type RoomMessageBucket,
  type RoomMessageTotal,
  type TimeRange,
} from './analyticsStore.js';

/** roomId → bucketStart → messages. */
type RoomBuckets = Map<string, Map<EpochMillis, number>>;

const SIZE_OF: Record<Granularity, number> = { minute: MINUTE_MS, hour: HOUR_MS };

export class MemoryAnalyticsStore implements AnalyticsStore {
  private readonly retention: AnalyticsRetention;
  private readonly rooms: Record<Granularity, RoomBuckets> = { minute: new Map(), hour: new Map() };
  private readonly senders = new Map<EpochMillis, Set<string>>();
  private readonly sizes = new Map<MessageSizeBucket, number>();
  private readonly assistantUsage = new Map<string, AssistantTokenTotal>();
  private applied: Checkpoint = EMPTY_CHECKPOINT;
  /** The newest occurredAt applied: retention is measured back from it. */
  private newest = -Infinity;
  /** Where the last prune cut; pruning again before the horizon moves a minute would find nothing worth it. */
  private prunedAt = -Infinity;

  constructor(options: { retention?: AnalyticsRetention } = {}) {
    this.retention = options.retention ?? DEFAULT_ANALYTICS_RETENTION;
  }

  async applyBatch(events: RecordedEvent[]): Promise<void> {
    const fresh = events.filter((event) => !covers(this.applied, event));
    if (fresh.length === 0) return;
    // Map everything before changing anything: an event the mapping refuses leaves the store as it was.
    const updates = fresh.flatMap(analyticsUpdates);
    const applied = advanceAll(this.applied, fresh);
    this.newest = fresh.reduce((newest, event) => Math.max(newest, event.metadata.occurredAt), this.newest);
    for (const update of updates) this.apply(update);
    this.applied = applied;
    if (this.newest - this.prunedAt >= MINUTE_MS) this.prune();
  }

  async checkpoint(): Promise<Checkpoint> {
    return this.applied;
  }

  async roomMessages(roomId: string, granularity: Granularity, range: TimeRange): Promise<RoomMessageBucket[]> {
    const buckets = this.rooms[granularity].get(roomId) ?? new Map<EpochMillis, number>();
    return [...buckets]
      .filter(([start]) => this.visible(start, granularity, range))
      .sort(([a], [b]) => a - b)
      .map(([bucketStart, messages]) => ({ bucketStart, messages }));
  }

  async activeUsers(range: TimeRange): Promise<DailyActiveUsers[]> {
    return [...this.senders]
      .filter(([start]) => this.dayKept(start) && overlaps(start, DAY_MS, range))
      .sort(([a], [b]) => a - b)
      .map(([dayStart, users]) => ({ dayStart, activeUsers: users.size }));
  }

  async topRooms(granularity: Granularity, range: TimeRange, limit: number): Promise<RoomMessageTotal[]> {
    const totals: RoomMessageTotal[] = [];
    for (const [roomId, buckets] of this.rooms[granularity]) {
      let messages = 0;
      for (const [start, count] of buckets) if (this.visible(start, granularity, range)) messages += count;
      if (messages > 0) totals.push({ roomId, messages });
    }
    totals.sort((a, b) => b.messages - a.messages || (a.roomId < b.roomId ? -1 : a.roomId > b.roomId ? 1 : 0));
    return totals.slice(0, Math.max(0, limit));
  }

  async messageSizes(): Promise<MessageSizeCount[]> {
    return MESSAGE_SIZE_BUCKETS.map(({ bucket }) => ({ bucket, messages: this.sizes.get(bucket) ?? 0 }));
  }

  async assistantTokens(): Promise<AssistantTokenTotal[]> {
    return [...this.assistantUsage.values()]
      .map((total) => ({ ...total }))
      .sort((a, b) => compare(a.assistantId, b.assistantId) || compare(a.model, b.model));
  }

  async close(): Promise<void> {
    this.assistantUsage.clear();
    this.rooms.minute.clear();
    this.rooms.hour.clear();
    this.senders.clear();
    this.sizes.clear();
  }

  private apply(update: AnalyticsUpdate): void {
    switch (update.op) {
      case 'roomMessageCounted': {
        if (!this.bucketKept(update.bucketStart, update.granularity)) return;
        const rooms = this.rooms[update.granularity];
        const buckets = rooms.get(update.roomId) ?? new Map<EpochMillis, number>();
        buckets.set(update.bucketStart, (buckets.get(update.bucketStart) ?? 0) + 1);
        rooms.set(update.roomId, buckets);
        return;
      }
      case 'senderActive': {
        if (!this.dayKept(update.dayStart)) return;
        const users = this.senders.get(update.dayStart) ?? new Set<string>();
        users.add(update.userId);
        this.senders.set(update.dayStart, users);
        return;
      }
      case 'messageSized':
        this.sizes.set(update.bucket, (this.sizes.get(update.bucket) ?? 0) + 1);
        return;
      case 'assistantTokensUsed': {
        const key = `${update.assistantId}\u0000${update.model}`;
        const total = this.assistantUsage.get(key) ?? { assistantId: update.assistantId, model: update.model, answers: 0, promptTokens: 0, completionTokens: 0 };
        total.answers += 1;
        total.promptTokens += update.promptTokens;
        total.completionTokens += update.completionTokens;
        this.assistantUsage.set(key, total);
        return;
      }
      default: {
        const unknown: never = update;
        throw new Error(`MemoryAnalyticsStore: unhandled update ${JSON.stringify(unknown)}`);
      }
    }
  }

  /** Drops what retention no longer keeps; queries already hide it, this only frees the memory. */
  private prune(): void {
    this.prunedAt = this.newest;
    for (const granularity of ['minute', 'hour'] as const) {
      for (const [roomId, buckets] of this.rooms[granularity]) {
        for (const start of buckets.keys()) if (!this.bucketKept(start, granularity)) buckets.delete(start);
        if (buckets.size === 0) this.rooms[granularity].delete(roomId);
      }
    }
    for (const start of this.senders.keys()) if (!this.dayKept(start)) this.senders.delete(start);
  }

  private bucketKept(start: EpochMillis, granularity: Granularity): boolean {
    const keep = granularity === 'minute' ? this.retention.minuteBucketsMs : this.retention.hourBucketsMs;
    return start + SIZE_OF[granularity] > this.newest - keep;
  }

  private dayKept(start: EpochMillis): boolean {
    return start + DAY_MS > this.newest - this.retention.activeUserDaysMs;
  }

  private visible(start: EpochMillis, granularity: Granularity, range: TimeRange): boolean {
    return this.bucketKept(start, granularity) && overlaps(start, SIZE_OF[granularity], range);
  }
}

function overlaps(start: EpochMillis, size: number, range: TimeRange): boolean {
  return start + size > range.from && start <= range.to;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
