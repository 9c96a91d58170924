import { CommandRejectedError } from './errors.js';

// Text that people type ends up on other people's screens, in the audit log and in analysts' files, so it is
// normalised once, in the domain, before it becomes an event. Pure: the same input always gives the same output
// (or the same error), and normalising an already normalised text changes nothing.

/** Any code unit of a surrogate pair that has no partner (in `u` mode a well-formed pair is one code point). */
const LONE_SURROGATE = /\p{Cs}/u;

/** CRLF and lone CR (what HTML forms and Windows clients send) and the Unicode line/paragraph separators. */
const LINE_BREAK = /\r\n?|[\u2028\u2029]/g;

/**
 * Zero-width characters with no job in chat text but a long record of abuse (invisible padding, defeating
 * filters, look-alike names). ZWNJ (U+200C) and ZWJ (U+200D) are not here: emoji sequences (family, profession
 * and flag emoji) and scripts such as Persian and the Indic ones need them.
 */
const STRIPPED_ZERO_WIDTH = /[\u200B\u2060\uFEFF]/g;

/** Bidi embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder what follows them. */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;

/** Characters trimmed from both ends: Unicode whitespace, and a ZWNJ/ZWJ with nothing to join on one side. */
const EDGE_CHARACTER = /^[\p{White_Space}\u200C\u200D]$/u;

/**
 * Text made only of these looks empty on screen: whitespace and default-ignorable code points (ZWJ, ZWNJ,
 * variation selectors, the Hangul fillers U+3164/U+FFA0 popular for "blank" messages, tag characters, ...).
 */
const ONLY_INVISIBLE = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}]*$/u;

const WHITESPACE_RUN = /\p{White_Space}+/gu;

/** Length in Unicode code points, not UTF-16 units: 😀 counts as one, like the limit in API.md says. */
export function codePointLength(text: string): number {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // Only the high half of a pair is counted; callers have already refused lone surrogates.
    if (unit < 0xdc00 || unit > 0xdfff) length++;
  }
  return length;
}

/**
 * Trims EDGE_CHARACTERs from both ends. A loop rather than `/\s+$/`: that pattern backtracks quadratically over a
 * long run of inner spaces, and raw text is only bounded by the request size. (Every edge character is in the
 * BMP, so testing one UTF-16 unit at a time is exact.)
 */
function trimEdges(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && EDGE_CHARACTER.test(text.charAt(start))) start++;
  while (end > start && EDGE_CHARACTER.test(text.charAt(end - 1))) end--;
  return text.slice(start, end);
}

function codePointLabel(char: string): string {
  const codePoint = char.codePointAt(0) ?? 0;
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/**
 * The first C0 control, DEL or C1 control in the text, if any. Messages keep \n and \t; room names keep neither.
 * (A loop rather than a regular expression: character classes of control characters are what lint rules flag
 * as likely mistakes.)
 */
function firstControlCharacter(text: string, allowNewlineAndTab: boolean): string | undefined {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const isControl = unit <= 0x1f || (unit >= 0x7f && unit <= 0x9f);
    if (!isControl) continue;
    if (allowNewlineAndTab && (unit === 0x0a || unit === 0x09)) continue;
    return text.charAt(i);
  }
  return undefined;
}

type TextProblem =
  | { reason: 'lone-surrogate' }
  | { reason: 'control-character'; codePoint: string }
  | { reason: 'bidi-control'; codePoint: string }
  | { reason: 'empty' }
  | { reason: 'invisible-only' }
  | { reason: 'too-long'; maxLength: number; length: number };

/**
 * The steps both kinds of text share, in an order that keeps the result in NFC: zero-width characters are
 * stripped before composing, so "e\u200B\u0301" ends as "é" and not as a decomposed pair.
 */
function normaliseText(
  raw: string,
  maxLength: number,
  rules: { allowNewlineAndTab: boolean; collapseWhitespace: boolean },
): string | TextProblem {
  if (LONE_SURROGATE.test(raw)) return { reason: 'lone-surrogate' };
  const text = raw.replace(LINE_BREAK, '\n').replace(STRIPPED_ZERO_WIDTH, '').normalize('NFC');

  const control = firstControlCharacter(text, rules.allowNewlineAndTab);
  if (control !== undefined) return { reason: 'control-character', codePoint: codePointLabel(control) };
  const bidi = BIDI_CONTROL.exec(text);
  if (bidi) return { reason: 'bidi-control', codePoint: codePointLabel(bidi[0]) };

  let trimmed = trimEdges(text);
  if (rules.collapseWhitespace) trimmed = trimmed.replace(WHITESPACE_RUN, ' ');
  if (trimmed.length === 0) return { reason: 'empty' };
  if (ONLY_INVISIBLE.test(trimmed)) return { reason: 'invisible-only' };

  const length = codePointLength(trimmed);
  if (length > maxLength) return { reason: 'too-long', maxLength, length };
  return trimmed;
}

/**
 * Normalises a chat message: refuses lone surrogates, C0/C1 controls other than \n and \t, and bidi
 * override/embedding/isolate controls (INVALID_CONTENT); turns CR LF, CR, U+2028 and U+2029 into \n; strips
 * U+200B, U+2060 and U+FEFF; composes to NFC; trims Unicode whitespace; refuses text that is empty or only
 * invisible characters (EMPTY_CONTENT; with `allowEmpty` it becomes "") and text longer than `maxLength` code
 * points (MESSAGE_TOO_LONG).
 */
export function normaliseMessageText(raw: string, maxLength: number, options: { allowEmpty?: boolean } = {}): string {
  const result = normaliseText(raw, maxLength, { allowNewlineAndTab: true, collapseWhitespace: false });
  if (typeof result === 'string') return result;
  // A message that carries files may say nothing besides them (issue #16): its text is then "".
  if (options.allowEmpty === true && (result.reason === 'empty' || result.reason === 'invisible-only')) return '';
  switch (result.reason) {
    case 'lone-surrogate':
      throw new CommandRejectedError('INVALID_CONTENT', 'message text is not valid Unicode (lone surrogate)', {
        reason: result.reason,
      });
    case 'control-character':
      throw new CommandRejectedError('INVALID_CONTENT', `message text contains control character ${result.codePoint}`, {
        ...result,
      });
    case 'bidi-control':
      throw new CommandRejectedError(
        'INVALID_CONTENT',
        `message text contains bidirectional control ${result.codePoint}`,
        { ...result },
      );
    case 'empty':
    case 'invisible-only':
      throw new CommandRejectedError('EMPTY_CONTENT', 'message text is empty', { reason: result.reason });
    case 'too-long':
      throw new CommandRejectedError(
        'MESSAGE_TOO_LONG',
        `message text is ${result.length} characters, at most ${result.maxLength} allowed`,
        { maxLength: result.maxLength, length: result.length },
      );
    default: {
      const unreachable: never = result;
      throw new Error(`unhandled text problem ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Normalises a room name like a message, but a name is one line: every control character (\n and \t included)
 * and the line separators are refused, and runs of whitespace become one space. Every problem is
 * VALIDATION_FAILED with `details.field = 'name'` and a `reason`, since a name is a field of a request rather
 * than content.
 */
export function normaliseRoomName(raw: string, maxLength: number): string {
  if (/[\r\n\u2028\u2029]/.test(raw)) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'a room name must be a single line', {
      field: 'name',
      reason: 'line-break',
    });
  }
  const result = normaliseText(raw, maxLength, { allowNewlineAndTab: false, collapseWhitespace: true });
  if (typeof result === 'string') return result;
  const message =
    result.reason === 'too-long'
      ? `a room name is at most ${result.maxLength} characters`
      : result.reason === 'empty' || result.reason === 'invisible-only'
        ? 'a room name must not be empty'
        : 'a room name must be plain text';
  throw new CommandRejectedError('VALIDATION_FAILED', message, { field: 'name', ...result });
}

/** Longest room topic, in code points after normalising. */
export const MAX_ROOM_TOPIC_LENGTH = 250;

/**
 * Normalises a room topic by a room name's rules (one line of plain text, whitespace runs collapsed), except that a
 * topic may be empty: "" (or only whitespace) clears it. Problems are VALIDATION_FAILED with `details.field = 'topic'`.
 */
export function normaliseRoomTopic(raw: string, maxLength: number = MAX_ROOM_TOPIC_LENGTH): string {
  if (/[\r\n\u2028\u2029]/.test(raw)) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'a room topic must be a single line', {
      field: 'topic',
      reason: 'line-break',
    });
  }
  const result = normaliseText(raw, maxLength, { allowNewlineAndTab: false, collapseWhitespace: true });
  if (typeof result === 'string') return result;
  if (result.reason === 'empty') return '';
  const message =
    result.reason === 'too-long'
      ? `a room topic is at most ${result.maxLength} characters`
      : result.reason === 'invisible-only'
        ? 'a room topic must be visible text, or empty'
        : 'a room topic must be plain text';
  throw new CommandRejectedError('VALIDATION_FAILED', message, { field: 'topic', ...result });
}
