import { CommandRejectedError } from './errors.js';

// What may be a reaction (API.md "Conversations": one grapheme or `:short_name:`). The rule, so that a reaction is
// always an emoji and never a way to post text:
// - a `:short_name:` of 1 to 32 lowercase ASCII letters, digits, `_`, `+` or `-` between colons (`:+1:`,
//   `:party_parrot:`): the names chat clients map to custom or standard emoji; or
// - exactly one extended grapheme cluster (Intl.Segmenter) holding at least one Extended_Pictographic or
//   Regional_Indicator code point, or a keycap sequence, i.e. an emoji, a flag (two regional indicators), a keycap (`1️⃣`), a ZWJ
//   sequence or an emoji with a skin tone; at most MAX_EMOJI_CODE_POINTS code points (the longest RGI sequences
//   are 10) and no control, format-other-than-ZWJ/VS or private-use code points around it.
// The value is kept as sent (no normalisation): emoji sequences are already in their one canonical form, and two
// spellings of one emoji are two reactions, as in every client that renders them.

/** How many distinct emoji one message may carry; a new one beyond it is refused (VALIDATION_FAILED). */
export const MAX_REACTIONS_PER_MESSAGE = 20;

/** Bound on the code points of one emoji grapheme: the longest RGI emoji ZWJ sequences have 10. */
export const MAX_EMOJI_CODE_POINTS = 16;

export const SHORT_NAME_PATTERN = /^:[a-z0-9_+-]{1,32}:$/;

/** An emoji code point, or a keycap sequence (`1️⃣`: digit, #, or *, then VS16 and U+20E3), which has none. */
const PICTOGRAPHIC = /[\p{Extended_Pictographic}\p{Regional_Indicator}]|^[0-9#*]\uFE0F?\u20E3$/u;
/** Controls, unassigned, private use and surrogates; format characters except ZWJ (U+200D) and the tag block. */
const FORBIDDEN = /[\p{Cc}\p{Cn}\p{Co}\p{Cs}\p{Zl}\p{Zp}\p{Zs}]|(?![\u200D\u{E0020}-\u{E007F}])\p{Cf}/u;

const graphemes = new Intl.Segmenter('und', { granularity: 'grapheme' });

/** Why `raw` is not a reaction, or undefined when it is one. */
export function reactionProblem(raw: string): string | undefined {
  if (SHORT_NAME_PATTERN.test(raw)) return undefined;
  if (raw.startsWith(':')) return 'a short name is 1 to 32 of a-z, 0-9, _, + and - between colons';
  const codePoints = [...raw].length;
  if (codePoints === 0) return 'empty';
  if (codePoints > MAX_EMOJI_CODE_POINTS) return `longer than ${MAX_EMOJI_CODE_POINTS} code points`;
  // Lone surrogates are \p{Cs} here (the u flag reads code points), so this also refuses text that is not Unicode.
  if (FORBIDDEN.test(raw)) return 'holds a control, space, unassigned or invalid code point';
  if ([...graphemes.segment(raw)].length !== 1) return 'not one grapheme';
  if (!PICTOGRAPHIC.test(raw)) return 'not an emoji (no pictographic or regional indicator code point)';
  return undefined;
}

/** `raw` when it is a reaction (see the rule above); otherwise VALIDATION_FAILED with details.field "emoji". */
export function checkReactionEmoji(raw: string): string {
  const problem = reactionProblem(raw);
  if (problem === undefined) return raw;
  throw new CommandRejectedError('VALIDATION_FAILED', `a reaction is one emoji or a :short_name: (${problem})`, {
    field: 'emoji',
    problem,
  });
}
