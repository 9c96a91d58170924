// V8 flags `chat serve` sets for itself, from GC_PARALLEL_SCAVENGE. V8 empties its young generation (a scavenge)
// with helper threads and the main thread waits for them at the end. On this project's two-core machine, with a
// client and the OS on the other core, the helpers often had no core free: a history page's server saw ~20
// scavenges a second of ~3 ms each, of which only ~1 ms was copying (`--trace-gc-nvp`), and those pauses set the
// page's p99. Done by the main thread alone they took ~2 ms, and pages/s rose 7 % (bench/README.md, twelfth
// session). Sends did not move either way. With more cores the helpers find one, so `auto` keeps them there.

import { availableParallelism } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import type { AppConfig } from '../config/config.js';

/** Most cores at which `auto` turns the helpers off. */
const FEW_CORES = 2;

export function parallelScavenge(setting: AppConfig['gcParallelScavenge'], cores: number): boolean {
  if (setting === 'on') return true;
  if (setting === 'off') return false;
  return cores > FEW_CORES;
}

/**
 * Applies the setting to this process's V8, before the service allocates much. V8 reads this flag at every
 * scavenge, so setting it after start-up takes effect (checked with --trace-gc-nvp: no background scavenging).
 */
export function applyGcTuning(setting: AppConfig['gcParallelScavenge'], cores = availableParallelism()): { parallelScavenge: boolean } {
  const parallel = parallelScavenge(setting, cores);
  setFlagsFromString(parallel ? '--parallel-scavenge' : '--no-parallel-scavenge');
  return { parallelScavenge: parallel };
}
