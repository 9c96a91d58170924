import { describe, expect, it } from 'vitest';
import { UnavailableError } from '../../src/domain/errors.js';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import { StoreCheckpointFollower } from '../../src/projections/storeCheckpointFollower.js';

// A process that reads a shared view another process projects: it waits for its own writes through the
// checkpoint the store commits with the view.

class SharedStore {
  stored: Checkpoint = {};
  failing = false;
  reads = 0;
  async checkpoint(): Promise<Checkpoint> {
    this.reads += 1;
    if (this.failing) throw new Error('store away');
    return this.stored;
  }
}

function follower(store: SharedStore) {
  return new StoreCheckpointFollower({ name: 'history', store, pollIntervalMs: 1, idleIntervalMs: 60_000 });
}

describe('StoreCheckpointFollower', () => {
  it('starts from the stored checkpoint and answers at once for what it covers', async () => {
    const store = new SharedStore();
    store.stored = { 0: 5, 3: 2 };
    const follow = follower(store);
    await follow.start();
    expect(follow.checkpoint).toEqual({ 0: 5, 3: 2 });
    expect(follow.isRunning).toBe(true);
    await follow.waitFor({ 0: 5 }, 1000);
    expect(follow.lag({ 0: 7, 3: 2 })).toBe(2);
    await follow.stop();
  });

  it('releases a waiter once the store has committed its target in every partition, not before', async () => {
    const store = new SharedStore();
    const follow = follower(store);
    await follow.start();
    let released = false;
    const waiting = follow.waitFor({ 0: 3, 1: 1 }, 5000).then(() => (released = true));
    store.stored = { 0: 3 };
    const readsBefore = store.reads;
    while (store.reads < readsBefore + 3) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(released).toBe(false);
    store.stored = { 0: 4, 1: 1 };
    await waiting;
    expect(follow.checkpoint).toEqual({ 0: 4, 1: 1 });
    await follow.stop();
  });

  it('rejects with UNAVAILABLE when the store does not get there in time, also while it cannot be read', async () => {
    const store = new SharedStore();
    const follow = follower(store);
    await follow.start();
    store.failing = true;
    const error = await follow.waitFor({ 0: 1 }, 30).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UnavailableError);
    expect(error).toMatchObject({ code: 'UNAVAILABLE', details: { projection: 'history', waitedFor: { 0: 1 } } });
    // The store answers again: the next wait succeeds.
    store.failing = false;
    store.stored = { 0: 1 };
    await follow.waitFor({ 0: 1 }, 5000);
    await follow.stop();
  });

  it('rejects pending and later waits once stopped, and refuses to start on an unreadable store', async () => {
    const store = new SharedStore();
    const follow = follower(store);
    await follow.start();
    const pending = follow.waitFor({ 0: 9 }, 5000).catch((caught: unknown) => caught);
    await follow.stop();
    expect(await pending).toMatchObject({ code: 'UNAVAILABLE' });
    expect(follow.isRunning).toBe(false);
    await expect(follow.waitFor({ 0: 9 }, 5000)).rejects.toMatchObject({ code: 'UNAVAILABLE' });
    store.failing = true;
    await expect(follower(store).start()).rejects.toThrow('store away');
  });
});
