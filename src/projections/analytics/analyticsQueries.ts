// The analytics read side: who may look (analysts and admins), and how the API's windows become time ranges of
// the store. Responses carry ISO times; the store keeps epoch milliseconds.

import type { AccessPrincipal } from '../../auth/accessTokens.js';
import { ForbiddenError } from '../../domain/errors.js';
import type { Clock } from '../../support/clock.js';
import { DAY_MS, HOUR_MS, MINUTE_MS, MESSAGE_SIZE_BUCKETS, bucketStart, dayStart, type Granularity } from './analyticsProjection.js';
import type { AnalyticsStore } from './analyticsStore.js';
import { isoTime } from '../../support/isoTime.js';

export type TopRoomsWindow = 'hour' | 'day' | 'week';

/** The default span of a room's series: the last hour of minutes, or the last day of hours. */
const DEFAULT_SPAN: Record<Granularity, number> = { minute: HOUR_MS, hour: DAY_MS };


export class AnalyticsQueries {
  constructor(
    private readonly store: AnalyticsStore,
    private readonly clock: Clock,
  ) {}

  /** A room's non-empty buckets; without from/to, the current bucket and those of the default span before it. */
  async roomMessages(
    principal: AccessPrincipal,
    roomId: string,
    options: { granularity: Granularity; from?: number; to?: number },
  ) {
    allowed(principal);
    const to = options.to ?? this.clock.now();
    const from = options.from ?? bucketStart(to, options.granularity) - DEFAULT_SPAN[options.granularity] + sizeOf(options.granularity);
    const buckets = await this.store.roomMessages(roomId, options.granularity, { from, to });
    return {
      roomId,
      granularity: options.granularity,
      from: isoTime(from),
      to: isoTime(to),
      total: buckets.reduce((sum, bucket) => sum + bucket.messages, 0),
      buckets: buckets.map((bucket) => ({ start: isoTime(bucket.bucketStart), messages: bucket.messages })),
    };
  }

  /** Distinct senders per UTC day for today and the `days - 1` days before it, quiet days included as 0. */
  async activeUsers(principal: AccessPrincipal, options: { days: number }) {
    allowed(principal);
    const now = this.clock.now();
    const first = dayStart(now) - (options.days - 1) * DAY_MS;
    const counted = new Map(
      (await this.store.activeUsers({ from: first, to: now })).map((day) => [day.dayStart, day.activeUsers]),
    );
    const days = [];
    for (let start = first; start <= now; start += DAY_MS) {
      days.push({ day: isoTime(start).slice(0, 10), activeUsers: counted.get(start) ?? 0 });
    }
    return { days };
  }

  /**
   * Rooms by messages in a window that ends now: `hour` is the current minute and the 59 before it, `day` the
   * current hour and the 23 before, `week` the current hour and the 167 before.
   */
  async topRooms(principal: AccessPrincipal, options: { window: TopRoomsWindow; limit: number }) {
    allowed(principal);
    const to = this.clock.now();
    const { granularity, span } = windowOf(options.window);
    const from = bucketStart(to, granularity) - span + sizeOf(granularity);
    const rooms = await this.store.topRooms(granularity, { from, to }, options.limit);
    return { window: options.window, from: isoTime(from), to: isoTime(to), rooms };
  }

  /** Every message ever sent, by text length in code points. */
  async messageSizes(principal: AccessPrincipal) {
    allowed(principal);
    const counts = new Map((await this.store.messageSizes()).map((size) => [size.bucket, size.messages]));
    const buckets = MESSAGE_SIZE_BUCKETS.map((range) => ({
      bucket: range.bucket,
      min: range.min,
      max: range.max,
      messages: counts.get(range.bucket) ?? 0,
    }));
    return { total: buckets.reduce((sum, bucket) => sum + bucket.messages, 0), buckets };
  }

  /** Tokens used by assistants' answers (issue #19), per assistant and model, since the store was built. */
  async assistantTokens(principal: AccessPrincipal) {
    allowed(principal);
    const assistants = await this.store.assistantTokens();
    const totalTokens = assistants.reduce((sum, row) => sum + row.promptTokens + row.completionTokens, 0);
    return { totalTokens, assistants };
  }
}

function allowed(principal: AccessPrincipal): void {
  if (principal.role === 'analyst' || principal.role === 'admin') return;
  throw new ForbiddenError('FORBIDDEN', 'analytics are for analysts and admins', { role: principal.role });
}

function sizeOf(granularity: Granularity): number {
  return granularity === 'minute' ? MINUTE_MS : HOUR_MS;
}

function windowOf(window: TopRoomsWindow): { granularity: Granularity; span: number } {
  switch (window) {
    case 'hour':
      return { granularity: 'minute', span: HOUR_MS };
    case 'day':
      return { granularity: 'hour', span: DAY_MS };
    case 'week':
      return { granularity: 'hour', span: 7 * DAY_MS };
    default: {
      const unknown: never = window;
      throw new Error(`unknown window ${String(unknown)}`);
    }
  }
}
