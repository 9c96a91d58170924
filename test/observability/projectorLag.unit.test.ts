import { afterEach, describe, expect, it, vi } from 'vitest';

import { EMPTY_CHECKPOINT, lag, type Checkpoint } from '../../src/eventlog/checkpoint.js';
import { Metrics } from '../../src/observability/metrics.js';
import { ProjectorLagMonitor } from '../../src/observability/projectorLag.js';

const lagOf = async (metrics: Metrics) =>
  Object.fromEntries((await metrics.projectorLag.get()).values.map((value) => [value.labels.projection, value.value]));

describe('ProjectorLagMonitor', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const projection = (name: string, applied: () => Checkpoint) => ({ name, lag: (head: Checkpoint) => lag(head, applied()) });

  it('sets each projection’s lag from one read of the head, summed over partitions', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    const monitor = new ProjectorLagMonitor(
      { headPosition: async () => ({ 0: 30, 1: 12 }) },
      [projection('history', () => ({ 0: 28, 1: 12 })), projection('analytics', () => EMPTY_CHECKPOINT)],
      metrics,
    );
    await monitor.refresh();
    expect(await lagOf(metrics)).toEqual({ history: 2, analytics: 42 });
  });

  it('keeps the last values when the head cannot be read', async () => {
    const metrics = new Metrics({ defaultMetrics: false });
    let fail = false;
    const monitor = new ProjectorLagMonitor(
      {
        headPosition: async () => {
          if (fail) throw new Error('log closed');
          return { 0: 10 };
        },
      },
      [projection('history', () => ({ 0: 5 }))],
      metrics,
    );
    await monitor.refresh();
    fail = true;
    await expect(monitor.refresh()).resolves.toBeUndefined();
    expect(await lagOf(metrics)).toEqual({ history: 5 });
  });

  it('refreshes on its timer until stopped', async () => {
    vi.useFakeTimers();
    const metrics = new Metrics({ defaultMetrics: false });
    let applied = 0;
    const monitor = new ProjectorLagMonitor(
      { headPosition: async () => ({ 0: 100 }) },
      [projection('history', () => ({ 0: applied }))],
      metrics,
    );
    monitor.start(1000);
    await vi.advanceTimersByTimeAsync(0);
    expect(await lagOf(metrics)).toEqual({ history: 100 });
    applied = 70;
    await vi.advanceTimersByTimeAsync(1000);
    expect(await lagOf(metrics)).toEqual({ history: 30 });
    monitor.stop();
    applied = 100;
    await vi.advanceTimersByTimeAsync(5000);
    expect(await lagOf(metrics)).toEqual({ history: 30 });
  });
});
