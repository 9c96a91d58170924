// What /api/health reports besides the event log: each role adds the checks of what it started, and takes them
// away when it stops, so a process answers for exactly the roles it runs.

import type { Checkpoint } from '../eventlog/checkpoint.js';

/**
 * One more dependency for /api/health to report: `probe` answers the detail, or throws to report it failing. Declared
 * here, beside the checks a process collects, so the roles and the composition that add them need nothing from http/.
 */
export interface HealthCheck {
  readonly name: string;
  probe(head: Checkpoint): Promise<string>;
}

export class ReadinessChecks {
  private readonly checks = new Map<string, HealthCheck>();

  /** Adds (or replaces) the check under `check.name`; the returned function removes it. */
  add(check: HealthCheck): () => void {
    this.checks.set(check.name, check);
    return () => {
      if (this.checks.get(check.name) === check) this.checks.delete(check.name);
    };
  }

  /** The checks in the order they were added (the roles' start order). */
  list(): readonly HealthCheck[] {
    return [...this.checks.values()];
  }
}
