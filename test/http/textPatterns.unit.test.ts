import { describe, expect, it } from 'vitest';
import { DISPLAY_NAME_MAX, normaliseDisplayName, profileFieldProblem } from '../../src/commands/user/profileRules.js';
import { normaliseMessageText, normaliseRoomName, normaliseRoomTopic } from '../../src/domain/messageText.js';
import { MESSAGE_TEXT_PATTERN, ROOM_NAME_PATTERN, ROOM_TOPIC_PATTERN, trimmedLengthPattern } from '../../src/http/textPatterns.js';

// The document's patterns say which texts the deciders refuse; these tests hold each one against the decider's own
// function, one code point at a time over the whole of Unicode, so the two cannot drift apart.

/** Every code point but the surrogates (a JSON body from a well-behaved client never carries a lone one). */
function* codePoints(): Generator<string> {
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
    yield String.fromCodePoint(codePoint);
  }
}

function accepts(rule: (text: string) => unknown, text: string): boolean {
  try {
    rule(text);
    return true;
  } catch {
    return false;
  }
}

/** Where the pattern and the rule disagree, as code points, so a failure names the characters. */
function disagreements(pattern: string, rule: (text: string) => unknown, shape: (char: string) => string): string[] {
  const regex = new RegExp(pattern, 'u');
  const found: string[] = [];
  for (const char of codePoints()) {
    const text = shape(char);
    if (regex.test(text) !== accepts(rule, text)) found.push(`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
  }
  return found;
}

describe('text patterns of the OpenAPI document (unit)', () => {
  const message = (text: string) => normaliseMessageText(text, 1000);
  const roomName = (text: string) => normaliseRoomName(text, 100);

  it.each([
    ['alone', (char: string) => char],
    ['between letters', (char: string) => `a${char}b`],
    ['beside white space', (char: string) => ` ${char}\n`],
  ])('message text: the pattern refuses a character %s exactly when normaliseMessageText does', (_name, shape) => {
    expect(disagreements(MESSAGE_TEXT_PATTERN, message, shape)).toEqual([]);
  });

  it.each([
    ['alone', (char: string) => char],
    ['between letters', (char: string) => `a${char}b`],
    ['beside white space', (char: string) => ` ${char} `],
  ])('room name: the pattern refuses a character %s exactly when normaliseRoomName does', (_name, shape) => {
    expect(disagreements(ROOM_NAME_PATTERN, roomName, shape)).toEqual([]);
  });

  it.each(['', ' ', '\r\n', '\u200b\u2060', '\u3164', 'hi', ' hi\r\n', '👋🏽', 'e\u0301', '\u202Eevil', 'a\u0085b', 'x\u2028y'])(
    'message text %j and room name: pattern and rule agree on whole texts too',
    (text) => {
      expect(new RegExp(MESSAGE_TEXT_PATTERN, 'u').test(text)).toBe(accepts(message, text));
      expect(new RegExp(ROOM_NAME_PATTERN, 'u').test(text)).toBe(accepts(roomName, text));
    },
  );

  it.each([
    ['alone', (char: string) => char],
    ['between letters', (char: string) => `a${char}b`],
    ['beside white space', (char: string) => ` ${char} `],
  ])('room topic: the pattern refuses a character %s exactly when normaliseRoomTopic does', (_name, shape) => {
    expect(disagreements(ROOM_TOPIC_PATTERN, (text) => normaliseRoomTopic(text), shape)).toEqual([]);
  });

  it.each(['', ' ', '\u200b\u2060', ' \ufeff\u3000', '\u3164', '\u00ad', 'hi', '\u202Eevil', 'x\u2028y', '\t'])(
    'room topic %j: pattern and rule agree on whole texts too',
    (text) => {
      expect(new RegExp(ROOM_TOPIC_PATTERN, 'u').test(text)).toBe(accepts((t) => normaliseRoomTopic(t), text));
    },
  );

  it('display name: the pattern takes 1 to DISPLAY_NAME_MAX code points once trimmed, like the profile rules', () => {
    const regex = new RegExp(trimmedLengthPattern(DISPLAY_NAME_MAX), 'u');
    const rule = (text: string) => profileFieldProblem('displayName', normaliseDisplayName(text)) === undefined;
    const samples = [
      '',
      ' ',
      '\u3000\ufeff',
      'a',
      ' a ',
      '\u0085',
      'x'.repeat(DISPLAY_NAME_MAX),
      ` ${'x'.repeat(DISPLAY_NAME_MAX)}\t`,
      'x'.repeat(DISPLAY_NAME_MAX + 1),
      '😀'.repeat(DISPLAY_NAME_MAX),
      '😀'.repeat(DISPLAY_NAME_MAX + 1),
      `a${' '.repeat(DISPLAY_NAME_MAX - 2)}b`,
      `a${' '.repeat(DISPLAY_NAME_MAX - 1)}b`,
      'line\nbreak',
    ];
    for (const char of codePoints()) samples.push(char, `${char}${char}`);
    const found = samples.filter((text) => regex.test(text) !== rule(text));
    expect(found).toEqual([]);
  });
});
