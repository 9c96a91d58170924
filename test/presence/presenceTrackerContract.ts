// The PresenceTracker contract: the memory tracker (embedded) and the Redis tracker (distributed) run this same
// suite, so the gateway and the presence API behave alike whichever the composition root picks.
// Time is a number the tests move by hand; nothing here waits for the wall clock.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { PresenceTracker } from '../../src/presence/presenceTracker.js';
import type { Clock } from '../../src/support/clock.js';

export interface TrackerUnderTest {
  tracker: PresenceTracker;
  cleanup: () => Promise<void>;
}

export interface TrackerOptions {
  ttlMs: number;
  /** What get() reads as "now"; the other methods receive their time as an argument. */
  clock: Clock;
}

const TTL = 60_000;
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

export function presenceTrackerContract(name: string, makeTracker: (options: TrackerOptions) => Promise<TrackerUnderTest>): void {
  describe(`PresenceTracker contract: ${name}`, () => {
    let tracker: PresenceTracker;
    let cleanup: () => Promise<void>;
    let now: number;
    const clock: Clock = { now: () => now };

    beforeEach(async () => {
      now = T0;
      ({ tracker, cleanup } = await makeTracker({ ttlMs: TTL, clock }));
    });

    afterEach(async () => {
      await cleanup();
    });

    /** Moves the shared clock and returns the new time, for the calls that take `now` explicitly. */
    const at = (ms: number): number => {
      now = ms;
      return ms;
    };

    describe('connect and disconnect', () => {
      it('knows nothing of a user who never connected', async () => {
        expect(await tracker.get(['u-nobody'])).toEqual([{ userId: 'u-nobody', online: false, lastSeenAt: null }]);
      });

      it('brings a user online with the first connection and reports the transition', async () => {
        expect(await tracker.connect('u-alice', 'c-1', at(T0))).toEqual({ userId: 'u-alice', online: true, at: T0 });
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: true, lastSeenAt: iso(T0) }]);
      });

      it('counts several connections of one user once', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        expect(await tracker.connect('u-alice', 'c-2', at(T0 + 1000))).toBeUndefined();
        expect(await tracker.disconnect('u-alice', 'c-1', at(T0 + 2000))).toBeUndefined();
        expect((await tracker.get(['u-alice']))[0]?.online).toBe(true);
        expect(await tracker.disconnect('u-alice', 'c-2', at(T0 + 3000))).toEqual({
          userId: 'u-alice',
          online: false,
          at: T0 + 3000,
        });
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: iso(T0 + 3000) }]);
      });

      it('treats connecting the same connection twice as one connection', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        expect(await tracker.connect('u-alice', 'c-1', at(T0 + 1000))).toBeUndefined();
        expect(await tracker.disconnect('u-alice', 'c-1', at(T0 + 2000))).toMatchObject({ online: false });
      });

      it('ignores disconnecting a connection it does not know, or twice', async () => {
        expect(await tracker.disconnect('u-alice', 'c-unknown', at(T0))).toBeUndefined();
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.disconnect('u-alice', 'c-1', at(T0 + 1000));
        expect(await tracker.disconnect('u-alice', 'c-1', at(T0 + 5000))).toBeUndefined();
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: iso(T0 + 1000) }]);
      });

      it('keeps users apart', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.connect('u-bob', 'c-2', at(T0));
        await tracker.disconnect('u-alice', 'c-1', at(T0 + 1000));
        expect(await tracker.get(['u-alice', 'u-bob'])).toEqual([
          { userId: 'u-alice', online: false, lastSeenAt: iso(T0 + 1000) },
          { userId: 'u-bob', online: true, lastSeenAt: iso(T0) },
        ]);
      });

      it('reconnecting after going offline is a new online transition', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.disconnect('u-alice', 'c-1', at(T0 + 1000));
        expect(await tracker.connect('u-alice', 'c-2', at(T0 + 2000))).toEqual({ userId: 'u-alice', online: true, at: T0 + 2000 });
      });
    });

    describe('heartbeats and expiry', () => {
      it('keeps a heartbeating connection alive past the TTL', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        for (let tick = 1; tick <= 5; tick += 1) {
          await tracker.heartbeat('u-alice', 'c-1', at(T0 + tick * 30_000));
          expect(await tracker.sweep(now)).toEqual([]);
        }
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: true, lastSeenAt: iso(T0 + 150_000) }]);
      });

      it('expires a connection that stopped heartbeating, with last seen at its last heartbeat', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.heartbeat('u-alice', 'c-1', at(T0 + 30_000));
        expect(await tracker.sweep(at(T0 + 30_000 + TTL))).toEqual([]);
        expect(await tracker.sweep(at(T0 + 30_000 + TTL + 1))).toEqual([
          { userId: 'u-alice', online: false, at: T0 + 30_000 },
        ]);
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: iso(T0 + 30_000) }]);
        expect(await tracker.sweep(at(T0 + 10 * TTL))).toEqual([]);
      });

      it('reports a user offline once, when the last of several connections expires', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.connect('u-alice', 'c-2', at(T0 + 20_000));
        expect(await tracker.sweep(at(T0 + TTL + 1))).toEqual([]);
        expect((await tracker.get(['u-alice']))[0]?.online).toBe(true);
        expect(await tracker.sweep(at(T0 + 20_000 + TTL + 1))).toEqual([
          { userId: 'u-alice', online: false, at: T0 + 20_000 },
        ]);
      });

      it('sweeps many users at once', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.connect('u-bob', 'c-2', at(T0));
        await tracker.connect('u-carol', 'c-3', at(T0));
        await tracker.heartbeat('u-carol', 'c-3', at(T0 + 40_000));
        const gone = await tracker.sweep(at(T0 + TTL + 1));
        expect(gone.map((transition) => transition.userId).sort()).toEqual(['u-alice', 'u-bob']);
        expect((await tracker.get(['u-carol']))[0]?.online).toBe(true);
      });

      it('shows an expired connection offline even before a sweep runs', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        at(T0 + TTL + 1);
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: iso(T0) }]);
      });

      it('does not revive an expired connection on a late heartbeat', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.sweep(at(T0 + TTL + 1));
        await tracker.heartbeat('u-alice', 'c-1', at(T0 + TTL + 2));
        expect((await tracker.get(['u-alice']))[0]?.online).toBe(false);
      });

      it('ignores a heartbeat of an unknown connection', async () => {
        await tracker.heartbeat('u-alice', 'c-unknown', at(T0));
        expect(await tracker.get(['u-alice'])).toEqual([{ userId: 'u-alice', online: false, lastSeenAt: null }]);
      });

      it('reports coming back online when the only other connection had already expired', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        expect(await tracker.connect('u-alice', 'c-2', at(T0 + TTL + 1))).toEqual({
          userId: 'u-alice',
          online: true,
          at: T0 + TTL + 1,
        });
        // The stale connection went with it: no offline transition follows for it.
        expect(await tracker.sweep(at(T0 + TTL + 2))).toEqual([]);
      });

      it('reports offline on the last live close even when another connection had already expired', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.connect('u-alice', 'c-2', at(T0 + 50_000));
        expect(await tracker.disconnect('u-alice', 'c-2', at(T0 + TTL + 1))).toEqual({
          userId: 'u-alice',
          online: false,
          at: T0 + TTL + 1,
        });
        expect(await tracker.sweep(at(T0 + 3 * TTL))).toEqual([]);
      });
    });

    describe('get', () => {
      it('answers in the order asked, repeats included', async () => {
        await tracker.connect('u-bob', 'c-1', at(T0));
        const views = await tracker.get(['u-carol', 'u-bob', 'u-carol']);
        expect(views.map((view) => [view.userId, view.online])).toEqual([
          ['u-carol', false],
          ['u-bob', true],
          ['u-carol', false],
        ]);
      });

      it('answers an empty question with an empty list', async () => {
        expect(await tracker.get([])).toEqual([]);
      });

      it('shows the latest heartbeat of any live connection as last seen', async () => {
        await tracker.connect('u-alice', 'c-1', at(T0));
        await tracker.connect('u-alice', 'c-2', at(T0 + 1000));
        await tracker.heartbeat('u-alice', 'c-1', at(T0 + 9000));
        expect((await tracker.get(['u-alice']))[0]?.lastSeenAt).toBe(iso(T0 + 9000));
      });
    });
  });
}
