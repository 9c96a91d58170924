// How one applyBatch's changes become executeMany calls without changing their meaning (pure).
//
// SQLite applies changes one by one. Oracle is fast when each statement runs once per batch with an array of
// bind rows, which groups changes by kind, i.e. reorders them. That is only safe for changes that touch different
// rows or commute: the max-updates (roomAdvanced, markersAdvanced, noteLastMessage) and idempotent inserts do;
// a leave followed by a rejoin, or an edit after an edit of the same message, do not (each edit copies the text
// the previous one set into the edit history). So the changes are cut into ordered stages: a change joins the
// current stage unless running the stage kind by kind would put it before a change it follows on the same row;
// then a new stage starts. Within a stage, statements run in RANK order, each over its rows in arrival order
// (executeMany runs the rows one after another, each seeing the previous ones). Typical batches (sends, joins,
// receipts) are one stage; only conflicting pairs cost an extra stage.

import type { BindRow } from 'oracledb';

import { messageIdOf } from '../../../domain/ids.js';
import type { HistoryChange, HistoryChangeOp } from '../historyChanges.js';
import { statementsFor, type StatementName } from './changeBinds.js';

/** Largest array bound in one executeMany call: bounds the driver's buffers and a single round trip. */
export const MAX_ROWS_PER_CALL = 500;

/** The order kinds run within a stage: the order a room's own stream produces them in. */
const RANK: Record<HistoryChangeOp, number> = {
  userUpserted: 0,
  roomCreated: 1,
  memberAdded: 2,
  memberRoleChanged: 3,
  memberRemoved: 4,
  messageInserted: 5,
  messageEdited: 6,
  messageDeleted: 7,
  roomAdvanced: 8,
  markersAdvanced: 9,
  userRoleChanged: 10,
  personalDataErased: 11,
  userProfileUpdated: 12,
  userPasswordChanged: 13,
  friendshipChanged: 14,
  reactionAdded: 15,
  reactionRemoved: 16,
  roomSettingChanged: 17,
  messagePinned: 18,
  messageUnpinned: 19,
  fileRecorded: 20,
  fileDiscarded: 21,
  threadReplyAdded: 22,
  mentionsAdded: 23,
  blockChanged: 24,
};

/**
 * Kinds whose repeats on one row may share a statement array: single statements (each row sees the previous),
 * and messageInserted, whose insert-if-absent and max-update give the same result in any order. Not
 * messageEdited: copy-then-update of two edits must interleave.
 */
const REPEATS_SHARE_A_STAGE: ReadonlySet<HistoryChangeOp> = new Set([
  'userUpserted',
  'roomCreated',
  'memberAdded',
  'memberRoleChanged',
  'memberRemoved',
  'messageInserted',
  'messageDeleted',
  'roomAdvanced',
  'markersAdvanced',
  'userRoleChanged',
  'userProfileUpdated',
  'userPasswordChanged',
  // Each is one statement on its own (message, emoji, user) row; rows of one message do not interact.
  'reactionAdded',
  'reactionRemoved',
  // One UPDATE of one column per change: repeats run in arrival order, so the last one wins as it should.
  'roomSettingChanged',
  // One statement on its own message's row each; a pin after an unpin of one message waits (the message key).
  'messagePinned',
  'messageUnpinned',
  'fileRecorded',
  'fileDiscarded',
  // An insert-if-absent and a recount from the rows as they stand: repeats give the same result in any order.
  'threadReplyAdded',
  // One insert-if-absent per mentioned user, of rows nothing else writes.
  'mentionsAdded',
]);

/**
 * Pairs that touch the same row but commute: both only raise a value to a maximum, or they write different columns
 * of a room row (a setting, against the head and last-message maxima).
 */
function commute(a: HistoryChangeOp, b: HistoryChangeOp): boolean {
  const pair = new Set([a, b]);
  if (pair.has('roomAdvanced') && pair.has('messageInserted')) return true;
  return pair.size === 2 && pair.has('roomSettingChanged') && (pair.has('roomAdvanced') || pair.has('messageInserted'));
}

/** The rows a change writes, as keys; changes with no key in common never constrain each other. */
export function rowKeys(change: HistoryChange): string[] {
  switch (change.op) {
    case 'userUpserted':
    case 'userRoleChanged':
    case 'userProfileUpdated':
    case 'userPasswordChanged':
      return [`user:${change.userId}`];
    case 'personalDataErased':
      // Touches every message of the sender, wherever it is: planWrites gives it a stage of its own.
      return [`user:${change.userId}`, ERASURE_KEY];
    case 'roomCreated':
    case 'roomAdvanced':
    case 'roomSettingChanged':
      return [`room:${change.roomId}`];
    case 'memberAdded':
    case 'memberRemoved':
    case 'memberRoleChanged':
      return [`member:${change.roomId}:${change.userId}`];
    case 'messageInserted':
      // It also raises rooms.last_message_seq, so it must follow the room's creation.
      return [`message:${change.roomId}:${change.messageId}`, `room:${change.roomId}`];
    case 'messageEdited':
    case 'messageDeleted':
    case 'messagePinned':
    case 'messageUnpinned':
      return [`message:${change.roomId}:${change.messageId}`];
    case 'markersAdvanced':
      return [`markers:${change.userId}:${change.roomId}`];
    case 'reactionAdded':
    case 'reactionRemoved':
      // The message key orders a reaction against its message's delete (which drops its reactions); the reaction's
      // own key keeps an add and a remove of the same reaction in the order they came.
      return [`message:${change.roomId}:${change.messageId}`, `reaction:${change.roomId}:${change.seq}:${change.emoji}:${change.userId}`];
    case 'friendshipChanged': {
      // Delete-then-insert of both rows of the pair: a later change of the same pair needs a stage of its own.
      const [first, second] = [change.userId, change.friendId].sort();
      return [`friendship:${first}:${second}`];
    }
    case 'fileRecorded':
    case 'fileDiscarded':
      return [`file:${change.fileId}`];
    case 'mentionsAdded':
      return [`mentions:${change.roomId}:${change.seq}`];
    case 'blockChanged':
      // A block and an unblock of one pair are an insert and a delete: they must keep their order (own stages).
      return [`block:${change.userId}:${change.blockedUserId}`];
    case 'threadReplyAdded':
      // The reply's own message row (inserted before it) and its thread's count, which a delete of any reply of the
      // thread counts again: a delete and a reply of one thread in one batch run in arrival order.
      return [`message:${change.roomId}:${messageIdOf(change.roomId, change.seq)}`, `thread:${change.roomId}:${change.threadSeq}`];
    default:
      return unreachable(change);
  }
}

/** The row key of an erasure, which blanks rows no key names: nothing shares its stage. */
const ERASURE_KEY = 'erasure';

export interface StatementRun {
  statement: StatementName;
  /** In arrival order; at most MAX_ROWS_PER_CALL per executeMany call (see chunk). */
  rows: BindRow[];
  /** For each row, the index of its change in planWrites' input (what tests check the order against). */
  sources: number[];
}

/** One stage: its statements in the order they must run. */
export type Stage = StatementRun[];

/** The changes cut into stages (see the file comment); each stage's statements in run order. */
export function planWrites(changes: readonly HistoryChange[]): Stage[] {
  const stages: Array<Array<{ change: HistoryChange; index: number }>> = [];
  let current: Array<{ change: HistoryChange; index: number }> = [];
  let opsByKey = new Map<string, Set<HistoryChangeOp>>();
  for (const [index, change] of changes.entries()) {
    const barrier = change.op === 'personalDataErased' || opsByKey.has(ERASURE_KEY);
    if (current.length > 0 && (barrier || !canJoin(change, opsByKey))) {
      stages.push(current);
      current = [];
      opsByKey = new Map();
    }
    current.push({ change, index });
    for (const key of rowKeys(change)) {
      const ops = opsByKey.get(key) ?? new Set<HistoryChangeOp>();
      ops.add(change.op);
      opsByKey.set(key, ops);
    }
  }
  if (current.length > 0) stages.push(current);
  return stages.map(statementRuns);
}

function canJoin(change: HistoryChange, opsByKey: ReadonlyMap<string, ReadonlySet<HistoryChangeOp>>): boolean {
  return rowKeys(change).every((key) =>
    [...(opsByKey.get(key) ?? [])].every((earlier) => {
      if (commute(earlier, change.op)) return true;
      if (earlier === change.op) return REPEATS_SHARE_A_STAGE.has(change.op);
      return RANK[earlier] < RANK[change.op];
    }),
  );
}

function statementRuns(changes: readonly { change: HistoryChange; index: number }[]): Stage {
  const ordered = [...changes]
    .sort((a, b) => RANK[a.change.op] - RANK[b.change.op] || a.index - b.index);
  const runs = new Map<StatementName, StatementRun>();
  // Per kind, each of its statements runs over all its rows before the next statement (insert all, then note all).
  for (const { change, index } of ordered) {
    for (const { statement, binds } of statementsFor(change)) {
      const run = runs.get(statement) ?? { statement, rows: [], sources: [] };
      run.rows.push(binds);
      run.sources.push(index);
      runs.set(statement, run);
    }
  }
  return [...runs.values()];
}

/** `rows` in consecutive slices of at most `size` (the executeMany calls of one run). */
export function chunk<T>(rows: readonly T[], size: number = MAX_ROWS_PER_CALL): T[][] {
  if (!Number.isSafeInteger(size) || size < 1) throw new Error(`chunk size must be a positive integer, got ${size}`);
  const chunks: T[][] = [];
  for (let start = 0; start < rows.length; start += size) chunks.push(rows.slice(start, start + size));
  return chunks;
}

function unreachable(change: never): never {
  throw new Error(`writePlan: unhandled change ${JSON.stringify(change)}`);
}
