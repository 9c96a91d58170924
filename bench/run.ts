import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FANOUT_DEFAULTS, FANOUT_QUICK, runFanout, type FanoutOptions } from './fanout.js';
import type { ServerKind } from './clients/fanoutClient.js';
import { killAllNow, ROOT, stopAll } from './lib/proc.js';
import { loadAverages, machine, markdownReport, type BenchReport, type BenchResult } from './lib/report.js';

// `npm run bench -- <name> [flags]` or `npm run bench -- all [--quick]`. Each benchmark starts its servers and load
// workers as child processes on loopback, stops by itself (a hard timeout kills everything it started), and writes
// bench/results/<name>-<timestamp>.json and .md; bench/README.md keeps the latest table of each benchmark.

const BENCHMARKS = ['fanout', 'send', 'connections', 'replay', 'history', 'files', 'search', 'kafka-clients'] as const;
type BenchName = (typeof BENCHMARKS)[number];

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    quick: { type: 'boolean', default: false },
    rooms: { type: 'string' },
    subscribers: { type: 'string' },
    'senders-per-room': { type: 'string' },
    rates: { type: 'string' },
    'step-seconds': { type: 'string' },
    servers: { type: 'string' },
    profile: { type: 'boolean', default: false },
    'no-search': { type: 'boolean', default: false },
    'probe-seconds': { type: 'string' },
    bisections: { type: 'string' },
    'p99-bound-ms': { type: 'string' },
    connections: { type: 'string' },
    events: { type: 'string' },
    logs: { type: 'string' },
    seconds: { type: 'string' },
    'timeout-seconds': { type: 'string' },
    'no-chart': { type: 'boolean', default: false },
    'no-readme': { type: 'boolean', default: false },
  },
});

const RESULTS = path.join(ROOT, 'bench', 'results');
const log = (line: string) => console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

function numberList(value: string | undefined): number[] | undefined {
  return value?.split(',').map((item) => Number(item.trim()));
}

function fanoutOptions(): FanoutOptions {
  const options: FanoutOptions = { ...FANOUT_DEFAULTS, ...(values.quick ? FANOUT_QUICK : {}) };
  if (values.rooms) options.rooms = Number(values.rooms);
  if (values.subscribers) options.subscribers = Number(values.subscribers);
  if (values['senders-per-room']) options.sendersPerRoom = Number(values['senders-per-room']);
  if (values.rates) options.rates = numberList(values.rates) ?? options.rates;
  if (values['step-seconds']) options.stepMs = Number(values['step-seconds']) * 1000;
  if (values.servers) options.servers = values.servers.split(',') as ServerKind[];
  options.profile = values.profile ?? false;
  if (values['no-search']) options.search = false;
  if (values['probe-seconds']) options.probeMs = Number(values['probe-seconds']) * 1000;
  if (values.bisections) options.bisections = Number(values.bisections);
  if (values['p99-bound-ms']) options.p99BoundMs = Number(values['p99-bound-ms']);
  return options;
}

type Partial = BenchResult;

async function runOne(name: BenchName, timestamp: string): Promise<BenchReport> {
  const started = Date.now();
  const loadAtStart = loadAverages();
  let result: Partial;
  switch (name) {
    case 'fanout': {
      const fanout = await runFanout(fanoutOptions(), log);
      if (!values['no-chart']) {
        const { renderFanoutChart } = await import('./lib/chart.js');
        const png = path.join(RESULTS, `fanout-${timestamp}.png`);
        try {
          await renderFanoutChart(fanout.steps, png);
          fanout.notes.push(`Chart: ${path.basename(png)}`);
        } catch (error) {
          fanout.notes.push(`Chart not rendered: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      result = fanout;
      break;
    }
    case 'send': {
      const { runSend } = await import('./send.js');
      const modes = ['ours', 'ours-kafka', 'ours-kafka-split'] as const;
      const ours = (values.servers?.split(',') ?? ['ours', 'ours-kafka']).flatMap((item) => modes.filter((mode) => mode === item.trim()));
      result = await runSend({ quick: values.quick ?? false, seconds: values.seconds ? Number(values.seconds) : undefined, profile: values.profile ?? false, ours }, log);
      break;
    }
    case 'replay': {
      const { runReplay } = await import('./replay.js');
      const logs = values.logs?.split(',').map((item) => (item.trim() === 'kafka' ? 'kafka' : 'sqlite'));
      result = await runReplay({ quick: values.quick ?? false, events: values.events ? Number(values.events) : undefined, profile: values.profile ?? false, logs }, log);
      break;
    }
    case 'history': {
      const { runHistory } = await import('./history.js');
      result = await runHistory({ quick: values.quick ?? false, messages: values.events ? Number(values.events) : undefined, seconds: values.seconds ? Number(values.seconds) : undefined, profile: values.profile ?? false }, log);
      break;
    }
    case 'files': {
      const { runFiles } = await import('./files.js');
      result = await runFiles({ quick: values.quick ?? false, clients: values.connections ? Number(values.connections) : undefined, megabytes: values.events ? Number(values.events) : undefined }, log);
      break;
    }
    case 'connections': {
      const { runConnections } = await import('./connections.js');
      result = await runConnections({ quick: values.quick ?? false, connections: values.connections ? Number(values.connections) : undefined }, log);
      break;
    }
    case 'kafka-clients': {
      const { runKafkaClients } = await import('./kafkaClients.js');
      result = await runKafkaClients({ quick: values.quick ?? false, seconds: values.seconds ? Number(values.seconds) : undefined }, log);
      break;
    }
    case 'search': {
      const { runSearchBench } = await import('./search.js');
      result = await runSearchBench({ quick: values.quick ?? false, messages: values.events ? Number(values.events) : undefined }, log);
      break;
    }
  }
  return {
    name,
    startedAt: new Date(started).toISOString(),
    durationSeconds: Math.round((Date.now() - started) / 1000),
    machine: machine(),
    load: { start: loadAtStart, end: loadAverages() },
    settings: result.settings,
    rows: result.rows,
    ratios: result.ratios,
    notes: result.notes,
    ...(result.extra ? { extra: result.extra } : {}),
  };
}

/** Replaces this benchmark's section of bench/README.md (between markers) with its latest table. */
function updateReadme(report: BenchReport, file: string): void {
  const readmePath = path.join(ROOT, 'bench', 'README.md');
  const readme = readFileSync(readmePath, 'utf8');
  const begin = `<!-- latest:${report.name}:begin -->`;
  const end = `<!-- latest:${report.name}:end -->`;
  const section = `${begin}\n${markdownReport(report)}\nRaw: \`results/${file}.json\`\n${end}`;
  const start = readme.indexOf(begin);
  const stop = readme.indexOf(end);
  const next = start >= 0 && stop > start ? readme.slice(0, start) + section + readme.slice(stop + end.length) : `${readme.trimEnd()}\n\n${section}\n`;
  writeFileSync(readmePath, next);
}

async function main(): Promise<void> {
  const which = positionals[0];
  const names: BenchName[] = which === 'all' ? [...BENCHMARKS] : BENCHMARKS.includes(which as BenchName) ? [which as BenchName] : [];
  if (names.length === 0) {
    console.error(`usage: npm run bench -- <${BENCHMARKS.join('|')}|all> [--quick] [--profile] [--rooms N --subscribers N --rates a,b,c --step-seconds S --servers ours,ours-kafka,socketio,ws,centrifugo] [--connections N] [--seconds S]`);
    process.exit(2);
  }
  // The hard stop: whatever hangs, every child is killed and the run fails, so a benchmark never runs unbounded.
  const timeoutSeconds = Number(values['timeout-seconds'] ?? (values.quick ? 600 : 1800)) * names.length;
  const hardStop = setTimeout(() => {
    console.error(`bench: hard timeout after ${timeoutSeconds} s, killing every child`);
    killAllNow();
    process.exit(1);
  }, timeoutSeconds * 1000);
  hardStop.unref();
  // Ctrl-C, `kill`, `timeout` or a closed terminal: the servers and load generators go with the run.
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.on(signal, () => {
      killAllNow();
      process.exit(code);
    });
  }
  mkdirSync(RESULTS, { recursive: true });
  for (const name of names) {
    const timestamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    log(`${name}: starting`);
    const report = await runOne(name, timestamp);
    const file = `${name}-${timestamp}`;
    writeFileSync(path.join(RESULTS, `${file}.json`), `${JSON.stringify(report, null, 2)}\n`);
    const markdown = markdownReport(report);
    writeFileSync(path.join(RESULTS, `${file}.md`), markdown);
    if (!values['no-readme']) updateReadme(report, file);
    console.log(`\n${markdown}`);
    log(`${name}: wrote bench/results/${file}.json and .md`);
  }
  clearTimeout(hardStop);
}

main()
  .catch(async (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  })
  .finally(async () => {
    await stopAll();
  });
