import type { Counter } from 'prom-client';
import type { Metrics } from '../observability/metrics.js';

/**
 * Counts frames in and out by type. Fan-out counts once per event with the number of recipients, and the labelled
 * children are cached, so metrics cost nothing per subscriber.
 */
export class FrameCounter {
  private readonly children = new Map<string, Counter.Internal>();

  constructor(private readonly metrics: Metrics) {}

  in(type: string): void {
    this.child('in', type).inc();
  }

  out(type: string, count = 1): void {
    if (count > 0) this.child('out', type).inc(count);
  }

  private child(direction: 'in' | 'out', type: string): Counter.Internal {
    const key = `${direction} ${type}`;
    let child = this.children.get(key);
    if (!child) {
      child = this.metrics.wsFrames.labels({ direction, type });
      this.children.set(key, child);
    }
    return child;
  }
}
