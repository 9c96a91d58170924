import { describe, expect, it } from 'vitest';
import {
  EMPTY_CHECKPOINT,
  advance,
  advanceAll,
  checkpointEntries,
  checkpointFromEntries,
  checkpointOf,
  covers,
  coversAll,
  lag,
  mergeCheckpoints,
  parseCheckpoint,
  partitionsOf,
  positionIn,
  serializeCheckpoint,
} from '../../src/eventlog/checkpoint.js';
import { InvalidCheckpointError } from '../../src/eventlog/eventLogErrors.js';

const at = (partition: number, position: number) => ({ partition, position });

describe('Checkpoint', () => {
  it('starts empty: every partition at 0, nothing covered', () => {
    expect(EMPTY_CHECKPOINT).toEqual({});
    expect(positionIn(EMPTY_CHECKPOINT, 7)).toBe(0);
    expect(covers(EMPTY_CHECKPOINT, at(0, 1))).toBe(false);
    expect(Object.isFrozen(EMPTY_CHECKPOINT)).toBe(true);
  });

  it('advances per partition, never backwards, without touching the original', () => {
    const start = advance(EMPTY_CHECKPOINT, at(3, 10));
    const next = advanceAll(start, [at(0, 2), at(3, 4), at(0, 5), at(3, 11)]);
    expect(start).toEqual({ 3: 10 });
    expect(next).toEqual({ 0: 5, 3: 11 });
    expect(Object.isFrozen(next)).toBe(true);
    // Nothing moved: the same object back, so callers can cheaply tell.
    expect(advanceAll(next, [at(0, 1), at(3, 11)])).toBe(next);
  });

  it('covers an event at or below its partition position, and only in its own partition', () => {
    const checkpoint = { 0: 5, 2: 9 };
    expect(covers(checkpoint, at(0, 5))).toBe(true);
    expect(covers(checkpoint, at(0, 6))).toBe(false);
    expect(covers(checkpoint, at(1, 1))).toBe(false);
    expect(covers(checkpoint, at(2, 3))).toBe(true);
  });

  it('covers a target checkpoint only when every partition it names is reached', () => {
    expect(coversAll({ 0: 5, 1: 3 }, { 0: 5 })).toBe(true);
    expect(coversAll({ 0: 5, 1: 3 }, { 0: 5, 1: 4 })).toBe(false);
    expect(coversAll({ 0: 5 }, { 2: 1 })).toBe(false);
    expect(coversAll(EMPTY_CHECKPOINT, EMPTY_CHECKPOINT)).toBe(true);
  });

  it('takes the last event per partition of what was appended, in any order', () => {
    expect(checkpointOf([at(4, 8), at(1, 2), at(4, 6), at(1, 3)])).toEqual({ 1: 3, 4: 8 });
    expect(checkpointOf([])).toEqual(EMPTY_CHECKPOINT);
  });

  it('merges two checkpoints by the furthest of each partition', () => {
    expect(mergeCheckpoints({ 0: 5, 1: 9 }, { 1: 3, 2: 4 })).toEqual({ 0: 5, 1: 9, 2: 4 });
  });

  it('measures lag as the positions behind the head, summed over partitions, never negative', () => {
    expect(lag({ 0: 10, 1: 4, 2: 7 }, { 0: 8, 1: 4 })).toBe(2 + 0 + 7);
    expect(lag({ 0: 3 }, { 0: 9, 5: 1 })).toBe(0);
    expect(lag(EMPTY_CHECKPOINT, { 0: 3 })).toBe(0);
  });

  it('lists partitions in numeric order (11 after 2)', () => {
    expect(partitionsOf({ 11: 1, 2: 1, 0: 1 })).toEqual([0, 2, 11]);
    expect(checkpointEntries({ 11: 4, 2: 1 })).toEqual([
      [2, 1],
      [11, 4],
    ]);
  });

  it('round-trips through JSON with partitions in order, and through store rows', () => {
    const checkpoint = checkpointOf([at(11, 4), at(2, 1), at(0, 77)]);
    const json = serializeCheckpoint(checkpoint);
    expect(json).toBe('{"0":77,"2":1,"11":4}');
    expect(parseCheckpoint(json)).toEqual(checkpoint);
    expect(parseCheckpoint('{}')).toEqual(EMPTY_CHECKPOINT);
    expect(checkpointFromEntries(checkpointEntries(checkpoint))).toEqual(checkpoint);
    // A stored 0 is "nothing applied": it is left out rather than kept as noise.
    expect(checkpointFromEntries([[0, 0], [1, 5]])).toEqual({ 1: 5 });
  });

  it.each([
    ['not JSON', '{'],
    ['an array', '[1,2]'],
    ['a negative partition', '{"-1":3}'],
    ['a fractional partition', '{"1.5":3}'],
    ['a string position', '{"0":"3"}'],
    ['a negative position', '{"0":-3}'],
    ['a fractional position', '{"0":2.5}'],
    ['null', 'null'],
  ])('refuses %s with a typed error instead of starting over', (_what, json) => {
    expect(() => parseCheckpoint(json)).toThrow(InvalidCheckpointError);
    try {
      parseCheckpoint(json);
    } catch (error) {
      expect(error).toMatchObject({ code: 'CHECKPOINT_INVALID' });
    }
  });

  it('refuses to advance to a place that cannot exist', () => {
    expect(() => advance(EMPTY_CHECKPOINT, at(-1, 3))).toThrow(InvalidCheckpointError);
    expect(() => advance(EMPTY_CHECKPOINT, at(0, 0))).toThrow(InvalidCheckpointError);
    expect(() => advance(EMPTY_CHECKPOINT, at(0, Number.NaN))).toThrow(InvalidCheckpointError);
    expect(() => checkpointFromEntries([[1, 2], [1, 3]])).toThrow(/twice/);
  });
});
