// The analytics read model's port: counters the analytics projector writes and the analytics API reads.
// Every adapter (memory embedded, Redis distributed) passes test/projections/analytics/analyticsStoreContract.ts.

import type { ProjectionStore } from '../projector.js';
import { DAY_MS, HOUR_MS, type EpochMillis, type Granularity, type MessageSizeBucket } from './analyticsProjection.js';

export interface RoomMessageBucket {
  bucketStart: EpochMillis;
  messages: number;
}

export interface DailyActiveUsers {
  dayStart: EpochMillis;
  /** Distinct senders that UTC day. */
  activeUsers: number;
}

export interface RoomMessageTotal {
  roomId: string;
  messages: number;
}

export interface MessageSizeCount {
  bucket: MessageSizeBucket;
  messages: number;
}

/** What an assistant's answers used with one model (issue #19), since the store was built. */
export interface AssistantTokenTotal {
  assistantId: string;
  model: string;
  answers: number;
  promptTokens: number;
  completionTokens: number;
}

/** Both ends inclusive: a bucket counts when any part of it lies in [from, to]. */
export interface TimeRange {
  from: EpochMillis;
  to: EpochMillis;
}

/**
 * How much history the store keeps, measured back from the newest event it has applied (event time, not the
 * wall clock: a rebuild from position zero ends in the same state, and a quiet log is not emptied).
 */
export interface AnalyticsRetention {
  minuteBucketsMs: number;
  hourBucketsMs: number;
  activeUserDaysMs: number;
}

export const DEFAULT_ANALYTICS_RETENTION: AnalyticsRetention = {
  minuteBucketsMs: 48 * HOUR_MS,
  hourBucketsMs: 90 * DAY_MS,
  activeUserDaysMs: 90 * DAY_MS,
};

/** Writes come from the analytics projector through ProjectionStore (applyBatch, checkpoint). */
export interface AnalyticsStore extends ProjectionStore {
  /** The room's non-empty buckets of that granularity in the range, oldest first. */
  roomMessages(roomId: string, granularity: Granularity, range: TimeRange): Promise<RoomMessageBucket[]>;
  /** Days in the range that had at least one sender, oldest first. */
  activeUsers(range: TimeRange): Promise<DailyActiveUsers[]>;
  /** Rooms by messages in the range (summed over buckets of that granularity), most first, ties by roomId. */
  topRooms(granularity: Granularity, range: TimeRange, limit: number): Promise<RoomMessageTotal[]>;
  /** Every size bucket in order, empty ones included; counts every message ever applied (no retention). */
  messageSizes(): Promise<MessageSizeCount[]>;
  /** Tokens of assistants' answers per assistant and model, by assistant id then model; never pruned. */
  assistantTokens(): Promise<AssistantTokenTotal[]>;
  close(): Promise<void>;
}
