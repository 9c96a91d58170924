// A worker thread of a parallel `chat events replay` of the Kafka topic (kafkaReplayWorkers.ts starts it): it
// composes what the CLI does (config, codec, sealer), scans its own partitions up to the end it is given, and
// posts the output as UTF-8 bytes, transferred rather than copied, at most MAX_CHUNKS_IN_FLIGHT ahead of what the
// writing thread has written.

import { parentPort, workerData } from 'node:worker_threads';
import { replay } from '../analysis/replay.js';
import type { ReplayQuery } from '../analysis/replayQuery.js';
import { buildContainer } from '../composition/container.js';
import { MAX_CHUNKS_IN_FLIGHT, topicWorkerData, type TopicWorkerResult } from './kafkaReplayWorkers.js';
import { openReplayTopic } from './replaySources.js';
import { loadToolConfig, toolLogger } from './toolSupport.js';

const port = parentPort;
if (port === null) throw new Error('kafkaReplayWorker.ts runs as a worker thread of chat events replay');

const { dataDir, query: shared, end, partitions } = topicWorkerData.parse(workerData);
const query: Omit<ReplayQuery, 'output'> = { ...shared, types: new Set(shared.types) };
const config = loadToolConfig(dataDir);
const container = buildContainer(config, toolLogger(config));
const encoder = new TextEncoder();

let inFlight = 0;
let drained: (() => void) | undefined;
let closing = false;
let onClose: () => void = () => undefined;
// The pool says 'close' once everything is written (or it gave up): then this thread may end.
const closed = new Promise<void>((resolve) => (onClose = resolve));
port.on('message', (message: unknown) => {
  if (message === 'ack') {
    inFlight -= 1;
    drained?.();
    drained = undefined;
  } else if (message === 'close') {
    closing = true;
    drained?.();
    onClose();
  }
});

const counts = { read: 0, written: 0 };
try {
  const topic = await openReplayTopic(container, config);
  try {
    const result = await replay({
      // The end is the pool's (one head for every worker), and only this worker's partitions are scanned.
      log: { ...topic.source, head: async () => end, scan: (request) => topic.source.scan({ ...request, partitions }) },
      open: topic.open,
      query: { ...query, until: end },
      withHeader: false,
      onProgress: ({ read, written }) => Object.assign(counts, { read, written }),
      write: async (chunk) => {
        while (inFlight >= MAX_CHUNKS_IN_FLIGHT && !closing) await new Promise<void>((resolve) => (drained = resolve));
        if (closing) throw new Error('the replay was stopped');
        // Its own ArrayBuffer (never a shared pool), so it can be transferred.
        const bytes = encoder.encode(chunk);
        inFlight += 1;
        const posted: TopicWorkerResult = { kind: 'chunk', bytes, read: counts.read, written: counts.written };
        port.postMessage(posted, [bytes.buffer]);
      },
    });
    const done: TopicWorkerResult = { kind: 'done', reached: result.reached, read: result.read, written: result.written };
    port.postMessage(done);
  } finally {
    await topic.close();
  }
} catch (error) {
  const failed: TopicWorkerResult = { kind: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
  port.postMessage(failed);
} finally {
  await container.unbindAll();
}
await closed;
port.close();
