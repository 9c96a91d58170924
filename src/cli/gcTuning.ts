// V8 flags `chat serve` sets for itself, from GC_PARALLEL_SCAVENGE. V8 empties its young generation (a scavenge)
// with helper threads and the main thread waits for them at the end. On this project's two-core machine, with the
// other core busy (a client, the OS), the helpers often had no core: a history page's server saw ~20 scavenges a
// second of ~3 ms each, of which ~1 ms was copying (`--trace-gc-nvp`); done by the main thread alone they took ~2 ms,
// and the page's p99 fell from 5.5-5.7 to 5.0 ms. With a core free, the helpers shorten the main thread's pauses
// instead: sends were ~4 % slower without them. So V8's default stays, and `off` is there for a busy machine
// (bench/README.md, twelfth session).

import { setFlagsFromString } from 'node:v8';
import type { AppConfig } from '../config/config.js';

/**
 * Applies `off` to this process's V8, before the service allocates much. V8 reads this flag at every scavenge, so
 * setting it after start-up takes effect (test/cli/gcTuning.int.test.ts checks that it does). `on` leaves V8 as it
 * started, so a `--no-parallel-scavenge` given to node itself still holds.
 */
export function applyGcTuning(setting: AppConfig['gcParallelScavenge']): { parallelScavengeOff: boolean } {
  if (setting === 'off') setFlagsFromString('--no-parallel-scavenge');
  return { parallelScavengeOff: setting === 'off' };
}
