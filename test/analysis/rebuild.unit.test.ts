import { describe, expect, it } from 'vitest';
import { partitionStatus, rebuildToHead, type RebuildProgress } from '../../src/analysis/rebuild.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { advanceAll, checkpointOf, covers, EMPTY_CHECKPOINT, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import type { ProjectionStore } from '../../src/projections/projector.js';
import { sampleEvent } from '../support/sampleEvents.js';

const event = (partition: number, position: number): RecordedEvent => ({
  ...sampleEvent('MessageSent'),
  streamId: `room-p${partition}`,
  streamVersion: position,
  partition,
  position,
  previousHash: null,
});

function growingLog(events: RecordedEvent[]) {
  return {
    events,
    async readAll({ after = EMPTY_CHECKPOINT, limit }: { after?: Checkpoint; limit: number }) {
      return events.filter((e) => !covers(after, e)).slice(0, limit);
    },
    async headPosition() {
      return checkpointOf(events);
    },
  };
}

class Store implements ProjectionStore {
  applied: RecordedEvent[] = [];
  private at: Checkpoint = EMPTY_CHECKPOINT;
  async applyBatch(events: RecordedEvent[]) {
    const fresh = events.filter((e) => !covers(this.at, e));
    this.applied.push(...fresh);
    this.at = advanceAll(this.at, fresh);
  }
  async checkpoint() {
    return this.at;
  }
}

describe('rebuildToHead', () => {
  it('applies every event of every partition from zero, reporting progress toward the head', async () => {
    const log = growingLog([...Array.from({ length: 7 }, (_, i) => event(0, i + 1)), ...Array.from({ length: 4 }, (_, i) => event(1, i + 1))]);
    const store = new Store();
    const progress: RebuildProgress[] = [];
    const result = await rebuildToHead({ log, store, batchSize: 3, onProgress: (p) => progress.push({ ...p }) });
    expect(store.applied).toHaveLength(11);
    expect(result).toEqual({ applied: 11, checkpoint: { 0: 7, 1: 4 }, head: { 0: 7, 1: 4 } });
    expect(progress[0]).toEqual({ applied: 0, total: 11, behind: 11 });
    expect(progress.at(-1)).toEqual({ applied: 11, total: 11, behind: 0 });
  });

  it('chases a head that moved during the first pass once more', async () => {
    const log = growingLog(Array.from({ length: 4 }, (_, i) => event(0, i + 1)));
    const store = new Store();
    let grown = false;
    const applyBatch = store.applyBatch.bind(store);
    store.applyBatch = async (events) => {
      await applyBatch(events);
      if (!grown) {
        grown = true;
        log.events.push(event(0, 5), event(0, 6));
      }
    };
    const result = await rebuildToHead({ log, store, batchSize: 2 });
    expect(result.checkpoint).toEqual({ 0: 6 });
    expect(store.applied.map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6]);
  });
});

describe('partitionStatus', () => {
  it('gives each partition its checkpoint, head and lag', () => {
    expect(partitionStatus({ 0: 10, 2: 5 }, { 0: 7, 1: 3 })).toEqual([
      { partition: 0, checkpoint: 7, head: 10, lag: 3 },
      { partition: 1, checkpoint: 3, head: 0, lag: 0 },
      { partition: 2, checkpoint: 0, head: 5, lag: 5 },
    ]);
    expect(partitionStatus({}, {})).toEqual([]);
  });
});
