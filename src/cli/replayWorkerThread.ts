// How `chat events replay` starts a worker thread, for both pools (replayWorkers.ts, kafkaReplayWorkers.ts).

import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

// Young-generation room for each worker: the replay allocates short-lived objects at a furious rate (see the CLI's
// --max-semi-space-size, which this matches: V8 sizes the young generation at three semi-spaces).
const WORKER_YOUNG_GENERATION_MB = 192;

// Built, the entry is the .js module beside this one. Run from source (tsx: the tests, `npx tsx src/cli/main.ts`), a
// worker does not inherit tsx's loader, so it registers it first, then imports the .ts entry.
const FROM_SOURCE = path.extname(fileURLToPath(import.meta.url)) === '.ts';

/** Starts the worker module `name` (beside this file, without extension) with `workerData`. */
export function startReplayWorker(name: 'replayWorker' | 'kafkaReplayWorker', workerData: unknown): Worker {
  const entry = FROM_SOURCE
    ? `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(new URL(`./${name}.ts`, import.meta.url).href)}); });`
    : new URL(`./${name}.js`, import.meta.url);
  return new Worker(entry, { eval: FROM_SOURCE, workerData, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
}

/** Lets a worker close its log and end; one that does not within a second is terminated. */
export async function stop(worker: Worker): Promise<void> {
  if (worker.threadId < 0) return; // already exited
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage('close');
  const timer = setTimeout(() => void worker.terminate(), 1000);
  await exited;
  clearTimeout(timer);
}
