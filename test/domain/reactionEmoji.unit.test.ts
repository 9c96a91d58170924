import { describe, expect, it } from 'vitest';
import { CommandRejectedError } from '../../src/domain/errors.js';
import { checkReactionEmoji, reactionProblem } from '../../src/domain/reactionEmoji.js';

// What may be a reaction: one emoji grapheme or a :short_name: (the rule is documented in reactionEmoji.ts).

describe('reaction emoji', () => {
  it.each([
    ['a plain emoji', '👍'],
    ['a skin tone', '👍🏽'],
    ['a flag (two regional indicators)', '🇫🇷'],
    ['a keycap', '1️⃣'],
    ['a text-default emoji with VS16', '❤️'],
    ['a ZWJ family', '👨‍👩‍👧‍👦'],
    ['a ZWJ flag', '🏳️‍🌈'],
    ['a subdivision flag (tag characters)', '🏴󠁧󠁢󠁳󠁣󠁴󠁿'],
    ['a short name', ':+1:'],
    ['a short name with - and _', ':party-parrot_2:'],
  ])('takes %s', (_name, emoji) => {
    expect(reactionProblem(emoji)).toBeUndefined();
    expect(checkReactionEmoji(emoji)).toBe(emoji);
  });

  it.each([
    ['empty', ''],
    ['a letter', 'a'],
    ['a digit without keycap', '1'],
    ['two emoji', '👍👍'],
    ['an emoji with a space', ' 👍'],
    ['an emoji with a control', '👍\u0007'],
    ['a lone surrogate', '\ud83d'],
    ['a short name in capitals', ':Thumbs:'],
    ['an empty short name', '::'],
    ['a 33-character short name', `:${'a'.repeat(33)}:`],
    ['a bidi override', '\u202e👍'],
    ['more than 16 code points in one grapheme', `👍${'\u0301'.repeat(16)}`],
  ])('refuses %s with VALIDATION_FAILED naming the field', (_name, emoji) => {
    expect(reactionProblem(emoji)).toEqual(expect.any(String));
    expect(() => checkReactionEmoji(emoji)).toThrow(CommandRejectedError);
    expect(() => checkReactionEmoji(emoji)).toThrow(
      expect.objectContaining({ code: 'VALIDATION_FAILED', details: expect.objectContaining({ field: 'emoji' }) }),
    );
  });
});
