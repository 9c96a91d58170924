// What a user typed into the search box, read into terms every search store can render safely in its own query
// language (FTS5 MATCH, Oracle Text CONTAINS). Pure: the edge parses once and the stores only render.
//
// Why words and not the raw string: both engines have a query syntax (FTS5: AND OR NOT NEAR, column filters,
// `*`, `^`, parentheses; Oracle Text: reserved words, `%`, `$`, `?`, braces). A user's text must never be read as
// that syntax (a syntax error would be a 500, and an operator a surprise), so only runs of letters, digits and
// combining marks survive, the way both tokenizers (unicode61, BASIC_LEXER) cut text anyway, and each store quotes
// what is left.

/** Longest accepted `q`, in code points. */
export const MAX_SEARCH_TEXT_LENGTH = 200;
/** Most words (counted over all terms) a search may hold: each one is another index look-up. */
export const MAX_SEARCH_WORDS = 12;
/** A last word shorter than this is matched whole: a one-letter prefix would match most of the index. */
export const MIN_PREFIX_LENGTH = 2;

/** One term: a word, or a phrase in double quotes (its words in this order, next to each other). */
export interface SearchTerm {
  words: string[];
  /** Written in double quotes: the words must stand together. */
  phrase: boolean;
}

export interface SearchText {
  /** Every term must match (AND). Never empty. */
  terms: SearchTerm[];
  /**
   * The last term is a bare word still being typed (the text does not end in a space): it also matches the words
   * it begins (`hel` finds "hello"). Never true for a phrase or a word shorter than MIN_PREFIX_LENGTH.
   */
  prefixLast: boolean;
}

export type SearchTextProblem =
  | { problem: 'empty' }
  | { problem: 'tooLong'; max: number }
  | { problem: 'noWords' }
  | { problem: 'tooManyWords'; max: number };

// A word starts with a letter or digit, so folding (foldForSearch) never leaves it empty.
const WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/** The terms of `input`, or why it cannot be searched for. Unbalanced quotes: the open phrase runs to the end. */
export function parseSearchText(input: string): SearchText | SearchTextProblem {
  // Counted as sent: NFC may lengthen a text, and the documented bound is on what the client sends.
  if ([...input].length > MAX_SEARCH_TEXT_LENGTH) return { problem: 'tooLong', max: MAX_SEARCH_TEXT_LENGTH };
  const text = input.normalize('NFC');
  if (text.trim() === '') return { problem: 'empty' };
  const terms: SearchTerm[] = [];
  text.split('"').forEach((part, index) => {
    const words = part.match(WORD) ?? [];
    // Odd parts were inside quotes. A quoted single word is just that word.
    if (index % 2 === 1 && words.length > 1) terms.push({ words, phrase: true });
    else for (const word of words) terms.push({ words: [word], phrase: false });
  });
  if (terms.length === 0) return { problem: 'noWords' };
  const wordCount = terms.reduce((sum, term) => sum + term.words.length, 0);
  if (wordCount > MAX_SEARCH_WORDS) return { problem: 'tooManyWords', max: MAX_SEARCH_WORDS };
  const last = terms.at(-1);
  const quoteCount = text.split('"').length - 1;
  const endsInsideWord = /[\p{L}\p{N}\p{M}]$/u.test(text) && quoteCount % 2 === 0;
  const prefixLast =
    endsInsideWord && last !== undefined && !last.phrase && [...(last.words[0] ?? '')].length >= MIN_PREFIX_LENGTH;
  return { terms, prefixLast };
}

export function isSearchText(parsed: SearchText | SearchTextProblem): parsed is SearchText {
  return 'terms' in parsed;
}

/** Why a text cannot be searched for, in words for the VALIDATION_FAILED message. */
export function describeProblem(problem: SearchTextProblem): string {
  switch (problem.problem) {
    case 'empty':
      return 'q is empty';
    case 'tooLong':
      return `q is longer than ${problem.max} characters`;
    case 'noWords':
      return 'q holds no word to search for (only letters and digits are searched)';
    case 'tooManyWords':
      return `q holds more than ${problem.max} words`;
    default: {
      const unknown: never = problem;
      throw new Error(`no description for ${JSON.stringify(unknown)}`);
    }
  }
}

/**
 * The FTS5 MATCH expression: each term a double-quoted string (FTS5's own quoting: nothing inside is syntax, and a
 * `"` would be doubled, though words never hold one), the last one with `*` when it is a prefix, all ANDed.
 */
export function toFts5Match(search: SearchText): string {
  return search.terms
    .map((term, index) => {
      const quoted = `"${term.words.join(' ').replaceAll('"', '""')}"`;
      return search.prefixLast && index === search.terms.length - 1 ? `${quoted} *` : quoted;
    })
    .join(' AND ');
}

/**
 * The Oracle Text CONTAINS expression: each term in braces (which escape reserved words and special characters;
 * words never hold a brace), the prefix as `word%` (braces would escape the `%` too, and a bare run of letters and
 * digits needs no escaping), all joined by `&` (AND).
 */
export function toOracleContains(search: SearchText): string {
  return search.terms
    .map((term, index) => {
      // Folding can bring out punctuation (compatibility forms: `⑴` is "(1)", `🄁` is "0,"), which the index's
      // lexer reads as a separator and CONTAINS as syntax: only letters and digits stay, as the lexer keeps them.
      const words = term.words.map((word) => foldForSearch(word).replace(/[^\p{L}\p{N}]+/gu, ' ').trim()).filter((word) => word !== '');
      const stem = words.join('').replace(/\s+/gu, '');
      if (search.prefixLast && index === search.terms.length - 1 && stem !== '') return `${stem}%`;
      return `{${words.join(' ')}}`;
    })
    .join(' & ');
}

/**
 * Text as the Oracle search index holds it: accents and other combining marks removed, lower case. Oracle Text's
 * BASIC_LEXER would need a preference (created in PL/SQL) to fold accents; folding on both sides (the indexed text
 * and the searched words) gives the same matches as unicode61's remove_diacritics with plain DDL.
 */
export function foldForSearch(text: string): string {
  // Composed again after the marks are gone, so Hangul syllables (decomposed into jamo, which are letters, not
  // marks) keep their length: a folded text is about as long as the original.
  return text.normalize('NFKD').replace(/\p{M}/gu, '').normalize('NFC').toLowerCase();
}

/** Oracle's column for folded text: VARCHAR2(1000 CHAR), within 4000 bytes (MAX_STRING_SIZE=STANDARD). */
const FOLDED_MAX_CHARS = 1000;
const FOLDED_MAX_BYTES = 4000;
const utf8 = new TextEncoder();

/**
 * foldForSearch, cut to what the Oracle column holds: compatibility forms can lengthen a text (`ﬃ` folds to three
 * letters), and a row the column refuses would stop the search projection for everyone. Only the end of such a
 * text is left out of the index.
 */
export function foldForColumn(text: string): string {
  let kept = '';
  let bytes = 0;
  for (const point of [...foldForSearch(text)].slice(0, FOLDED_MAX_CHARS)) {
    bytes += utf8.encode(point).length;
    if (bytes > FOLDED_MAX_BYTES) break;
    kept += point;
  }
  return kept;
}
