// Keeps chat_projector_lag_events current: how many events of the log each projection has not applied yet.
// Refreshed on a timer and right before every scrape, so a scrape never reads a stale number.

import type { Logger } from 'pino';
import type { Checkpoint } from '../eventlog/checkpoint.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { Metrics } from './metrics.js';

/** What the monitor needs of a projector (Projector has both). */
export interface LaggingProjection {
  readonly name: string;
  /** Positions behind `head`, summed over partitions. */
  lag(head: Checkpoint): number;
}

export class ProjectorLagMonitor {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly log: Pick<EventLog, 'headPosition'>,
    private readonly projections: readonly LaggingProjection[],
    private readonly metrics: Metrics,
    private readonly logger?: Logger,
  ) {}

  /** Reads the log's head once and sets every projection's lag; a failed read leaves the last values. */
  async refresh(): Promise<void> {
    try {
      const head = await this.log.headPosition();
      for (const projection of this.projections) {
        this.metrics.projectorLag.set({ projection: projection.name }, projection.lag(head));
      }
    } catch (error) {
      this.logger?.warn({ err: error }, 'could not read the log head for the projector lag metric');
    }
  }

  /** Refreshes now and then every intervalMs; unref'd so it never keeps the process alive. */
  start(intervalMs: number): void {
    if (this.timer) return;
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
