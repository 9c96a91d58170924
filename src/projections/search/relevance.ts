// Relevance ranking of a bounded window of candidate messages, in the service rather than with FTS5's bm25(). Why:
// bm25() counts every document of every phrase to get its IDF, once per query, by walking the whole doclist, which
// for a word in most messages of a million costs 30 ms before the first row (bench/search.ts); and it runs on every
// row the scan passes. Here the IDF comes from a count of each word's documents that stops at a cap (a word above it
// is common, and weighs little either way) and the term frequencies from the candidates' texts: a cost bounded by
// the window and the cap, whatever the words.
//
// The score is Okapi BM25 (k1 = 1.2, b = 0.75, FTS5's defaults), with the average length taken over the window.

import { foldForSearch, type SearchText } from './searchText.js';

const K1 = 1.2;
const B = 0.75;
const TOKEN = /[\p{L}\p{N}]+/gu;

export interface Candidate {
  doc: number;
  text: string;
}

/** Tokens as unicode61 with remove_diacritics cuts and folds them. */
export function tokensOf(text: string): string[] {
  return foldForSearch(text).match(TOKEN) ?? [];
}

/** How often each term of `search` occurs in `tokens` (a phrase: its words in a row; the prefix: words it begins). */
export function termFrequencies(search: SearchText, tokens: readonly string[]): number[] {
  return search.terms.map((term, index) => {
    const words = term.words.map(foldForSearch);
    const prefix = search.prefixLast && index === search.terms.length - 1;
    let count = 0;
    for (let at = 0; at + words.length <= tokens.length; at++) {
      let matches = true;
      for (let w = 0; w < words.length && matches; w++) {
        const token = tokens[at + w] ?? '';
        const word = words[w] ?? '';
        matches = prefix && w === words.length - 1 ? token.startsWith(word) : token === word;
      }
      if (matches) count += 1;
    }
    return count;
  });
}

/**
 * The candidates best first (ties: newest first). `idf` holds one weight per term of `search`, in its order.
 */
export function rankByRelevance<C extends Candidate>(candidates: readonly C[], search: SearchText, idf: readonly number[]): C[] {
  const tokenized = candidates.map((candidate) => ({ candidate, tokens: tokensOf(candidate.text) }));
  const averageLength = tokenized.reduce((sum, { tokens }) => sum + tokens.length, 0) / Math.max(tokenized.length, 1) || 1;
  const scored = tokenized.map(({ candidate, tokens }) => {
    const frequencies = termFrequencies(search, tokens);
    const lengthNorm = 1 - B + (B * tokens.length) / averageLength;
    const score = frequencies.reduce((sum, tf, index) => sum + ((idf[index] ?? 1) * tf * (K1 + 1)) / (tf + K1 * lengthNorm), 0);
    return { candidate, score };
  });
  scored.sort((a, b) => b.score - a.score || b.candidate.doc - a.candidate.doc);
  return scored.map(({ candidate }) => candidate);
}

/** BM25's inverse document frequency of a term in `docFrequency` of `documents` documents (never negative). */
export function inverseDocumentFrequency(documents: number, docFrequency: number): number {
  return Math.log(1 + (documents - docFrequency + 0.5) / (docFrequency + 0.5));
}
