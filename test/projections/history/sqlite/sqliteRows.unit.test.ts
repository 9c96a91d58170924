import { describe, expect, it } from 'vitest';
import { HistoryRowError, messageView } from '../../../../src/projections/history/sqlite/sqliteRows.js';

const AT = Date.UTC(2026, 11, 7, 12, 0, 0);
const row = (overrides: Partial<Record<number, unknown>> = {}): unknown[] => {
  const base: unknown[] = [7, 'u-alice', 'hello', AT, null, 0, 0];
  for (const [index, value] of Object.entries(overrides)) base[Number(index)] = value;
  return base;
};

describe('messageView (a raw message row of a room, in MESSAGE_COLUMNS order)', () => {
  it('makes the view, with the parts other tables fill in empty', () => {
    expect(messageView('room-1', row({ 4: AT + 1000 }))).toEqual({
      messageId: 'room-1.7',
      roomId: 'room-1',
      seq: 7,
      senderId: 'u-alice',
      text: 'hello',
      createdAt: '2026-12-07T12:00:00.000Z',
      editedAt: '2026-12-07T12:00:01.000Z',
      deleted: false,
      erased: false,
      reactions: [],
      replyTo: null,
      threadId: null,
      replyCount: 0,
      lastReplyAt: null,
      mentions: [],
    });
  });

  it('shows no text for a deleted message and an empty one for an erased sender', () => {
    expect(messageView('room-1', row({ 5: 1 }))).toMatchObject({ text: null, deleted: true });
    expect(messageView('room-1', row({ 6: 1 }))).toMatchObject({ text: '', erased: true });
  });

  it.each([
    ['an object row', { seq: 7 }],
    ['a short row', [7, 'u-alice']],
    ['a text seq', row({ 0: '7' })],
    ['a fractional time', row({ 3: 1.5 })],
    ['a deleted flag of 2', row({ 5: 2 })],
    ['a numeric text', row({ 2: 42 })],
  ])('refuses %s', (_name, bad) => {
    expect(() => messageView('room-1', bad)).toThrow(HistoryRowError);
  });
});
