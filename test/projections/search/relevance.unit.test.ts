import { describe, expect, it } from 'vitest';
import { inverseDocumentFrequency, rankByRelevance, termFrequencies, tokensOf } from '../../../src/projections/search/relevance.js';
import { isSearchText, parseSearchText, type SearchText } from '../../../src/projections/search/searchText.js';

function text(q: string): SearchText {
  const parsed = parseSearchText(q);
  if (!isSearchText(parsed)) throw new Error(q);
  return parsed;
}

describe('relevance ranking', () => {
  it('cuts and folds text as unicode61 remove_diacritics does', () => {
    expect(tokensOf("Ça va? L'été, 2026!")).toEqual(['ca', 'va', 'l', 'ete', '2026']);
  });

  it('counts words, phrases and the prefix of the last word', () => {
    const tokens = tokensOf('see you soon, see you later, seesaw');
    expect(termFrequencies(text('see '), tokens)).toEqual([2]);
    expect(termFrequencies(text('see'), tokens)).toEqual([3]);
    expect(termFrequencies(text('"see you" later '), tokens)).toEqual([2, 1]);
    expect(termFrequencies(text('"you see" '), tokens)).toEqual([0]);
  });

  it('ranks more occurrences, shorter messages and rarer words first, newest first among equals', () => {
    const candidates = [
      { doc: 1, text: 'kiwi' },
      { doc: 2, text: 'kiwi kiwi' },
      { doc: 3, text: 'a kiwi among many many other words in a long message' },
      { doc: 4, text: 'kiwi' },
    ];
    expect(rankByRelevance(candidates, text('kiwi '), [1]).map((c) => c.doc)).toEqual([2, 4, 1, 3]);
    const mixed = [
      { doc: 1, text: 'common common rare' },
      { doc: 2, text: 'common rare rare' },
    ];
    // "rare" weighs more: the message with it twice wins although both hold three matching words.
    expect(rankByRelevance(mixed, text('common rare '), [inverseDocumentFrequency(1000, 900), inverseDocumentFrequency(1000, 3)]).map((c) => c.doc)).toEqual([2, 1]);
  });

  it('weighs rare terms more, and never negatively', () => {
    expect(inverseDocumentFrequency(1000, 1)).toBeGreaterThan(inverseDocumentFrequency(1000, 500));
    expect(inverseDocumentFrequency(1000, 1000)).toBeGreaterThan(0);
  });
});
