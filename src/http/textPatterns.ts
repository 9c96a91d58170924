// The text rules the deciders own (domain/messageText.ts, commands/user/profileRules.ts), and the character rules
// of usernames and passwords (schemas.ts, auth/passwordPolicy.ts), spelled as JSON Schema patterns for the OpenAPI
// document. The rules still decide, with their own codes (EMPTY_CONTENT, INVALID_CONTENT, WEAK_PASSWORD,
// VALIDATION_FAILED with a reason): these only tell clients, and Schemathesis, which texts will be refused.
// textPatterns.unit.test.ts holds each pattern against its rule for every code point.
//
// Written for three regex engines at once: ECMA-262 in `u` mode (what JSON Schema names, and what the test uses),
// Python's `re` (Schemathesis draws values with it) and Rust's `regex` (it validates with it). So: no lookarounds, no
// \s or \p{...} (each engine reads them differently), BMP characters as \u and four hex digits, the few astral ones as themselves.

type Range = readonly [from: number, to: number];

/** Unicode's White_Space property (what \p{White_Space} matches in messageText.ts). */
const WHITE_SPACE: readonly Range[] = [
  [0x09, 0x0d], [0x20, 0x20], [0x85, 0x85], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029],
  [0x202f, 0x202f], [0x205f, 0x205f], [0x3000, 0x3000],
];

/** Unicode's Default_Ignorable_Code_Point property: characters that show nothing. */
const DEFAULT_IGNORABLE: readonly Range[] = [
  [0xad, 0xad], [0x34f, 0x34f], [0x61c, 0x61c], [0x115f, 0x1160], [0x17b4, 0x17b5], [0x180b, 0x180f],
  [0x200b, 0x200f], [0x202a, 0x202e], [0x2060, 0x206f], [0x3164, 0x3164], [0xfe00, 0xfe0f], [0xfeff, 0xfeff],
  [0xffa0, 0xffa0], [0xfff0, 0xfff8], [0x1bca0, 0x1bca3], [0x1d173, 0x1d17a], [0xe0000, 0xe0fff],
];

/** What String.prototype.trim removes (normaliseDisplayName). */
const TRIMMED: readonly Range[] = [
  [0x09, 0x0d], [0x20, 0x20], [0xa0, 0xa0], [0x1680, 0x1680], [0x2000, 0x200a], [0x2028, 0x2029], [0x202f, 0x202f],
  [0x205f, 0x205f], [0x3000, 0x3000], [0xfeff, 0xfeff],
];

/** C0 controls, DEL and C1 controls. */
const CONTROLS: readonly Range[] = [[0x00, 0x1f], [0x7f, 0x9f]];
/** Bidi embeddings, overrides and isolates. */
const BIDI_CONTROLS: readonly Range[] = [[0x202a, 0x202e], [0x2066, 0x2069]];
/** What a message keeps of the controls: tab and line breaks (CR is turned into LF). */
const TAB_AND_LINE_BREAKS: readonly Range[] = [[0x09, 0x0a], [0x0d, 0x0d]];
/** Line and paragraph separators: line breaks in a message, refused in a room name. */
const LINE_SEPARATORS: readonly Range[] = [[0x2028, 0x2029]];

/**
 * A message text (normaliseMessageText): no control but tab, LF and CR, no bidi control, something visible (not
 * white space, not default-ignorable). Its length limit is the document's maxLength, in code points.
 */
export const MESSAGE_TEXT_PATTERN = somethingVisible(without(union(CONTROLS, BIDI_CONTROLS), TAB_AND_LINE_BREAKS));

/**
 * A message text that carries files (issue #16): the same characters, but it may say nothing at all. Whether it may
 * be empty depends on `attachments`, which a pattern cannot see: the room decider answers EMPTY_CONTENT.
 */
export const MESSAGE_TEXT_WITH_FILES_PATTERN = `^${characterClass(without(union(CONTROLS, BIDI_CONTROLS), TAB_AND_LINE_BREAKS), { negated: true })}*$`;

/** A room name (normaliseRoomName): one line, no control character at all, no bidi control, something visible. */
export const ROOM_NAME_PATTERN = somethingVisible(union(CONTROLS, BIDI_CONTROLS, LINE_SEPARATORS));

/**
 * What leaves nothing of a text made only of it (messageText.ts), besides white space: the stripped zero width
 * space, word joiner and BOM, and the zero width (non-)joiners trimmed at the edges.
 */
const BLANK_EXTRAS: readonly Range[] = [[0x200b, 0x200d], [0x2060, 0x2060], [0xfeff, 0xfeff]];

/**
 * A room topic (normaliseRoomTopic): a room name's characters, but it may also be blank (white space and stripped
 * zero-width characters only, which clears the topic). Its length limit is the document's maxLength.
 */
export const ROOM_TOPIC_PATTERN = ((): string => {
  const refused = union(CONTROLS, BIDI_CONTROLS, LINE_SEPARATORS);
  const blank = characterClass(without(union(WHITE_SPACE, BLANK_EXTRAS), refused), { negated: false });
  return `^(?:${blank}*|${somethingVisible(refused).slice(1, -1)})$`;
})();

/** A display name (normaliseDisplayName, profileFieldProblem): 1 to `max` code points once trimmed. */
export function trimmedLengthPattern(max: number): string {
  const kept = characterClass(TRIMMED, { negated: true });
  const trimmed = characterClass(TRIMMED, { negated: false });
  return `^${trimmed}*${kept}(?:[\\s\\S]{0,${max - 2}}${kept})?${trimmed}*$`;
}

/**
 * The class of every code point `character` matches on its own: a rule that names Unicode properties (\p{L}, which
 * Python's `re` cannot read, and Rust's `regex` reads by another Unicode version) spelled as the ranges this runtime
 * gives them, so the document says exactly what the server's own regex does. Found by trying each code point but the
 * surrogates (no well-formed JSON text carries a lone one, and Rust's `regex` cannot name them), once per rule.
 * A scan takes about a twentieth of a second, which no process start should pay for a document it may never serve:
 * a schema asks for the class from a getter in its `.meta()`, which only generating the document reads.
 */
export function characterClassOf(character: RegExp): string {
  if (character.global || character.sticky) throw new Error(`${String(character)}: a stateful regex cannot be scanned`);
  const key = String(character);
  let found = scannedClasses.get(key);
  if (found === undefined) {
    const matched = codePointsMatching(character);
    // Most of Unicode (a symbol: anything but letters, marks, digits and spaces) is said as what it is not.
    // Hypothesis draws from a class by listing each of its code points, so a million of them costs it seconds
    // every time it builds a strategy.
    found =
      size(matched) > SCALAR_VALUES / 2
        ? characterClass(without([[0, 0x10ffff]], union(matched, SURROGATES)), { negated: true })
        : characterClass(matched, { negated: false });
    scannedClasses.set(key, found);
  }
  return found;
}

const scannedClasses = new Map<string, string>();
const SURROGATES: readonly Range[] = [[0xd800, 0xdfff]];
/** Code points that are not surrogates: what a JSON text can carry. */
const SCALAR_VALUES = 0x110000 - 0x800;

const size = (ranges: readonly Range[]): number => ranges.reduce((total, [from, to]) => total + to - from + 1, 0);

function codePointsMatching(character: RegExp): Range[] {
  const ranges: Range[] = [];
  let from: number | undefined;
  for (let codePoint = 0; codePoint <= 0x110000; codePoint++) {
    const surrogate = codePoint >= 0xd800 && codePoint <= 0xdfff;
    const matches = codePoint <= 0x10ffff && !surrogate && character.test(String.fromCodePoint(codePoint));
    if (matches && from === undefined) from = codePoint;
    if (!matches && from !== undefined) {
      ranges.push([from, codePoint - 1]);
      from = undefined;
    }
  }
  return ranges;
}

function somethingVisible(refused: readonly Range[]): string {
  const allowed = characterClass(refused, { negated: true });
  const visible = characterClass(union(refused, WHITE_SPACE, DEFAULT_IGNORABLE), { negated: true });
  return `^${allowed}*${visible}${allowed}*$`;
}

function union(...sets: (readonly Range[])[]): Range[] {
  const sorted = sets.flat().toSorted((a, b) => a[0] - b[0]);
  const merged: Range[] = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last && from <= last[1] + 1) merged[merged.length - 1] = [last[0], Math.max(last[1], to)];
    else merged.push([from, to]);
  }
  return merged;
}

function without(set: readonly Range[], removed: readonly Range[]): Range[] {
  let rest = union(set);
  for (const [from, to] of removed) {
    rest = rest.flatMap(([a, b]): Range[] => {
      if (to < a || from > b) return [[a, b]];
      const parts: Range[] = [];
      if (a < from) parts.push([a, from - 1]);
      if (b > to) parts.push([to + 1, b]);
      return parts;
    });
  }
  return rest;
}

function characterClass(ranges: readonly Range[], options: { negated: boolean }): string {
  const body = union(ranges)
    .map(([from, to]) => (from === to ? escape(from) : `${escape(from)}-${escape(to)}`))
    .join('');
  return `[${options.negated ? '^' : ''}${body}]`;
}

function escape(codePoint: number): string {
  return codePoint > 0xffff ? String.fromCodePoint(codePoint) : `\\u${codePoint.toString(16).padStart(4, '0')}`;
}
