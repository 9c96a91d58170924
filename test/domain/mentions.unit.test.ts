import { describe, expect, it } from 'vitest';
import { MAX_MENTIONS_PER_MESSAGE, mentionedUsernames } from '../../src/domain/mentions.js';

describe('mentionedUsernames', () => {
  it('finds @names in the order first written, each once whatever its case', () => {
    expect(mentionedUsernames('@bob and @Carol, then @BOB again')).toEqual(['bob', 'Carol']);
  });

  it("leaves a sentence's last dot out of the name, keeps dots inside it, and reads names of every script", () => {
    expect(mentionedUsernames('thanks @bob. Ask @jo.anne-k! or @Łukasz_2')).toEqual(['bob', 'jo.anne-k', 'Łukasz_2']);
  });

  it('names nobody in an address, in the middle of a word, or with a name too short or too long', () => {
    expect(mentionedUsernames('mail bob@example.org or x@bob')).toEqual([]);
    expect(mentionedUsernames('@al is two letters')).toEqual([]);
    expect(mentionedUsernames(`@${'a'.repeat(33)}`)).toEqual([]);
    expect(mentionedUsernames('no mention here')).toEqual([]);
  });

  it(`stops at ${MAX_MENTIONS_PER_MESSAGE} names`, () => {
    const text = Array.from({ length: MAX_MENTIONS_PER_MESSAGE + 5 }, (_, i) => `@user${i}`).join(' ');
    const names = mentionedUsernames(text);
    expect(names).toHaveLength(MAX_MENTIONS_PER_MESSAGE);
    expect(names.at(-1)).toBe(`user${MAX_MENTIONS_PER_MESSAGE - 1}`);
  });
});
