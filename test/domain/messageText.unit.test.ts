import { describe, expect, it } from 'vitest';
import { codePointLength, normaliseMessageText, normaliseRoomName } from '../../src/domain/messageText.js';
import { ChatError, CommandRejectedError } from '../../src/domain/errors.js';

function rejectionOf(action: () => unknown): ChatError {
  try {
    action();
  } catch (error) {
    if (error instanceof ChatError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const MAX = 1000;
const emoji = '😀'; // one code point, two UTF-16 units
const family = '👨\u200D👩\u200D👧'; // ZWJ sequence: five code points

describe('normaliseMessageText', () => {
  describe('accepts and normalises', () => {
    it.each([
      ['plain text', 'hello', 'hello'],
      ['surrounding ASCII whitespace', '  hello \t\n', 'hello'],
      ['surrounding Unicode whitespace (NBSP, ideographic space, em space)', '\u00A0\u3000hello\u2003', 'hello'],
      ['inner newlines and tabs', 'a\n\tb', 'a\n\tb'],
      ['CR LF and lone CR become LF', 'a\r\nb\rc', 'a\nb\nc'],
      ['line and paragraph separators become LF', 'a\u2028b\u2029c', 'a\nb\nc'],
      ['e + U+0301 composes to é (NFC)', 'e\u0301', '\u00E9'],
      ['a zero-width space between e and U+0301 is stripped before composing', 'e\u200B\u0301', '\u00E9'],
      ['zero-width space, word joiner and BOM are stripped', 'a\u200Bb\u2060c\uFEFFd', 'abcd'],
      ['ZWJ inside an emoji sequence is kept', family, family],
      ['ZWNJ inside Persian text is kept', 'می\u200Cخواهم', 'می\u200Cخواهم'],
      ['emoji with a variation selector is kept', '\u2764\uFE0F', '\u2764\uFE0F'],
      ['a dangling ZWJ at the edges is trimmed', '\u200Dhi\u200D', 'hi'],
      ['right-to-left text without bidi controls', 'שלום עולם', 'שלום עולם'],
      ['left-to-right and right-to-left marks (not overrides)', 'a\u200Fb\u200Ec', 'a\u200Fb\u200Ec'],
    ])('%s', (_name, raw, expected) => {
      expect(normaliseMessageText(raw, MAX)).toBe(expected);
    });

    it('composed and decomposed spellings normalise to the same text', () => {
      expect(normaliseMessageText('caf\u00E9', MAX)).toBe(normaliseMessageText('cafe\u0301', MAX));
    });

    it('is idempotent', () => {
      for (const raw of ['  e\u0301\u200B x \r\n', family, 'a\u2028b', '\u3000 hi \u200D']) {
        const once = normaliseMessageText(raw, MAX);
        expect(normaliseMessageText(once, MAX)).toBe(once);
      }
    });
  });

  describe('refuses', () => {
    it.each([
      ['nothing at all', ''],
      ['only spaces', '   '],
      ['only newlines and tabs', '\n\t\n'],
      ['only Unicode whitespace', '\u00A0\u3000\u2003'],
      ['only zero-width spaces', '\u200B\u200B'],
      ['only ZWJ and ZWNJ', '\u200D\u200C\u200D'],
      ['only word joiner and BOM', '\u2060\uFEFF'],
      ['only a Hangul filler (the classic "blank" message)', '\u3164'],
      ['only a variation selector and a soft hyphen', '\uFE0F\u00AD'],
      ['only left-to-right marks', '\u200E\u200E'],
    ])('%s as EMPTY_CONTENT', (_name, raw) => {
      const error = rejectionOf(() => normaliseMessageText(raw, MAX));
      expect(error).toBeInstanceOf(CommandRejectedError);
      expect(error.code).toBe('EMPTY_CONTENT');
    });

    it.each([
      ['a lone high surrogate', 'a\uD83Db', 'lone-surrogate'],
      ['a lone low surrogate', 'a\uDE00b', 'lone-surrogate'],
      ['a reversed surrogate pair', '\uDE00\uD83D', 'lone-surrogate'],
      ['NUL', 'a\u0000b', 'control-character'],
      ['BEL', 'a\u0007b', 'control-character'],
      ['ESC (terminal escape sequences)', '\u001B[31mred', 'control-character'],
      ['vertical tab', 'a\u000Bb', 'control-character'],
      ['form feed', 'a\u000Cb', 'control-character'],
      ['DEL', 'a\u007Fb', 'control-character'],
      ['C1 NEL', 'a\u0085b', 'control-character'],
      ['C1 CSI', 'a\u009Bb', 'control-character'],
      ['right-to-left override (filename spoofing)', 'invoice\u202Egpj.exe', 'bidi-control'],
      ['left-to-right embedding', '\u202Aabc', 'bidi-control'],
      ['right-to-left embedding', '\u202Babc', 'bidi-control'],
      ['pop directional formatting', 'abc\u202C', 'bidi-control'],
      ['left-to-right override', '\u202Dabc', 'bidi-control'],
      ['left-to-right isolate', '\u2066abc', 'bidi-control'],
      ['right-to-left isolate', '\u2067abc', 'bidi-control'],
      ['first strong isolate', '\u2068abc', 'bidi-control'],
      ['pop directional isolate', 'abc\u2069', 'bidi-control'],
    ])('%s as INVALID_CONTENT', (_name, raw, reason) => {
      const error = rejectionOf(() => normaliseMessageText(raw, MAX));
      expect(error).toBeInstanceOf(CommandRejectedError);
      expect(error.code).toBe('INVALID_CONTENT');
      expect(error.details).toMatchObject({ reason });
    });

    it('names the offending code point', () => {
      const error = rejectionOf(() => normaliseMessageText('x\u202Ey', MAX));
      expect(error.details).toEqual({ reason: 'bidi-control', codePoint: 'U+202E' });
      expect(rejectionOf(() => normaliseMessageText('x\u0007', MAX)).details).toEqual({
        reason: 'control-character',
        codePoint: 'U+0007',
      });
    });

    it('refuses a control character even at the edge, where trimming would have hidden it', () => {
      expect(rejectionOf(() => normaliseMessageText('hi\u000B', MAX)).code).toBe('INVALID_CONTENT');
    });
  });

  describe('length in code points', () => {
    it.each([
      ['1000 ASCII characters', 'a'.repeat(1000), 1000],
      ['1000 astral emoji (2000 UTF-16 units)', emoji.repeat(1000), 1000],
      ['999 letters and one emoji', 'a'.repeat(999) + emoji, 1000],
      ['1000 decomposed é that compose to 1000 code points', 'e\u0301'.repeat(1000), 1000],
      ['1000 characters once surrounding spaces are trimmed', `  ${'a'.repeat(1000)}  `, 1000],
      ['1000 characters once zero-width spaces are stripped', `${'a'.repeat(500)}\u200B${'a'.repeat(500)}`, 1000],
    ])('accepts %s', (_name, raw, length) => {
      expect(codePointLength(normaliseMessageText(raw, MAX))).toBe(length);
    });

    it.each([
      ['1001 ASCII characters', 'a'.repeat(1001)],
      ['1001 astral emoji', emoji.repeat(1001)],
      ['1000 letters and one emoji', 'a'.repeat(1000) + emoji],
    ])('refuses %s as MESSAGE_TOO_LONG', (_name, raw) => {
      const error = rejectionOf(() => normaliseMessageText(raw, MAX));
      expect(error).toBeInstanceOf(CommandRejectedError);
      expect(error.code).toBe('MESSAGE_TOO_LONG');
      expect(error.details).toEqual({ maxLength: 1000, length: 1001 });
    });

    it('counts a ZWJ emoji sequence by its code points', () => {
      expect(codePointLength(family)).toBe(5);
      expect(normaliseMessageText(family, 5)).toBe(family);
      expect(rejectionOf(() => normaliseMessageText(family, 4)).code).toBe('MESSAGE_TOO_LONG');
    });

    it('stays linear on huge raw input (no backtracking trim over inner whitespace)', () => {
      const started = performance.now();
      expect(rejectionOf(() => normaliseMessageText(`a${' '.repeat(200_000)}a`, MAX)).code).toBe('MESSAGE_TOO_LONG');
      expect(normaliseMessageText(`${' '.repeat(200_000)}x${'\u3000'.repeat(200_000)}`, MAX)).toBe('x');
      expect(performance.now() - started).toBeLessThan(1000);
    });

    it('honours the configured limit', () => {
      expect(normaliseMessageText('abc', 3)).toBe('abc');
      expect(rejectionOf(() => normaliseMessageText('abcd', 3)).details).toEqual({ maxLength: 3, length: 4 });
    });
  });
});

describe('normaliseRoomName', () => {
  it.each([
    ['plain name', 'General', 'General'],
    ['trims and collapses whitespace', '  Team \u3000  chat  ', 'Team chat'],
    ['composes to NFC', 'Cafe\u0301', 'Caf\u00E9'],
    ['strips zero-width spaces', 'Ro\u200Bom', 'Room'],
    ['keeps emoji', '🎉 Party', '🎉 Party'],
  ])('accepts %s', (_name, raw, expected) => {
    expect(normaliseRoomName(raw, 100)).toBe(expected);
  });

  it.each([
    ['a newline', 'two\nlines', 'line-break'],
    ['a carriage return', 'two\rlines', 'line-break'],
    ['a line separator', 'two\u2028lines', 'line-break'],
    ['a tab', 'a\tb', 'control-character'],
    ['a control character', 'a\u0007b', 'control-character'],
    ['a bidi override', 'a\u202Eb', 'bidi-control'],
    ['a lone surrogate', 'a\uD800', 'lone-surrogate'],
    ['an empty name', '   ', 'empty'],
    ['an invisible name', '\u3164\u200D', 'invisible-only'],
    ['a name over the limit', 'x'.repeat(101), 'too-long'],
  ])('refuses %s as VALIDATION_FAILED', (_name, raw, reason) => {
    const error = rejectionOf(() => normaliseRoomName(raw, 100));
    expect(error).toBeInstanceOf(CommandRejectedError);
    expect(error.code).toBe('VALIDATION_FAILED');
    expect(error.details).toMatchObject({ field: 'name', reason });
  });

  it('counts the limit in code points', () => {
    expect(normaliseRoomName(emoji.repeat(100), 100)).toBe(emoji.repeat(100));
    expect(rejectionOf(() => normaliseRoomName(emoji.repeat(101), 100)).details).toMatchObject({
      maxLength: 100,
      length: 101,
    });
  });
});
