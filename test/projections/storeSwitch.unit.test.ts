import { describe, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { advanceAll, covers, EMPTY_CHECKPOINT, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import { StoreSwitch, type SwitchableStore } from '../../src/projections/storeSwitch.js';
import { filePointer, watchPointer } from '../../src/projections/storePointer.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sampleEvent } from '../support/sampleEvents.js';

const LOG: RecordedEvent[] = Array.from({ length: 30 }, (_, i) => ({
  ...sampleEvent('MessageSent'),
  streamId: 'room-r',
  streamVersion: i + 1,
  partition: i % 2,
  position: Math.floor(i / 2) + 1,
  previousHash: null,
}));
const log = {
  async readAll({ after = EMPTY_CHECKPOINT, limit }: { after?: Checkpoint; limit: number }) {
    return LOG.filter((event) => !covers(after, event)).slice(0, limit);
  },
};

/** A store that records which events it applied, honouring its checkpoint as the contract says. */
class RecordingStore implements SwitchableStore {
  applied: RecordedEvent[] = [];
  closed = false;
  private at: Checkpoint = EMPTY_CHECKPOINT;
  constructor(upTo = 0) {
    if (upTo > 0) void this.applyBatch(LOG.slice(0, upTo));
  }
  async applyBatch(events: RecordedEvent[]): Promise<void> {
    const fresh = events.filter((event) => !covers(this.at, event));
    this.applied.push(...fresh);
    this.at = advanceAll(this.at, fresh);
  }
  async checkpoint(): Promise<Checkpoint> {
    return this.at;
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

describe('StoreSwitch', () => {
  it('catches the new store up to the old one before it takes over, so the next batch continues with no gap', async () => {
    const old = new RecordingStore(20);
    const stores = new StoreSwitch<RecordingStore>({ name: 'test', initial: old, label: 'old', log, catchUpBatch: 3, closeOldAfterMs: 0 });
    const fresh = new RecordingStore(6);
    await stores.switchTo(fresh, 'new');
    expect(stores.current).toBe(fresh);
    expect(stores.label).toBe('new');
    expect(await fresh.checkpoint()).toEqual(await old.checkpoint());
    expect(fresh.applied).toEqual(LOG.slice(0, 20));
    // The projector's next batch is what follows the old store's checkpoint: it lands in the new store.
    await stores.applyBatch(LOG.slice(20, 25));
    expect(fresh.applied).toEqual(LOG.slice(0, 25));
    expect(old.applied).toHaveLength(20);
    await sleep(10);
    expect(old.closed).toBe(true);
    await stores.close();
    expect(fresh.closed).toBe(true);
  });

  it('lets a batch that arrives during the switch wait for it, never splitting it between stores', async () => {
    const old = new RecordingStore(10);
    const stores = new StoreSwitch<RecordingStore>({ name: 'test', initial: old, label: 'old', log, catchUpBatch: 1 });
    const fresh = new RecordingStore();
    const switching = stores.switchTo(fresh, 'new');
    const batch = stores.applyBatch(LOG.slice(10, 14));
    await Promise.all([switching, batch]);
    expect(old.applied).toHaveLength(10);
    expect(fresh.applied).toEqual(LOG.slice(0, 14));
    await stores.close();
  });

  it('keeps serving from the old store when the new one cannot be caught up', async () => {
    const old = new RecordingStore(10);
    const failing = { ...log, readAll: async () => Promise.reject(new Error('log away')) };
    const stores = new StoreSwitch<RecordingStore>({ name: 'test', initial: old, label: 'old', log: failing });
    const fresh = new RecordingStore();
    await expect(stores.switchTo(fresh, 'new')).rejects.toThrow('log away');
    expect(stores.current).toBe(old);
    expect(fresh.closed).toBe(true);
    await stores.applyBatch(LOG.slice(10, 12));
    expect(old.applied).toHaveLength(12);
    await stores.close();
  });
});

describe('pointers', () => {
  it('a file pointer is absent until written, then names the last value; a watch reports each change once', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'chat-pointer-'));
    try {
      const pointer = filePointer(path.join(dir, 'history.current'));
      expect(await pointer.read()).toBeUndefined();
      const seen: string[] = [];
      let failOnce = true;
      const watch = watchPointer({
        pointer,
        initial: undefined,
        intervalMs: 10,
        onChange: async (value) => {
          if (value === 'b' && failOnce) {
            failOnce = false;
            throw new Error('not yet');
          }
          seen.push(value);
        },
      });
      await pointer.write('a');
      while (seen.length < 1) await sleep(10);
      await pointer.write('b');
      // A failed switch is retried at the next poll.
      while (seen.length < 2) await sleep(10);
      await sleep(50);
      await watch.stop();
      expect(seen).toEqual(['a', 'b']);
      expect(await pointer.read()).toBe('b');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
