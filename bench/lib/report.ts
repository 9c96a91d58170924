import { execFileSync } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { readFileSync } from 'node:fs';

export interface Machine {
  nproc: number;
  cpuModel: string;
  memoryGiB: number;
  node: string;
  platform: string;
  /** The commit measured, and whether the work tree differed from it (other work in progress is measured too). */
  commit: string;
}

/**
 * The 1, 5 and 15 minute load averages (what `uptime` prints) when a benchmark started and ended. The machine is
 * shared (other helpers run test suites on it), so every figure is read together with the load it was taken under.
 */
export interface LoadAverages {
  start: number[];
  end: number[];
}

export function loadAverages(): number[] {
  return loadavg().map((value) => Math.round(value * 100) / 100);
}

export function machine(): Machine {
  // BENCH_COMMIT names the commit of a checkout without .git (a `git archive` of it, run on its own).
  let commit = process.env.BENCH_COMMIT ?? 'unknown';
  try {
    if (!process.env.BENCH_COMMIT) commit = execFileSync('git', ['describe', '--always', '--dirty'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // Not a git checkout.
  }
  // The service measured may be another checkout (BENCH_SERVICE_ROOT); BENCH_SERVICE_LABEL names it, e.g. its commit.
  const serviceRoot = process.env.BENCH_SERVICE_ROOT;
  if (serviceRoot) commit = `bench ${commit}; service ${process.env.BENCH_SERVICE_LABEL ?? serviceRoot}`;
  return {
    nproc: Number(execFileSync('nproc', { encoding: 'utf8' }).trim()),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    commit,
  };
}

export type Cell = string | number | null;
export type Row = Record<string, Cell>;

export interface BenchReport {
  name: string;
  startedAt: string;
  durationSeconds: number;
  machine: Machine;
  load: LoadAverages;
  settings: Record<string, unknown>;
  /** One row per measured configuration, also the Markdown table. */
  rows: Row[];
  /** ours / peer for the headline figure, e.g. "delivered/s ours/ws @ 500/s". */
  ratios: Record<string, number | null>;
  notes: string[];
  /** Anything else worth keeping (profiles' top functions, per-step details); small. */
  extra?: Record<string, unknown>;
}

function formatCell(value: Cell): string {
  if (value === null) return '—';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return '—';
    return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) >= 100 ? 0 : 2);
  }
  return value;
}

export function markdownTable(rows: Row[]): string {
  const first = rows[0];
  if (!first) return '(no rows)\n';
  const columns = Object.keys(first);
  const lines = [`| ${columns.join(' | ')} |`, `| ${columns.map(() => '---').join(' | ')} |`];
  for (const row of rows) lines.push(`| ${columns.map((column) => formatCell(row[column] ?? null)).join(' | ')} |`);
  return `${lines.join('\n')}\n`;
}

export function markdownReport(report: BenchReport): string {
  const m = report.machine;
  const ratioLines = Object.entries(report.ratios).map(([key, value]) => `- ${key}: **${value === null ? '—' : value.toFixed(2)}**`);
  return [
    `### ${report.name} (${report.startedAt})`,
    '',
    `Machine: ${m.nproc} cores, ${m.cpuModel}, ${m.memoryGiB} GiB, Node ${m.node}, ${m.platform}; commit ${m.commit}; ${report.durationSeconds} s.`,
    '',
    `Load averages (1/5/15 min, as \`uptime\`): ${report.load.start.join(' / ')} at start, ${report.load.end.join(' / ')} at end: the figures were taken under that load (a shared machine).`,
    '',
    `Settings: \`${JSON.stringify(report.settings)}\``,
    '',
    markdownTable(report.rows),
    ...(ratioLines.length ? ['Ratios (ours / peer):', '', ...ratioLines, ''] : []),
    ...(report.notes.length ? ['Notes:', '', ...report.notes.map((note) => `- ${note}`), ''] : []),
  ].join('\n');
}

/** CPU time (user + system) a process has used, in seconds, from /proc (Linux; 100 ticks per second). */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/** What one benchmark returns; the harness adds its name, times, machine and load. */
export type BenchResult = Omit<BenchReport, 'name' | 'startedAt' | 'durationSeconds' | 'machine' | 'load'>;
