// What an analyst asked `chat events replay` for, parsed and validated from the command's flags. Pure: no I/O, so
// every rule here is unit-tested and a bad flag is refused before anything is opened.

import { CHAT_EVENT_TYPES, isChatEventType, type ChatEventType } from '../events/chatEvents.js';
import { checkpointFromEntries, parseCheckpoint, type Checkpoint } from '../eventlog/checkpoint.js';
import { OptionInvalidError } from './replayErrors.js';

export type ReplayFormat = 'jsonl' | 'csv';

export interface ReplayQuery {
  /** Only events this checkpoint does not cover (per partition). */
  after?: Checkpoint;
  /** Only events this checkpoint covers (per partition; a partition it does not name is at 0: nothing). */
  until?: Checkpoint;
  /** occurredAt ≥ sinceMs (inclusive). */
  sinceMs?: number;
  /** occurredAt < untilMs (exclusive, so a day is `--since D --until-time D+1`). */
  untilMs?: number;
  roomId?: string;
  userId?: string;
  /** Empty: every type. */
  types: ReadonlySet<ChatEventType>;
  format: ReplayFormat;
  /** undefined: stdout. */
  output?: string;
}

/** The flags as commander hands them over (strings; --type repeatable). */
export interface ReplayFlags {
  after?: string;
  until?: string;
  since?: string;
  untilTime?: string;
  room?: string;
  user?: string;
  type?: string[];
  format?: string;
  output?: string;
}

const ID = /^[A-Za-z0-9_-]{1,200}$/;
// ISO-8601 with a date, optionally a time and a zone; a time without a zone is read as UTC (analysts' days are UTC).
const ISO_TIME = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;

export function parseReplayQuery(flags: ReplayFlags): ReplayQuery {
  const after = flags.after === undefined ? undefined : parsePosition('--after', flags.after);
  const until = flags.until === undefined ? undefined : parsePosition('--until', flags.until);
  const sinceMs = flags.since === undefined ? undefined : parseTime('--since', flags.since);
  const untilMs = flags.untilTime === undefined ? undefined : parseTime('--until-time', flags.untilTime);
  if (sinceMs !== undefined && untilMs !== undefined && untilMs <= sinceMs) {
    throw new OptionInvalidError('--until-time', `must be after --since (${flags.since})`);
  }
  const roomId = flags.room === undefined ? undefined : parseId('--room', flags.room);
  const userId = flags.user === undefined ? undefined : parseId('--user', flags.user);
  const types = new Set<ChatEventType>();
  for (const type of flags.type ?? []) {
    if (!isChatEventType(type)) {
      throw new OptionInvalidError('--type', `unknown event type "${type}"; known: ${CHAT_EVENT_TYPES.join(', ')}`);
    }
    types.add(type);
  }
  const format = flags.format ?? 'jsonl';
  if (format !== 'jsonl' && format !== 'csv') {
    throw new OptionInvalidError('--format', `"${format}" is not a format; use jsonl or csv`);
  }
  if (flags.output !== undefined && flags.output.trim() === '') throw new OptionInvalidError('--output', 'empty file name');
  return { after, until, sinceMs, untilMs, roomId, userId, types, format, output: flags.output };
}

/**
 * A log position: `N` (partition 0, what the one-partition SQLite log needs), `P:N[,P:N...]` per partition, or
 * the JSON a checkpoint is stored as (`{"0":12,"3":7}`).
 */
export function parsePosition(option: string, value: string): Checkpoint {
  const text = value.trim();
  try {
    if (text.startsWith('{')) return parseCheckpoint(text);
    if (/^\d+$/.test(text)) return checkpointFromEntries([[0, safeInteger(text)]]);
    if (/^\d+:\d+(,\d+:\d+)*$/.test(text)) {
      return checkpointFromEntries(
        text.split(',').map((pair): [number, number] => {
          const [partition = '', position = ''] = pair.split(':');
          return [safeInteger(partition), safeInteger(position)];
        }),
      );
    }
  } catch (error) {
    throw new OptionInvalidError(option, `"${value}" is not a position: ${error instanceof Error ? error.message : String(error)}`);
  }
  throw new OptionInvalidError(option, `"${value}" is not a position; use N, PARTITION:N[,PARTITION:N] or {"PARTITION":N}`);
}

function safeInteger(digits: string): number {
  const n = Number(digits);
  if (!Number.isSafeInteger(n)) throw new Error(`${digits} is too large`);
  return n;
}

function parseTime(option: string, value: string): number {
  const text = value.trim();
  if (!ISO_TIME.test(text)) throw new OptionInvalidError(option, `"${value}" is not an ISO-8601 time (e.g. 2026-11-21 or 2026-11-21T09:30:00Z)`);
  const zoned = text.length === 10 || /(Z|[+-]\d{2}:\d{2})$/.test(text) ? text : `${text}Z`;
  const ms = Date.parse(zoned);
  if (Number.isNaN(ms)) throw new OptionInvalidError(option, `"${value}" is not a valid date`);
  return ms;
}

function parseId(option: string, value: string): string {
  if (!ID.test(value)) throw new OptionInvalidError(option, `"${value}" is not an id (1-200 letters, digits, - or _)`);
  return value;
}

/** Most worker threads a replay starts by default: past that the single writing thread is the limit. */
export const MAX_DEFAULT_JOBS = 4;

/** --jobs: worker threads for a long replay; by default one per core, at most MAX_DEFAULT_JOBS; 1 means none. */
export function parseJobs(value: string | undefined, cores: number): number {
  if (value === undefined) return Math.max(1, Math.min(cores, MAX_DEFAULT_JOBS));
  if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || Number(value) > 64) {
    throw new OptionInvalidError('--jobs', `"${value}" is not a number of worker threads (1-64)`);
  }
  return Number(value);
}
