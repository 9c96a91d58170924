import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../src/gateway/protocol.js';

describe('parseClientFrame', () => {
  it('accepts every client frame of API.md', () => {
    const frames = [
      { type: 'auth', token: 't' },
      { type: 'room.subscribe', roomId: 'r', afterSeq: 0 },
      { type: 'room.subscribe', roomId: 'r' },
      { type: 'room.unsubscribe', roomId: 'r', id: 1 },
      { type: 'chat.send', roomId: 'r', text: 'hi', clientMessageId: 'c-1' },
      { type: 'chat.edit', messageId: 'r.1', text: 'hi' },
      { type: 'chat.delete', messageId: 'r.1' },
      { type: 'chat.typing', roomId: 'r' },
      { type: 'chat.read', roomId: 'r', seq: 3 },
      { type: 'pong' },
    ];
    for (const frame of frames) expect(parseClientFrame(JSON.stringify(frame))).toMatchObject({ ok: true, frame });
  });

  it('answers chat.send by its clientMessageId and other frames by their id', () => {
    expect(parseClientFrame(JSON.stringify({ type: 'chat.send', roomId: 'r', text: 'x', clientMessageId: 'c-9', id: 'ignored' }))).toMatchObject({ ref: 'c-9' });
    expect(parseClientFrame(JSON.stringify({ type: 'chat.typing', roomId: 'r', id: 12 }))).toMatchObject({ ref: 12 });
  });

  it.each([
    ['not JSON', '{', 'INVALID_JSON', undefined],
    ['null', 'null', 'VALIDATION_FAILED', undefined],
    ['a number type', '{"type": 1, "id": "n"}', 'VALIDATION_FAILED', 'n'],
    ['an unknown type', '{"type": "nope", "id": "u"}', 'UNKNOWN_TYPE', 'u'],
    ['an inherited property name as type', '{"type": "toString"}', 'UNKNOWN_TYPE', undefined],
    ['an extra field', '{"type": "pong", "extra": 1, "id": "x"}', 'VALIDATION_FAILED', 'x'],
    ['an id too long to echo', `{"type": "pong", "extra": 1, "id": "${'i'.repeat(101)}"}`, 'VALIDATION_FAILED', undefined],
    ['a huge afterSeq', '{"type": "room.subscribe", "roomId": "r", "afterSeq": 1e300}', 'VALIDATION_FAILED', undefined],
  ])('refuses %s with %s', (_name, text, code, ref) => {
    const parsed = parseClientFrame(text);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect({ code: parsed.error.code, ref: parsed.ref }).toEqual({ code, ref });
  });
});
