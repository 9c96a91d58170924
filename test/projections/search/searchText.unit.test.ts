import { describe, expect, it } from 'vitest';
import {
  foldForColumn,
  foldForSearch,
  isSearchText,
  MAX_SEARCH_TEXT_LENGTH,
  MAX_SEARCH_WORDS,
  parseSearchText,
  toFts5Match,
  toOracleContains,
  type SearchText,
} from '../../../src/projections/search/searchText.js';

function parsed(q: string): SearchText {
  const result = parseSearchText(q);
  if (!isSearchText(result)) throw new Error(`${q}: ${result.problem}`);
  return result;
}

describe('parseSearchText', () => {
  it('reads words, phrases in double quotes, and a last word still being typed as a prefix', () => {
    expect(parsed('hello wor')).toEqual({
      terms: [
        { words: ['hello'], phrase: false },
        { words: ['wor'], phrase: false },
      ],
      prefixLast: true,
    });
    expect(parsed('hello world ').prefixLast).toBe(false);
    expect(parsed('"see you" soon')).toEqual({
      terms: [
        { words: ['see', 'you'], phrase: true },
        { words: ['soon'], phrase: false },
      ],
      prefixLast: true,
    });
    expect(parsed('"see you"').prefixLast).toBe(false);
    expect(parsed('"single"').terms).toEqual([{ words: ['single'], phrase: false }]);
    // A one-letter last word is matched whole: as a prefix it would match most of the index.
    expect(parsed('plan a').prefixLast).toBe(false);
    // An unbalanced quote runs to the end, and its phrase is never a prefix.
    expect(parsed('meet "at the caf')).toMatchObject({ terms: [{ words: ['meet'] }, { words: ['at', 'the', 'caf'], phrase: true }], prefixLast: false });
  });

  it('keeps the letters and digits of a query and none of the engines syntax', () => {
    expect(parsed('NOT a* OR (b) NEAR/3 c:d ^e {f} g%h').terms.map((term) => term.words.join(' '))).toEqual([
      'NOT', 'a', 'OR', 'b', 'NEAR', '3', 'c', 'd', 'e', 'f', 'g', 'h',
    ]);
  });

  it('refuses what cannot be searched for, saying why', () => {
    expect(parseSearchText('')).toEqual({ problem: 'empty' });
    expect(parseSearchText('  \t ')).toEqual({ problem: 'empty' });
    expect(parseSearchText('!!! --- ***')).toEqual({ problem: 'noWords' });
    expect(parseSearchText('é'.repeat(MAX_SEARCH_TEXT_LENGTH))).not.toHaveProperty('problem');
    expect(parseSearchText('é'.repeat(MAX_SEARCH_TEXT_LENGTH + 1))).toEqual({ problem: 'tooLong', max: MAX_SEARCH_TEXT_LENGTH });
    expect(parseSearchText(Array.from({ length: MAX_SEARCH_WORDS + 1 }, (_, i) => `w${i}`).join(' '))).toEqual({
      problem: 'tooManyWords',
      max: MAX_SEARCH_WORDS,
    });
  });

  it('reads Unicode: other scripts, combining accents, digits', () => {
    expect(parsed('Привет мир 2026').terms.map((term) => term.words[0])).toEqual(['Привет', 'мир', '2026']);
    // e + combining acute is one word (NFC makes it é).
    expect(parsed('cafe\u0301 ').terms).toEqual([{ words: ['café'], phrase: false }]);
  });
});

describe('rendering for the engines', () => {
  it('quotes every term for FTS5, so no user text is FTS5 syntax, and marks the prefix', () => {
    expect(toFts5Match(parsed('NOT near wor'))).toBe('"NOT" AND "near" AND "wor" *');
    expect(toFts5Match(parsed('"see you" later '))).toBe('"see you" AND "later"');
  });

  it('braces every term for Oracle Text, folded, and writes the prefix as a wildcard', () => {
    expect(toOracleContains(parsed('NOT Café wor'))).toBe('{not} & {cafe} & wor%');
    expect(toOracleContains(parsed('"Über alles" '))).toBe('{uber alles}');
  });

  it('folds accents and case as unicode61 remove_diacritics does', () => {
    expect(foldForSearch('Ça ÉTÉ Ångström naïve')).toBe('ca ete angstrom naive');
  });

  it('keeps punctuation that folding brings out of compatibility forms out of Oracle Text syntax', () => {
    // ⑴ folds to "(1)" and 🄁 to "0,": as words they are digits only, never CONTAINS syntax.
    expect(toOracleContains(parsed('⑴⑴'))).toBe('11%');
    expect(toOracleContains(parsed('🄁 x⑵ '))).toBe('{0} & {x 2}');
    for (const q of ['⑴⑴', '🄁🄁', 'ｆｕｌｌ', '㈱會社']) expect(toOracleContains(parsed(q))).not.toMatch(/[(),]/u);
  });

  it('folds Hangul without lengthening it, and cuts folded text to what the Oracle column holds', () => {
    const korean = '한국어'.repeat(300);
    expect([...foldForSearch(korean)]).toHaveLength(900);
    const ligatures = 'ﬃ'.repeat(400); // each folds to three letters
    expect([...foldForColumn(ligatures)]).toHaveLength(1000);
    const wide = '𝔸'.repeat(1000); // folds to "a": one byte each
    expect(foldForColumn(wide)).toBe('a'.repeat(1000));
    const emoji = '😀'.repeat(1000); // four bytes each: 4000 bytes at most
    expect(new TextEncoder().encode(foldForColumn(emoji)).length).toBeLessThanOrEqual(4000);
    expect([...foldForColumn(emoji)]).toHaveLength(1000);
  });
});
