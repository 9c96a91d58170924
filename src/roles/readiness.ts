// What /api/health reports besides the event log: each role adds the checks of what it started, and takes them
// away when it stops, so a process answers for exactly the roles it runs.

import type { HealthCheck } from '../http/routes/healthRoutes.js';

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
