import { describe, expect, it } from 'vitest';
import { OptionInvalidError } from '../../src/analysis/replayErrors.js';
import { MAX_DEFAULT_JOBS, parseJobs, parsePosition, parseReplayQuery } from '../../src/analysis/replayQuery.js';

function refused(run: () => unknown): OptionInvalidError {
  try {
    run();
  } catch (error) {
    if (error instanceof OptionInvalidError) return error;
    throw error;
  }
  throw new Error('expected an OptionInvalidError');
}

describe('parseReplayQuery', () => {
  it('defaults to every event as JSON Lines on stdout', () => {
    expect(parseReplayQuery({})).toEqual({ types: new Set(), format: 'jsonl', after: undefined, until: undefined, sinceMs: undefined, untilMs: undefined, roomId: undefined, userId: undefined, output: undefined });
  });

  it('reads every flag', () => {
    const query = parseReplayQuery({
      after: '10',
      until: '0:20,3:7',
      since: '2026-11-21',
      untilTime: '2026-11-22T00:00:00Z',
      room: 'r-1',
      user: 'u_2',
      type: ['MessageSent', 'MessageEdited'],
      format: 'csv',
      output: 'out.csv',
    });
    expect(query).toEqual({
      after: { 0: 10 },
      until: { 0: 20, 3: 7 },
      sinceMs: Date.UTC(2026, 10, 21),
      untilMs: Date.UTC(2026, 10, 22),
      roomId: 'r-1',
      userId: 'u_2',
      types: new Set(['MessageSent', 'MessageEdited']),
      format: 'csv',
      output: 'out.csv',
    });
  });

  it('reads a time without a zone as UTC and honours an explicit offset', () => {
    expect(parseReplayQuery({ since: '2026-11-21T10:00' }).sinceMs).toBe(Date.UTC(2026, 10, 21, 10));
    expect(parseReplayQuery({ since: '2026-11-21T10:00:00+02:00' }).sinceMs).toBe(Date.UTC(2026, 10, 21, 8));
  });

  it.each([
    [{ type: ['MessageSend'] }, '--type', 'unknown event type "MessageSend"'],
    [{ format: 'xml' }, '--format', '"xml" is not a format'],
    [{ since: 'yesterday' }, '--since', 'not an ISO-8601 time'],
    [{ untilTime: '2026-13-45' }, '--until-time', 'not a valid date'],
    [{ since: '2026-11-22', untilTime: '2026-11-21' }, '--until-time', 'must be after --since'],
    [{ room: 'room with spaces' }, '--room', 'not an id'],
    [{ user: '' }, '--user', 'not an id'],
    [{ after: '-1' }, '--after', 'not a position'],
    [{ until: '0:1,0:2' }, '--until', 'partition 0 appears twice'],
    [{ after: '{"a":1}' }, '--after', 'not a partition number'],
    [{ output: ' ' }, '--output', 'empty file name'],
  ])('refuses %j naming %s', (flags, option, message) => {
    const error = refused(() => parseReplayQuery(flags));
    expect(error.code).toBe('OPTION_INVALID');
    expect(error.option).toBe(option);
    expect(error.message).toContain(option);
    expect(error.message).toContain(message);
  });
});

describe('parsePosition', () => {
  it('reads a plain number as partition 0, pairs per partition, and stored checkpoint JSON', () => {
    expect(parsePosition('--after', '42')).toEqual({ 0: 42 });
    expect(parsePosition('--after', '1:5,0:3')).toEqual({ 0: 3, 1: 5 });
    expect(parsePosition('--after', '{"2":9}')).toEqual({ 2: 9 });
    expect(parsePosition('--after', '0')).toEqual({});
  });
});

describe('parseJobs', () => {
  it('defaults to one worker per core, at most MAX_DEFAULT_JOBS, at least one', () => {
    expect(parseJobs(undefined, 2)).toBe(2);
    expect(parseJobs(undefined, 1)).toBe(1);
    expect(parseJobs(undefined, 64)).toBe(MAX_DEFAULT_JOBS);
  });

  it('takes 1 to 64 and refuses anything else as OPTION_INVALID naming --jobs', () => {
    expect(parseJobs('1', 8)).toBe(1);
    expect(parseJobs('6', 2)).toBe(6);
    for (const bad of ['0', '-1', '2.5', 'two', '', '65']) {
      expect(() => parseJobs(bad, 2)).toThrow(expect.objectContaining({ code: 'OPTION_INVALID', message: expect.stringContaining('--jobs') }));
    }
  });
});
