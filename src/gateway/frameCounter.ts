import type { Metrics } from '../observability/metrics.js';

/** Counts frames in and out by type (chat_ws_frames_total); cheap enough to call once per socket written to. */
export class FrameCounter {
  constructor(private readonly metrics: Metrics) {}

  in(type: string): void {
    this.metrics.countFrames('in', type);
  }

  out(type: string, count = 1): void {
    if (count > 0) this.metrics.countFrames('out', type, count);
  }
}
