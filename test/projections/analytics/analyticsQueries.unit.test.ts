import { beforeEach, describe, expect, it } from 'vitest';

import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../src/projections/analytics/analyticsProjection.js';
import { AnalyticsQueries } from '../../../src/projections/analytics/analyticsQueries.js';
import { MemoryAnalyticsStore } from '../../../src/projections/analytics/memoryAnalyticsStore.js';
import type { AccessPrincipal } from '../../../src/auth/accessTokens.js';
import type { UserRole } from '../../../src/events/chatEvents.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

/** 12:30:30 UTC: inside a minute, an hour and a day, so every window edge is visible. */
const NOW = Date.UTC(2025, 0, 10, 12, 30, 30);
const iso = (ms: number): string => new Date(ms).toISOString();

const as = (role: UserRole): AccessPrincipal => ({ userId: `u-${role}`, role, jti: 'j', familyId: 'f', expiresAt: 0, issuedAt: 0 });

describe('AnalyticsQueries', () => {
  let queries: AnalyticsQueries;
  let log: RecordedEventLog;
  let store: MemoryAnalyticsStore;

  beforeEach(() => {
    store = new MemoryAnalyticsStore();
    queries = new AnalyticsQueries(store, { now: () => NOW });
    log = new RecordedEventLog({ startAt: NOW - 10 * DAY_MS });
    log.createRoom('r-1', 'One', 'public', 'u-alice');
    log.createRoom('r-2', 'Two', 'public', 'u-alice');
  });

  const project = () => store.applyBatch(log.events);

  it.each(['user', 'auditor'] as const)('refuses the %s role with FORBIDDEN', async (role) => {
    await expect(queries.messageSizes(as(role))).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(queries.topRooms(as(role), { window: 'day', limit: 5 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(queries.activeUsers(as(role), { days: 7 })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(queries.roomMessages(as(role), 'r-1', { granularity: 'hour' })).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
  });

  it.each(['analyst', 'admin'] as const)('answers the %s role', async (role) => {
    await expect(queries.messageSizes(as(role))).resolves.toMatchObject({ total: 0 });
  });

  it("defaults a room's minute series to the current minute and the 59 before it", async () => {
    log.send('r-1', 'u-alice', 'too old', { at: NOW - HOUR_MS });
    log.send('r-1', 'u-alice', 'first in', { at: NOW - 59 * MINUTE_MS - 30_000 });
    log.send('r-1', 'u-alice', 'now', { at: NOW });
    await project();
    const series = await queries.roomMessages(as('analyst'), 'r-1', { granularity: 'minute' });
    expect(series).toEqual({
      roomId: 'r-1',
      granularity: 'minute',
      from: iso(Date.UTC(2025, 0, 10, 11, 31)),
      to: iso(NOW),
      total: 2,
      buckets: [
        { start: iso(Date.UTC(2025, 0, 10, 11, 31)), messages: 1 },
        { start: iso(Date.UTC(2025, 0, 10, 12, 30)), messages: 1 },
      ],
    });
  });

  it('honours an explicit range', async () => {
    log.send('r-1', 'u-alice', 'a', { at: NOW - 3 * HOUR_MS });
    log.send('r-1', 'u-alice', 'b', { at: NOW });
    await project();
    const series = await queries.roomMessages(as('admin'), 'r-1', {
      granularity: 'hour',
      from: NOW - 4 * HOUR_MS,
      to: NOW - 2 * HOUR_MS,
    });
    expect(series.buckets).toEqual([{ start: iso(Date.UTC(2025, 0, 10, 9)), messages: 1 }]);
  });

  it('lists active users for each of the last N days, quiet days as 0', async () => {
    log.send('r-1', 'u-alice', 'a', { at: NOW - 2 * DAY_MS });
    log.send('r-1', 'u-bob', 'b', { at: NOW });
    log.send('r-2', 'u-alice', 'c', { at: NOW });
    await project();
    expect(await queries.activeUsers(as('analyst'), { days: 3 })).toEqual({
      days: [
        { day: '2025-01-08', activeUsers: 1 },
        { day: '2025-01-09', activeUsers: 0 },
        { day: '2025-01-10', activeUsers: 2 },
      ],
    });
  });

  it('ranks rooms over the window that ends now', async () => {
    log.send('r-1', 'u-alice', 'old', { at: NOW - 2 * DAY_MS });
    log.send('r-1', 'u-alice', 'old', { at: NOW - 2 * DAY_MS });
    log.send('r-2', 'u-alice', 'today', { at: NOW - 23 * HOUR_MS });
    await project();
    expect((await queries.topRooms(as('analyst'), { window: 'day', limit: 10 })).rooms).toEqual([
      { roomId: 'r-2', messages: 1 },
    ]);
    const week = await queries.topRooms(as('analyst'), { window: 'week', limit: 10 });
    expect(week.rooms).toEqual([
      { roomId: 'r-1', messages: 2 },
      { roomId: 'r-2', messages: 1 },
    ]);
    expect(week.from).toBe(iso(Date.UTC(2025, 0, 3, 13)));
    expect((await queries.topRooms(as('analyst'), { window: 'hour', limit: 10 })).rooms).toEqual([]);
  });

  it('describes each size bucket with its bounds', async () => {
    log.send('r-1', 'u-alice', 'x'.repeat(42), { at: NOW });
    await project();
    const sizes = await queries.messageSizes(as('admin'));
    expect(sizes.total).toBe(1);
    expect(sizes.buckets[1]).toEqual({ bucket: '11-50', min: 11, max: 50, messages: 1 });
    expect(sizes.buckets.at(-1)).toEqual({ bucket: '1001+', min: 1001, max: null, messages: 0 });
  });
});
