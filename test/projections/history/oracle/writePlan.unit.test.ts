import { describe, expect, it } from 'vitest';

import type { HistoryChange, HistoryChangeOp } from '../../../../src/projections/history/historyChanges.js';
import { MAX_ROWS_PER_CALL, chunk, planWrites, rowKeys, type Stage } from '../../../../src/projections/history/oracle/writePlan.js';
import { statementsFor } from '../../../../src/projections/history/oracle/changeBinds.js';

const T = Date.UTC(2025, 0, 1);

const room = (roomId: string): HistoryChange => ({
  op: 'roomCreated', roomId, name: 'r', kind: 'public', createdBy: 'u1', createdAt: T, seq: 1,
});
const advanced = (roomId: string, headSeq: number): HistoryChange => ({ op: 'roomAdvanced', roomId, headSeq, at: T + headSeq });
const joined = (roomId: string, userId: string): HistoryChange => ({
  op: 'memberAdded', roomId, userId, role: 'member', addedBy: null, joinedAt: T,
});
const left = (roomId: string, userId: string): HistoryChange => ({
  op: 'memberRemoved', roomId, userId, reason: 'left', removedBy: null, at: T,
});
const roleChanged = (roomId: string, userId: string): HistoryChange => ({ op: 'memberRoleChanged', roomId, userId, role: 'moderator' });
const sent = (roomId: string, seq: number): HistoryChange => ({
  op: 'messageInserted', messageId: `${roomId}.${seq}`, roomId, seq, senderId: 'u1', text: `m${seq}`, clientMessageId: `c${seq}`, createdAt: T, erased: false, attachments: [],
});
const edited = (roomId: string, seq: number, editSeq: number): HistoryChange => ({
  op: 'messageEdited', roomId, messageId: `${roomId}.${seq}`, editSeq, text: `e${editSeq}`, editedBy: 'u1', editedAt: T + editSeq, erased: false,
});
const deleted = (roomId: string, seq: number): HistoryChange => ({
  op: 'messageDeleted', roomId, messageId: `${roomId}.${seq}`, deletedBy: 'u1', deletedAt: T,
});
const read = (userId: string, roomId: string, seq: number): HistoryChange => ({
  op: 'markersAdvanced', userId, roomId, deliveredSeq: seq, readSeq: seq, at: T,
});
const user = (userId: string): HistoryChange => ({
  op: 'userUpserted', userId, username: userId, usernameNormalised: userId, email: null, displayName: userId,
  passwordHash: 'h', role: 'user', createdAt: T,
});

/** Every statement execution, in the order the plan runs them, with the change it belongs to. */
function timeline(stages: Stage[]): number[] {
  return stages.flatMap((stage) => stage.flatMap((run) => chunk(run.sources).flat()));
}

/** Pairs whose result does not depend on their order: both only raise maxima or insert-if-absent. */
const COMMUTING: ReadonlySet<HistoryChangeOp> = new Set(['roomAdvanced', 'messageInserted', 'markersAdvanced']);

/** A room setting writes the name or topic column, a room move or a message insert the head and last-message maxima. */
const settingAndMove = (a: HistoryChangeOp, b: HistoryChangeOp): boolean =>
  (a === 'roomSettingChanged' && (b === 'roomAdvanced' || b === 'messageInserted')) ||
  (b === 'roomSettingChanged' && (a === 'roomAdvanced' || a === 'messageInserted'));

/**
 * Two replies of one thread: each inserts its own row if absent and counts the thread again from the rows as they
 * stand, so once both ran the count is the same in any interleaving.
 */
const twoReplies = (a: HistoryChangeOp, b: HistoryChangeOp): boolean => a === 'threadReplyAdded' && b === 'threadReplyAdded';

/** Fails when a change runs a statement before a change it follows on the same row has run all of its own. */
function expectSameMeaningAsOneByOne(changes: HistoryChange[], stages: Stage[]): void {
  const order = timeline(stages);
  // Each change runs each of its statements exactly once.
  expect([...order].sort((a, b) => a - b)).toEqual(
    changes.flatMap((change, index) => statementsFor(change).map(() => index)),
  );
  const first = (i: number): number => order.indexOf(i);
  const last = (i: number): number => order.lastIndexOf(i);
  changes.forEach((a, i) => {
    changes.forEach((b, j) => {
      if (j <= i) return;
      const shared = rowKeys(a).some((key) => rowKeys(b).includes(key));
      if (!shared || (COMMUTING.has(a.op) && COMMUTING.has(b.op)) || settingAndMove(a.op, b.op) || twoReplies(a.op, b.op)) return;
      expect(last(i), `${a.op}#${i} must finish before ${b.op}#${j} starts`).toBeLessThan(first(j));
    });
  });
}

describe('planWrites', () => {
  it('puts a typical batch (a room, joins, sends, reads) into one stage, one run per statement', () => {
    const changes = [
      user('u1'), room('r1'), advanced('r1', 1), joined('r1', 'u1'), advanced('r1', 2), joined('r1', 'u2'), advanced('r1', 3),
      sent('r1', 4), advanced('r1', 4), sent('r1', 5), advanced('r1', 5), read('u2', 'r1', 5), sent('r1', 6), advanced('r1', 6),
    ];
    const stages = planWrites(changes);
    expect(stages).toHaveLength(1);
    expect(stages[0]?.map((run) => [run.statement, run.rows.length])).toEqual([
      ['upsertUser', 1],
      ['insertRoom', 1],
      ['upsertMember', 2],
      ['insertMessage', 3],
      ['noteLastMessage', 3],
      ['advanceRoom', 6],
      ['advanceMarkers', 1],
    ]);
    expectSameMeaningAsOneByOne(changes, stages);
  });

  it('splits two edits of one message, so the second copies the text the first set', () => {
    const changes = [sent('r1', 1), edited('r1', 1, 2), advanced('r1', 2), edited('r1', 1, 3), advanced('r1', 3)];
    const stages = planWrites(changes);
    expect(stages).toHaveLength(2);
    expectSameMeaningAsOneByOne(changes, stages);
  });

  it('keeps edits of different messages in one stage', () => {
    const changes = [sent('r1', 1), sent('r1', 2), edited('r1', 1, 3), edited('r1', 2, 4)];
    expect(planWrites(changes)).toHaveLength(1);
  });

  it('splits a leave followed by a rejoin, and a delete followed by a re-insert', () => {
    const rejoin = [joined('r1', 'u2'), left('r1', 'u2'), joined('r1', 'u2')];
    expect(planWrites(rejoin)).toHaveLength(2);
    expectSameMeaningAsOneByOne(rejoin, planWrites(rejoin));
    const reinsert = [sent('r1', 1), deleted('r1', 1), sent('r1', 1)];
    expect(planWrites(reinsert)).toHaveLength(2);
    expectSameMeaningAsOneByOne(reinsert, planWrites(reinsert));
  });

  it('keeps reactions in order against each other and against the delete of their message', () => {
    const reaction = (seq: number, userId: string, emoji: string, added = true): HistoryChange =>
      added
        ? { op: 'reactionAdded', roomId: 'r1', messageId: `r1.${seq}`, seq, emoji, userId, reactionSeq: 9, at: T }
        : { op: 'reactionRemoved', roomId: 'r1', messageId: `r1.${seq}`, seq, emoji, userId };
    const changes = [
      sent('r1', 1),
      reaction(1, 'u1', '👍'),
      reaction(1, 'u2', '👍'),
      reaction(1, 'u1', '👍', false),
      reaction(1, 'u1', '👍'),
      deleted('r1', 1),
    ];
    const stages = planWrites(changes);
    expectSameMeaningAsOneByOne(changes, stages);
    // Adds share a statement array, a remove follows them; adding again after the remove, and the delete, wait.
    expect(stages.map((stage) => stage.map((run) => run.statement))).toEqual([
      ['insertMessage', 'noteLastMessage', 'insertReaction', 'deleteReaction'],
      ['insertReaction'],
      ['deleteMessage', 'deleteMessageReactions', 'deleteMessagePin', 'recountThreadOfMessage'],
    ]);
  });

  it("runs a reply after its message row, and a delete of a reply after the reply's own count", () => {
    const reply = (seq: number): HistoryChange => ({ op: 'threadReplyAdded', roomId: 'r1', seq, replyToSeq: 1, threadSeq: 1 });
    const changes = [sent('r1', 1), sent('r1', 2), reply(2), sent('r1', 3), reply(3), deleted('r1', 3), sent('r1', 4), reply(4)];
    const stages = planWrites(changes);
    expectSameMeaningAsOneByOne(changes, stages);
    expect(stages.map((stage) => stage.map((run) => run.statement))).toEqual([
      ['insertMessage', 'noteLastMessage', 'insertReply', 'recountThread'],
      ['insertMessage', 'noteLastMessage', 'deleteMessage', 'deleteMessageReactions', 'deleteMessagePin', 'recountThreadOfMessage', 'insertReply', 'recountThread'],
    ]);
  });

  it('lets room settings share a stage with the moves of their room, and keeps repeated settings in order', () => {
    const setting = (value: string, which: 'name' | 'topic' = 'name'): HistoryChange => ({
      op: 'roomSettingChanged', roomId: 'r1', setting: which, value,
    });
    const changes = [room('r1'), setting('a'), advanced('r1', 2), setting('b'), setting('t', 'topic'), advanced('r1', 4), sent('r1', 5), advanced('r1', 5)];
    const stages = planWrites(changes);
    expectSameMeaningAsOneByOne(changes, stages);
    expect(stages).toHaveLength(1);
    const run = stages[0]?.find((r) => r.statement === 'renameRoom');
    expect(run?.rows.map((row) => row.value)).toEqual(['a', 'b']);
  });

  it('gives an erasure a stage of its own: it blanks every earlier message of the sender, and none after it', () => {
    const erased: HistoryChange = { op: 'personalDataErased', userId: 'u1' };
    const roleChanged: HistoryChange = { op: 'userRoleChanged', userId: 'u2', role: 'auditor' };
    const changes = [sent('r1', 1), edited('r1', 1, 2), erased, sent('r2', 1), roleChanged];
    const stages = planWrites(changes);
    expect(stages.map((stage) => stage.map((run) => run.statement))).toEqual([
      ['insertMessage', 'noteLastMessage', 'copyTextToEdits', 'editMessage'],
      [
        'eraseUserEmail',
        'eraseUserEdits',
        'eraseUserMessages',
        'eraseUserReactions',
        'noteErasedReactor',
        'eraseUserFiles',
        'eraseUserAttachmentNames',
      ],
      ['insertMessage', 'noteLastMessage', 'changeUserRole'],
    ]);
    expectSameMeaningAsOneByOne(changes, stages);
  });

  it('splits a room advance seen before its creation (the creation must come first to be advanced)', () => {
    const changes = [advanced('r1', 3), room('r1')];
    expect(planWrites(changes)).toHaveLength(2);
  });

  it('keeps the meaning of one-by-one application for random batches', () => {
    let seed = 42;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const makers: Array<() => HistoryChange> = [
      () => room(`r${random(2)}`),
      () => advanced(`r${random(2)}`, random(50)),
      () => joined(`r${random(2)}`, `u${random(2)}`),
      () => left(`r${random(2)}`, `u${random(2)}`),
      () => roleChanged(`r${random(2)}`, `u${random(2)}`),
      () => sent(`r${random(2)}`, random(3)),
      () => edited(`r${random(2)}`, random(3), random(50)),
      () => deleted(`r${random(2)}`, random(3)),
      () => read(`u${random(2)}`, `r${random(2)}`, random(50)),
      () => user(`u${random(2)}`),
    ];
    for (let batch = 0; batch < 200; batch++) {
      const changes = Array.from({ length: 1 + random(30) }, () => makers[random(makers.length)]!());
      expectSameMeaningAsOneByOne(changes, planWrites(changes));
    }
  });

  it('plans nothing for no changes', () => {
    expect(planWrites([])).toEqual([]);
  });
});

describe('chunk (executeMany calls of one run)', () => {
  it('cuts at MAX_ROWS_PER_CALL and keeps the order', () => {
    const rows = Array.from({ length: 2 * MAX_ROWS_PER_CALL + 1 }, (_, i) => i);
    const chunks = chunk(rows);
    expect(chunks.map((c) => c.length)).toEqual([MAX_ROWS_PER_CALL, MAX_ROWS_PER_CALL, 1]);
    expect(chunks.flat()).toEqual(rows);
  });

  it('makes one call for exactly the limit and none for nothing', () => {
    expect(chunk(Array.from({ length: MAX_ROWS_PER_CALL }, () => 0))).toHaveLength(1);
    expect(chunk([])).toEqual([]);
  });

  it('refuses a size below 1', () => {
    expect(() => chunk([1], 0)).toThrow(/positive integer/);
  });
});

describe('friendship changes in a write plan', () => {
  it('gives a later change of the same pair (either direction) a stage of its own, and other pairs share one', () => {
    const at = Date.UTC(2025, 0, 1);
    const changes: HistoryChange[] = [
      { op: 'friendshipChanged', userId: 'u-a', friendId: 'u-b', status: 'pending', at },
      { op: 'friendshipChanged', userId: 'u-c', friendId: 'u-d', status: 'pending', at },
      { op: 'friendshipChanged', userId: 'u-b', friendId: 'u-a', status: 'none', at },
    ];
    expect(rowKeys(changes[0]!)).toEqual(rowKeys(changes[2]!));
    expect(planWrites(changes)).toHaveLength(2);
  });
});
