import type { ReadinessChecks } from '../observability/readiness.js';
import { lag } from '../eventlog/checkpoint.js';
import type { ProjectionStore } from '../projections/projector.js';
import type { ProjectionProgress } from '../projections/storeCheckpointFollower.js';
import type { RoleComponent } from './roleComponent.js';

export interface ProjectionHealth {
  /** When given, health asks the store for its checkpoint, so a store that stopped answering shows as failing. */
  store?: Pick<ProjectionStore, 'checkpoint'>;
  /** Said after the lag, e.g. who writes a followed store. */
  note?: string;
}

/**
 * Runs a projector (or follows a shared store's checkpoint) for the life of the process and reports it under
 * `checkName` in /api/health: failing while it does not run, otherwise how far it is behind the log.
 */
export class ProjectionComponent implements RoleComponent {
  readonly layer = 'view';

  constructor(
    readonly name: string,
    private readonly checkName: string,
    private readonly progress: ProjectionProgress,
    private readonly readiness: ReadinessChecks,
    private readonly health: ProjectionHealth = {},
  ) {}

  async start(): Promise<void> {
    await this.progress.start();
    const { store, note } = this.health;
    this.readiness.add({
      name: this.checkName,
      probe: async (head) => {
        if (!this.progress.isRunning) throw new Error(`${this.progress.name} projector is not running`);
        const behind = store === undefined ? this.progress.lag(head) : lag(head, await store.checkpoint());
        return `lag ${behind} events${note === undefined ? '' : ` (${note})`}`;
      },
    });
  }

  /** The check stays: a process that is stopping reports the projection as not running. */
  async stop(): Promise<void> {
    await this.progress.stop();
  }
}
