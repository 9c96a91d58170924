// `chat events replay`: a slice of the log, decoded, as JSON Lines or CSV, for analysts.

import { once } from 'node:events';
import { createWriteStream, existsSync, type WriteStream } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import { replay, type ReplayProgress, type ReplayResult } from '../analysis/replay.js';
import { AnalysisError, OptionInvalidError } from '../analysis/replayErrors.js';
import { parseJobs, parseReplayQuery, type ReplayFlags } from '../analysis/replayQuery.js';
import { parallelPlan } from '../analysis/replaySlices.js';
import { buildContainer } from '../composition/container.js';
import { openReplayLog, openReplayTopic } from './replaySources.js';
import { replayTopicInWorkers, topicPlan } from './kafkaReplayWorkers.js';
import { replayInWorkers } from './replayWorkers.js';
import { exitTwoOnUsageErrors, loadToolConfig, runTool, toolLogger } from './toolSupport.js';

interface ReplayCommandFlags extends ReplayFlags {
  dataDir?: string;
  jobs?: string;
}

// A parallel replay hands each worker this many positions at a time, and only spans of at least MIN_PARALLEL_SPAN
// are spread at all (measured: a worker costs ~0.2 s to start, about 25k events of replay).
const SLICE_SIZE = 20_000;
const MIN_PARALLEL_SPAN = 100_000;

export function registerEventsCommand(program: Command): void {
  const events = exitTwoOnUsageErrors(program.command('events').description('read the event log (analysts)'));
  events
    .command('replay')
    .description(
      'write a slice of the event log, decoded, as JSON Lines (default) or CSV; ends at the head the log had when it started',
    )
    .option('--after <position>', 'only events after this position: N (partition 0, the SQLite log), P:N[,P:N], or {"P":N}')
    .option('--until <position>', 'only events up to and including this position (same forms as --after)')
    .option('--since <time>', 'only events that occurred at or after this ISO-8601 time (UTC unless a zone is given)')
    .option('--until-time <time>', 'only events that occurred before this ISO-8601 time')
    .option('--room <roomId>', "only this room's events (reads the room's stream alone)")
    .option('--user <userId>', 'only events the user acted in, plus their account, username, receipts and friendship streams and the rooms\' delivery reports naming them')
    .option('--type <type>', 'only this event type (repeatable)', (value: string, previous: string[]) => [...previous, value], [])
    .option('--format <format>', 'jsonl or csv', 'jsonl')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .option('-j, --jobs <n>', 'worker threads for a long replay (SQLite: slices of the log; Kafka: shares of the partitions; default: one per core, at most 4; 1: none)')
    .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
    .action((flags: ReplayCommandFlags) => runTool('chat events replay', () => replayCommand(flags)));
}

async function replayCommand(flags: ReplayCommandFlags): Promise<void> {
  const query = parseReplayQuery(flags);
  const jobs = parseJobs(flags.jobs, availableParallelism());
  // A replay allocates short-lived objects at a furious rate (rows, decoded events, lines); with V8's default young
  // generation the profile of a 1M-event replay spent a quarter of its time in scavenges. A larger one cut the CPU
  // time per event by 10-15 % (measured; docs/analysts.md).
  setFlagsFromString('--max-semi-space-size=64');
  const loaded = loadToolConfig(flags.dataDir);
  if (loaded.eventLog === 'sqlite' && !existsSync(path.join(loaded.dataDir, 'events.db'))) {
    throw new AnalysisError('NO_EVENT_LOG', `no event log at ${path.join(loaded.dataDir, 'events.db')} (check --data-dir or DATA_DIR)`);
  }
  const output = query.output === undefined ? undefined : await openOutput(query.output);
  // The SQLite log is read where it is; the Kafka topic is scanned directly (no index: see replaySources.ts).
  const config = loaded;
  const container = buildContainer(config, toolLogger(config));
  const sink = output ?? process.stdout;
  // A reader that went away (`| head`) ends the replay quietly, as other Unix tools do.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const bar = process.stderr.isTTY
    ? new SingleBar(
        { stream: process.stderr, format: 'replay [{bar}] {percentage}% | {value}/{total} read | {written} written | {eta_formatted}' },
        Presets.shades_classic,
      )
    : undefined;
  const started = process.hrtime.bigint();
  const cpuBefore = process.cpuUsage();
  try {
    let barStarted = false;
    const onProgress = (progress: ReplayProgress) => {
      if (bar === undefined) return;
      if (!barStarted) {
        bar.start(progress.total, 0, { written: 0 });
        barStarted = true;
      }
      bar.update(Math.min(progress.read, progress.total), { written: progress.written });
    };
    let result: ReplayResult;
    /** How many worker threads did the work (0: this thread did). */
    let workers = 0;
    if (config.eventLog === 'kafka') {
      // The topic is scanned directly: workers each take a share of the partitions (not slices of one of them).
      const topic = await openReplayTopic(container, config);
      try {
        const end = query.until ?? (await topic.source.head());
        const groups = topicPlan({ query, end, jobs, minSpan: MIN_PARALLEL_SPAN });
        workers = groups?.length ?? 0;
        result =
          groups === undefined
            ? await replay({ log: topic.source, open: topic.open, query, write: (chunk) => write(sink, chunk), onProgress })
            : await replayTopicInWorkers({ dataDir: flags.dataDir, query, end, groups, write: (bytes) => write(sink, bytes), onProgress });
      } finally {
        await topic.close();
      }
    } else {
      const { log, open } = await openReplayLog(container);
      const slices = parallelPlan({ query, head: await log.headPosition(), jobs, sliceSize: SLICE_SIZE, minSpan: MIN_PARALLEL_SPAN });
      workers = slices === undefined ? 0 : Math.min(jobs, slices.length);
      result =
        slices === undefined
          ? await replay({ log, open, query, write: (chunk) => write(sink, chunk), onProgress })
          : await replayInWorkers({ dataDir: flags.dataDir, query, slices, jobs, write: (bytes) => write(sink, bytes), onProgress });
    }
    bar?.stop();
    if (output !== undefined) await close(output);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rate = Math.round(result.read / Math.max(seconds, 1e-9));
    // CPU time too: on a shared machine the wall-clock rate says as much about the neighbours as about the replay.
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    process.stderr.write(
      `events: ${result.written} written of ${result.read} read in ${seconds.toFixed(2)} s ` +
        `${workers === 0 ? '' : `by ${workers} worker threads `}(${rate} events/s; ` +
        `${cpuSeconds.toFixed(2)} s CPU, ${Math.round(result.read / Math.max(cpuSeconds, 1e-9))} events per CPU-second); ` +
        `continue with --after '${JSON.stringify(result.reached)}'\n`,
    );
  } finally {
    bar?.stop();
    await container.unbindAll();
  }
}

async function write(stream: NodeJS.WritableStream, chunk: string | Uint8Array): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

async function close(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'finish');
}

/** The output file, opened before anything is read: one that cannot be written is refused like a bad flag. */
async function openOutput(file: string): Promise<WriteStream> {
  const stream = createWriteStream(file);
  try {
    await once(stream, 'open');
  } catch (error) {
    throw new OptionInvalidError('--output', `cannot write ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return stream;
}
