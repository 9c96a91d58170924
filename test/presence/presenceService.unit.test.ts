import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { MemoryPresenceTracker } from '../../src/presence/memoryPresenceTracker.js';
import { PresenceService } from '../../src/presence/presenceService.js';
import type { PresenceTransition } from '../../src/presence/presenceTracker.js';

const TTL = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

describe('PresenceService', () => {
  let service: PresenceService;
  let heard: PresenceTransition[];

  beforeEach(() => {
    // Fake timers drive both the sweeper's interval and Date.now(), which the service reads as its clock.
    vi.useFakeTimers({ now: T0 });
    const clock = { now: () => Date.now() };
    service = new PresenceService({ tracker: new MemoryPresenceTracker({ ttlMs: TTL, clock }), clock, ttlMs: TTL });
    heard = [];
    service.onTransition((transition) => {
      heard.push(transition);
    });
  });

  afterEach(async () => {
    await service.stop();
    vi.useRealTimers();
  });

  it('announces connect and close of the only connection, with the clock time', async () => {
    await service.connect('u-alice', 'c-1');
    vi.setSystemTime(T0 + 5000);
    await service.disconnect('u-alice', 'c-1');
    expect(heard).toEqual([
      { userId: 'u-alice', online: true, at: T0 },
      { userId: 'u-alice', online: false, at: T0 + 5000 },
    ]);
  });

  it('announces nothing for a second connection or a heartbeat', async () => {
    await service.connect('u-alice', 'c-1');
    await service.connect('u-alice', 'c-2');
    await service.heartbeat('u-alice', 'c-1');
    await service.disconnect('u-alice', 'c-2');
    expect(heard).toEqual([{ userId: 'u-alice', online: true, at: T0 }]);
  });

  it('sweeps every half TTL and announces connections that stopped heartbeating', async () => {
    service.startSweeper();
    await service.connect('u-alice', 'c-1');
    await service.connect('u-bob', 'c-2');
    // Bob answers every ping (30 s); Alice never does.
    for (let tick = 0; tick < 4; tick += 1) {
      await vi.advanceTimersByTimeAsync(TTL / 2);
      await service.heartbeat('u-bob', 'c-2');
    }
    const offline = heard.filter((transition) => !transition.online);
    expect(offline).toEqual([{ userId: 'u-alice', online: false, at: T0 }]);
    expect(await service.get(['u-alice', 'u-bob'])).toMatchObject([{ online: false }, { online: true }]);
  });

  it('stops sweeping after stop()', async () => {
    service.startSweeper();
    await service.connect('u-alice', 'c-1');
    await service.stop();
    await vi.advanceTimersByTimeAsync(3 * TTL);
    expect(heard.filter((transition) => !transition.online)).toEqual([]);
  });

  it('keeps telling other listeners when one throws or rejects, and stops telling one that unsubscribed', async () => {
    const later: PresenceTransition[] = [];
    service.onTransition(() => {
      throw new Error('broken listener');
    });
    service.onTransition(() => Promise.reject(new Error('broken async listener')));
    const unsubscribe = service.onTransition((transition) => {
      later.push(transition);
    });
    await service.connect('u-alice', 'c-1');
    unsubscribe();
    await service.disconnect('u-alice', 'c-1');
    expect(heard).toHaveLength(2);
    expect(later).toEqual([{ userId: 'u-alice', online: true, at: T0 }]);
  });

  it('runs one sweep at a time', async () => {
    await service.connect('u-alice', 'c-1');
    vi.setSystemTime(T0 + TTL + 1);
    const [first, second] = await Promise.all([service.sweep(), service.sweep()]);
    expect(first).toEqual([{ userId: 'u-alice', online: false, at: T0 }]);
    expect(second).toBe(first);
    expect(heard.filter((transition) => !transition.online)).toHaveLength(1);
  });
});

describe('PresenceService over a tracker that fails (the Redis tracker while Redis is down)', () => {
  /** The memory tracker, switched off and on by the test: every call rejects while `down`. */
  class FlakyTracker extends MemoryPresenceTracker {
    down = false;
    override connect(...args: Parameters<MemoryPresenceTracker['connect']>) {
      return this.down ? Promise.reject(new Error('tracker down')) : super.connect(...args);
    }
    override heartbeat(...args: Parameters<MemoryPresenceTracker['heartbeat']>) {
      return this.down ? Promise.reject(new Error('tracker down')) : super.heartbeat(...args);
    }
    override disconnect(...args: Parameters<MemoryPresenceTracker['disconnect']>) {
      return this.down ? Promise.reject(new Error('tracker down')) : super.disconnect(...args);
    }
    override sweep(...args: Parameters<MemoryPresenceTracker['sweep']>) {
      return this.down ? Promise.reject(new Error('tracker down')) : super.sweep(...args);
    }
    override get(...args: Parameters<MemoryPresenceTracker['get']>) {
      return this.down ? Promise.reject(new Error('tracker down')) : super.get(...args);
    }
  }

  let now: number;
  let tracker: FlakyTracker;
  let service: PresenceService;
  let heard: PresenceTransition[];

  beforeEach(() => {
    now = T0;
    const clock = { now: () => now };
    tracker = new FlakyTracker({ ttlMs: TTL, clock });
    service = new PresenceService({ tracker, clock, ttlMs: TTL });
    heard = [];
    service.onTransition((transition) => {
      heard.push(transition);
    });
  });

  it('resolves every call while the tracker is down, answering offline and never seen', async () => {
    tracker.down = true;
    await expect(service.connect('u-alice', 'c-1')).resolves.toBeUndefined();
    await expect(service.heartbeat('u-alice', 'c-1')).resolves.toBeUndefined();
    await expect(service.sweep()).resolves.toEqual([]);
    expect(await service.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: null }]);
    await expect(service.disconnect('u-alice', 'c-1')).resolves.toBeUndefined();
    expect(service.isDegraded).toBe(true);
    expect(heard).toEqual([]);
  });

  it('registers and announces the connections made during the outage on the first call after it', async () => {
    tracker.down = true;
    await service.connect('u-alice', 'c-1');
    await service.connect('u-bob', 'c-2');
    await service.disconnect('u-bob', 'c-2');
    tracker.down = false;
    now = T0 + 1000;
    await service.heartbeat('u-alice', 'c-1');
    expect(service.isDegraded).toBe(false);
    expect(heard).toEqual([{ userId: 'u-alice', online: true, at: T0 + 1000 }]);
    expect(await service.get(['u-alice', 'u-bob'])).toMatchObject([{ online: true }, { online: false, lastSeenAt: null }]);
  });

  it('stays degraded while the tracker keeps failing, and a later sweep tick recovers', async () => {
    await service.connect('u-alice', 'c-1');
    tracker.down = true;
    await service.heartbeat('u-alice', 'c-1');
    await service.sweep();
    expect(service.isDegraded).toBe(true);
    tracker.down = false;
    now = T0 + TTL / 2;
    expect(await service.sweep()).toEqual([]);
    expect(service.isDegraded).toBe(false);
    // The resync counted as a heartbeat: Alice is still online a TTL after her last successful one.
    now = T0 + TTL + 1;
    expect(await service.sweep()).toEqual([]);
    expect(heard).toEqual([{ userId: 'u-alice', online: true, at: T0 }]);
  });
});
