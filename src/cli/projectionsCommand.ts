// `chat projections rebuild <history|analytics|search>` and `chat projections status`, for analysts and operators.

import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Presets, SingleBar } from 'cli-progress';
import type { Command } from 'commander';
import type { Redis } from 'ioredis';
import { partitionStatus, rebuildToHead, type PartitionStatus, type RebuildProgress } from '../analysis/rebuild.js';
import { AnalysisError, OptionInvalidError } from '../analysis/replayErrors.js';
import { RedisAnalyticsStore } from '../projections/analytics/redisAnalyticsStore.js';
import { buildContainer, get } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import type { AppConfig } from '../config/config.js';
import { lag, type Checkpoint } from '../eventlog/checkpoint.js';
import { analyticsKeys, liveAnalyticsPrefix, redisPointer } from '../projections/analytics/switchableAnalyticsStore.js';
import {
  HISTORY_POINTER_FILE,
  HISTORY_SERVING_FILE,
  liveHistoryFile,
} from '../projections/history/switchableHistoryStore.js';
import { SqliteHistoryStore } from '../projections/history/sqlite/sqliteHistoryStore.js';
import { SqliteSearchStore } from '../projections/search/sqlite/sqliteSearchStore.js';
import { liveSearchFile, SEARCH_POINTER_FILE, SEARCH_SERVING_FILE } from '../projections/search/switchableSearchStore.js';
import { SEARCH_TOKENS } from '../composition/searchBindings.js';
import { filePointer, type StorePointer } from '../projections/storePointer.js';
import type { ProjectionStore } from '../projections/projector.js';
import { exitTwoOnUsageErrors, loadToolConfig, runTool, toolLogger, withPrivateKafkaIndex } from './toolSupport.js';

const PROJECTIONS = ['history', 'analytics', 'search'] as const;
type ProjectionName = (typeof PROJECTIONS)[number];

interface RebuildFlags {
  dropOld?: boolean;
  waitSeconds?: string;
  dataDir?: string;
}

interface StatusFlags {
  json?: boolean;
  dataDir?: string;
}

export function registerProjectionsCommand(program: Command): void {
  const projections = exitTwoOnUsageErrors(program.command('projections').description('rebuild read models and show how far behind they are'));
  projections
    .command('rebuild')
    .description(
      'build a projection from position zero into a fresh store while the service keeps serving the old one, then ' +
        'make the fresh store live (a running service switches to it within a second)',
    )
    .argument('<projection>', PROJECTIONS.join(' or '))
    .option('--drop-old', 'remove the old store once the running service serves the new one')
    .option('--wait-seconds <n>', 'with --drop-old: how long to wait for the service to switch', '60')
    .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
    .action((name: string, flags: RebuildFlags) => runTool('chat projections rebuild', () => rebuildCommand(name, flags)));
  projections
    .command('status')
    .description("each projection's checkpoint per partition, the log's head and the lag (events behind)")
    .option('--json', 'one JSON document instead of a table')
    .option('-d, --data-dir <dir>', 'data directory (overrides DATA_DIR)')
    .action((flags: StatusFlags) => runTool('chat projections status', () => statusCommand(flags)));
}

function projectionName(value: string): ProjectionName {
  const found = PROJECTIONS.find((name) => name === value);
  if (found === undefined) throw new OptionInvalidError('<projection>', `"${value}" is not a projection; use ${PROJECTIONS.join(' or ')}`);
  return found;
}

/** What differs between projections: where a fresh store goes, and how it is made live. */
interface RebuildTarget {
  /** Names the new store in messages and in the pointer. */
  label: string;
  store: ProjectionStore & { close(): Promise<void> };
  /** The live store before the switch. */
  old: string;
  pointer: StorePointer;
  serving: StorePointer;
  dropOld: () => Promise<void>;
}

async function rebuildCommand(name: string, flags: RebuildFlags): Promise<void> {
  const projection = projectionName(name);
  const waitSeconds = Number(flags.waitSeconds ?? '60');
  if (!Number.isInteger(waitSeconds) || waitSeconds < 0) throw new OptionInvalidError('--wait-seconds', `"${flags.waitSeconds}" is not a whole number of seconds`);
  const loaded = loadToolConfig(flags.dataDir);
  refuseUnsupported(projection, loaded);
  const { config, cleanUp } = withPrivateKafkaIndex(loaded);
  const container = buildContainer(config, toolLogger(config));
  const bar = process.stderr.isTTY
    ? new SingleBar({ stream: process.stderr, format: `${projection} [{bar}] {percentage}% | {value}/{total} | {behind} behind | {eta_formatted}` }, Presets.shades_classic)
    : undefined;
  try {
    const log = await get(container, TOKENS.eventLog);
    const target =
      projection === 'history'
        ? await historyTarget(config)
        : projection === 'search'
          ? await searchTarget(config)
          : await analyticsTarget(config, await get(container, TOKENS.redis));
    let started = false;
    let lastReport = 0;
    const onProgress = (progress: RebuildProgress) => {
      if (bar !== undefined) {
        if (!started) bar.start(progress.total, progress.applied, { behind: progress.behind });
        started = true;
        bar.setTotal(progress.total);
        bar.update(progress.applied, { behind: progress.behind });
        return;
      }
      // Off a terminal: a line every 10 %, so a log file shows it moving.
      const step = Math.floor((10 * progress.applied) / Math.max(progress.total, 1));
      if (step > lastReport) {
        lastReport = step;
        process.stderr.write(`${projection}: ${progress.applied}/${progress.total} events applied, ${progress.behind} behind\n`);
      }
    };
    let result;
    try {
      result = await rebuildToHead({ log, store: target.store, onProgress });
    } finally {
      bar?.stop();
      await target.store.close();
    }
    await target.pointer.write(target.label);
    process.stderr.write(
      `${projection} rebuilt into ${target.label}: ${result.applied} events, checkpoint ${JSON.stringify(result.checkpoint)}; ` +
        `now live (was ${target.old}); a running service switches to it within a second\n`,
    );
    if (flags.dropOld === true) await dropOldWhenSwitched(projection, target, waitSeconds);
  } finally {
    bar?.stop();
    await container.unbindAll();
    cleanUp();
  }
}

function refuseUnsupported(projection: ProjectionName, config: AppConfig): void {
  if (projection === 'history' && config.historyStore === 'oracle') {
    throw new AnalysisError(
      'REBUILD_NOT_SUPPORTED',
      'rebuilding the Oracle history store is not supported yet (it would need a fresh ORACLE_TABLE_PREFIX and a pointer the ' +
        'service follows); rebuild into a new prefix by starting a service with an empty ORACLE_TABLE_PREFIX instead',
    );
  }
  if (projection === 'search' && config.historyStore === 'oracle') {
    throw new AnalysisError(
      'REBUILD_NOT_SUPPORTED',
      'rebuilding the Oracle search index in place is not supported yet, as for the Oracle history store; start a service on an ' +
        'empty ORACLE_TABLE_PREFIX instead',
    );
  }
  if (projection === 'analytics' && config.stores.analytics === 'memory') {
    throw new AnalysisError(
      'REBUILD_NOT_SUPPORTED',
      'ANALYTICS_STORE=memory lives inside the serving process and is rebuilt from position zero at every start of the ' +
        'service: restart it, or use ANALYTICS_STORE=redis to rebuild beside a running service',
    );
  }
}

async function historyTarget(config: AppConfig): Promise<RebuildTarget> {
  const old = await liveHistoryFile(config.dataDir);
  const label = `history-${stamp()}.db`;
  const file = (name: string) => path.join(config.dataDir, name);
  return {
    label,
    store: new SqliteHistoryStore({ filename: file(label), bulkLoad: true }),
    old,
    pointer: filePointer(file(HISTORY_POINTER_FILE)),
    serving: filePointer(file(HISTORY_SERVING_FILE)),
    dropOld: async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file(`${old}${suffix}`), { force: true });
    },
  };
}

async function searchTarget(config: AppConfig): Promise<RebuildTarget> {
  const old = await liveSearchFile(config.dataDir);
  const label = `search-${stamp()}.db`;
  const file = (name: string) => path.join(config.dataDir, name);
  return {
    label,
    store: new SqliteSearchStore({ filename: file(label) }),
    old,
    pointer: filePointer(file(SEARCH_POINTER_FILE)),
    serving: filePointer(file(SEARCH_SERVING_FILE)),
    dropOld: async () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(file(`${old}${suffix}`), { force: true });
    },
  };
}

async function analyticsTarget(config: AppConfig, client: Redis): Promise<RebuildTarget> {
  const keys = analyticsKeys(config.redis.keyPrefix);
  const old = await liveAnalyticsPrefix(client, config.redis.keyPrefix);
  const label = keys.rebuilt(stamp());
  return {
    label,
    store: new RedisAnalyticsStore({ client, keyPrefix: label }),
    old,
    pointer: redisPointer(client, keys.pointer),
    serving: redisPointer(client, keys.serving),
    dropOld: async () => {
      // Glob characters in the prefix are escaped, so only the old counters match.
      const pattern = `${old.replace(/[*?[\]\\]/g, (c) => `\\${c}`)}*`;
      let cursor = '0';
      do {
        const [next, found] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
        cursor = next;
        if (found.length > 0) await client.del(...found);
      } while (cursor !== '0');
    },
  };
}

/** A name part that sorts by time and is safe in a file name and a Redis key: 20261122T010203456Z. */
function stamp(): string {
  return new Date().toISOString().replace(/[-:.]/g, '');
}

async function dropOldWhenSwitched(projection: ProjectionName, target: RebuildTarget, waitSeconds: number): Promise<void> {
  const deadline = Date.now() + waitSeconds * 1000;
  while ((await target.serving.read()) !== target.label) {
    if (Date.now() >= deadline) {
      process.stderr.write(
        `${projection}: no running service reported serving ${target.label} within ${waitSeconds} s; kept ${target.old} ` +
          '(remove it once no process uses it)\n',
      );
      return;
    }
    await sleep(250);
  }
  await target.dropOld();
  process.stderr.write(`${projection}: removed the old store ${target.old}\n`);
}

interface ProjectionStatus {
  projection: ProjectionName;
  /** Where it lives (file, key prefix), or why it cannot be read from here. */
  store: string;
  /** undefined: not readable from another process (memory). */
  checkpoint: Checkpoint | undefined;
  lag: number | undefined;
  partitions: PartitionStatus[];
}

async function statusCommand(flags: StatusFlags): Promise<void> {
  const loaded = loadToolConfig(flags.dataDir);
  if (loaded.eventLog === 'sqlite' && !existsSync(path.join(loaded.dataDir, 'events.db'))) {
    throw new AnalysisError('NO_EVENT_LOG', `no event log at ${path.join(loaded.dataDir, 'events.db')} (check --data-dir or DATA_DIR)`);
  }
  const { config, cleanUp } = withPrivateKafkaIndex(loaded);
  const container = buildContainer(config, toolLogger(config));
  try {
    const log = await get(container, TOKENS.eventLog);
    const head = await log.headPosition();
    const statuses = [
      await historyStatus(config, head, () => get(container, TOKENS.historyStore)),
      await analyticsStatus(config, head, () => get(container, TOKENS.redis)),
      await searchStatus(config, head, () => get(container, SEARCH_TOKENS.searchStore)),
    ];
    if (flags.json === true) {
      process.stdout.write(`${JSON.stringify({ head, projections: statuses }, null, 2)}\n`);
      return;
    }
    process.stdout.write(statusTable(head, statuses));
  } finally {
    await container.unbindAll();
    cleanUp();
  }
}

/** Where a SQLite projection's live file is, and how to open it: the history view's or the search view's. */
interface SqliteProjectionFile {
  liveFile: (dataDir: string) => Promise<string>;
  open: (filename: string) => ProjectionStore & { close(): Promise<void> };
}

/** A view kept where HISTORY_STORE says (a SQLite file of DATA_DIR, or Oracle): where it is, and its checkpoint. */
async function storeStatus(
  projection: 'history' | 'search',
  config: AppConfig,
  head: Checkpoint,
  sqlite: SqliteProjectionFile,
  oracle: () => Promise<ProjectionStore>,
): Promise<ProjectionStatus> {
  let store: string;
  let checkpoint: Checkpoint;
  switch (config.historyStore) {
    case 'sqlite': {
      // Opened directly rather than through the container: a status must not look like a serving process.
      const file = await sqlite.liveFile(config.dataDir);
      const opened = sqlite.open(path.join(config.dataDir, file));
      try {
        checkpoint = await opened.checkpoint();
      } finally {
        await opened.close();
      }
      store = `sqlite ${file}`;
      break;
    }
    case 'oracle':
      checkpoint = await (await oracle()).checkpoint();
      store = 'oracle';
      break;
    default: {
      const unknown: never = config.historyStore;
      throw new Error(`no status for HISTORY_STORE ${String(unknown)}`);
    }
  }
  return { projection, store, checkpoint, lag: lag(head, checkpoint), partitions: partitionStatus(head, checkpoint) };
}

function historyStatus(config: AppConfig, head: Checkpoint, oracle: () => Promise<ProjectionStore>): Promise<ProjectionStatus> {
  const sqlite = { liveFile: liveHistoryFile, open: (filename: string) => new SqliteHistoryStore({ filename }) };
  return storeStatus('history', config, head, sqlite, oracle);
}

async function analyticsStatus(config: AppConfig, head: Checkpoint, redis: () => Promise<Redis>): Promise<ProjectionStatus> {
  switch (config.stores.analytics) {
    case 'memory':
      return { projection: 'analytics', store: 'memory (inside the serving process: see its /metrics chat_projector_lag_events)', checkpoint: undefined, lag: undefined, partitions: [] };
    case 'redis': {
      const client = await redis();
      const prefix = await liveAnalyticsPrefix(client, config.redis.keyPrefix);
      const checkpoint = await new RedisAnalyticsStore({ client, keyPrefix: prefix }).checkpoint();
      return { projection: 'analytics', store: `redis ${prefix}`, checkpoint, lag: lag(head, checkpoint), partitions: partitionStatus(head, checkpoint) };
    }
    default: {
      const unknown: never = config.stores.analytics;
      throw new Error(`no status for ANALYTICS_STORE ${String(unknown)}`);
    }
  }
}

function searchStatus(config: AppConfig, head: Checkpoint, oracle: () => Promise<ProjectionStore>): Promise<ProjectionStatus> {
  const sqlite = { liveFile: liveSearchFile, open: (filename: string) => new SqliteSearchStore({ filename }) };
  return storeStatus('search', config, head, sqlite, oracle);
}

function statusTable(head: Checkpoint, statuses: ProjectionStatus[]): string {
  const rows: string[][] = [['projection', 'partition', 'checkpoint', 'head', 'lag', 'store']];
  for (const status of statuses) {
    if (status.checkpoint === undefined) {
      rows.push([status.projection, '-', '-', '-', '-', status.store]);
      continue;
    }
    const partitions = status.partitions.length === 0 ? [{ partition: 0, checkpoint: 0, head: 0, lag: 0 }] : status.partitions;
    for (const p of partitions) rows.push([status.projection, String(p.partition), String(p.checkpoint), String(p.head), String(p.lag), status.store]);
    if (partitions.length > 1) rows.push([status.projection, 'all', '', '', String(status.lag), '']);
  }
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const lines = rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd());
  return `${lines.join('\n')}\nlog head: ${JSON.stringify(head)}\n`;
}
