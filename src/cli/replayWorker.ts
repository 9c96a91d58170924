// A worker thread of a parallel `chat events replay` (replayWorkers.ts starts it): it composes the log as the CLI
// does (so decryption and the codec apply), then replays each slice it is handed and posts the slice's output back
// as UTF-8 bytes, transferred rather than copied. It is a composition root of its own, like the CLI.

import { parentPort, workerData } from 'node:worker_threads';
import { buildContainer } from '../composition/container.js';
import { loadToolConfig, toolLogger } from './toolSupport.js';
import { checkpointFromEntries } from '../eventlog/checkpoint.js';
import { replay } from '../analysis/replay.js';
import type { ReplayQuery } from '../analysis/replayQuery.js';
import { openReplayLog } from './replaySources.js';
import { replayWorkerData, sliceMessage, type ReplayWorkerResult } from './replayWorkerProtocol.js';

const port = parentPort;
if (port === null) throw new Error('replayWorker.ts runs as a worker thread of chat events replay');

const { dataDir, query: shared } = replayWorkerData.parse(workerData);
const query: Omit<ReplayQuery, 'output'> = { ...shared, types: new Set(shared.types) };
const config = loadToolConfig(dataDir);
const container = buildContainer(config, toolLogger(config));
const { log, open } = await openReplayLog(container);

// Slices come one at a time (the pool sends the next once this one is posted), so they never overlap here.
port.on('message', (message: unknown) => {
  if (message === 'close') {
    void container.unbindAll().finally(() => port.close());
    return;
  }
  const slice = sliceMessage.parse(message);
  const output = new ByteSink(slice.until - slice.after);
  replay({
    log,
    open,
    query: { ...query, after: checkpointFromEntries([[0, slice.after]]), until: checkpointFromEntries([[0, slice.until]]) },
    withHeader: false,
    write: async (chunk) => output.write(chunk),
  }).then(
    (result) => {
      const { bytes, memory } = output.take();
      const posted: ReplayWorkerResult = {
        kind: 'slice',
        index: slice.index,
        bytes,
        read: result.read,
        written: result.written,
        reached: result.reached[0] ?? slice.after,
      };
      port.postMessage(posted, [memory]);
    },
    (error: unknown) => {
      const failed: ReplayWorkerResult = { kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
      port.postMessage(failed);
    },
  );
});

/**
 * A slice's output as UTF-8, encoded page by page as the replay hands it over: holding the pages' strings until the
 * slice ends and joining them cost a worker a quarter of its time (the strings outlived young-generation
 * collections and were copied again by the join). Its buffer is its own, never Buffer's shared pool, so it can be
 * transferred to the writing thread.
 */
class ByteSink {
  private memory: ArrayBuffer;
  private buffer: Buffer;
  private length = 0;

  constructor(events: number) {
    // About 400 bytes a JSON line; grown by doubling when a slice writes more.
    this.memory = new ArrayBuffer(Math.max(events, 1) * 512);
    this.buffer = Buffer.from(this.memory);
  }

  write(chunk: string): void {
    // A UTF-16 unit never takes more than 3 UTF-8 bytes: only near the end is the exact length worth counting.
    const needed = this.buffer.length - this.length >= chunk.length * 3 ? 0 : this.length + Buffer.byteLength(chunk);
    if (needed > this.buffer.length) {
      const memory = new ArrayBuffer(Math.max(needed, this.buffer.length * 2));
      const grown = Buffer.from(memory);
      this.buffer.copy(grown, 0, 0, this.length);
      this.memory = memory;
      this.buffer = grown;
    }
    this.length += this.buffer.write(chunk, this.length);
  }

  /** The bytes written, and the memory that holds them (to transfer). */
  take(): { bytes: Uint8Array<ArrayBuffer>; memory: ArrayBuffer } {
    return { bytes: new Uint8Array(this.memory, 0, this.length), memory: this.memory };
  }
}
