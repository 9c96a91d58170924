import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import { checkPasswordPolicy } from '../../src/auth/passwordPolicy.js';

// The rule names are what a client receives in `details.failed` to show every problem at once.
const RULE = {
  minLength: 'at least 12 characters',
  maxLength: 'at most 256 characters',
  upper: 'an upper-case letter',
  lower: 'a lower-case letter',
  digit: 'a digit',
  symbol: 'a symbol',
} as const;

const POLICY = { minLength: 12 };

/** The rules `password` fails, in any order; [] when the policy accepts it. */
function failedRules(password: string, policy = POLICY): string[] {
  try {
    checkPasswordPolicy(password, policy);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    expect(error.code).toBe('WEAK_PASSWORD');
    const failed = error.details?.['failed'];
    if (!Array.isArray(failed) || !failed.every((rule) => typeof rule === 'string')) {
      throw new Error(`details.failed is not a list of rule names: ${JSON.stringify(error.details)}`);
    }
    return [...failed].sort();
  }
  return [];
}

const sorted = (...rules: string[]): string[] => [...rules].sort();

describe('checkPasswordPolicy', () => {
  describe('accepts', () => {
    it.each([
      ['every rule met, exactly 12 characters', 'Abcdefgh12!x'],
      ['a long passphrase with spaces and a symbol', 'Correct horse battery staple 42!'],
      ['German letters: upper Ä, lower ß', 'ÄÖÜäöüß12345!'],
      ['Greek and Cyrillic letters', 'ΣίσυφοςЖук1?'],
      ['an emoji as the symbol', 'Abcdefghij1😀'],
      ['exactly 256 code points', `Aa1!${'x'.repeat(252)}`],
      ['256 code points that are 508 UTF-16 units', `Aa1${'😀'.repeat(253)}`],
    ])('%s', (_name, password) => {
      expect(() => checkPasswordPolicy(password, POLICY)).not.toThrow();
    });
  });

  describe('names each failed rule', () => {
    it.each([
      ['11 characters', 'Abcdefg12!x', [RULE.minLength]],
      ['no upper-case letter', 'abcdefgh12!x', [RULE.upper]],
      ['no lower-case letter', 'ABCDEFGH12!X', [RULE.lower]],
      ['no digit', 'Abcdefghij!x', [RULE.digit]],
      ['no symbol', 'Abcdefgh12xy', [RULE.symbol]],
      ['257 code points', `Aa1!${'x'.repeat(253)}`, [RULE.maxLength]],
    ])('%s', (_name, password, expected) => {
      expect(failedRules(password)).toEqual(sorted(...expected));
    });

    it('throws a ValidationError with code WEAK_PASSWORD that lists the failures in details and message', () => {
      let thrown: unknown;
      try {
        checkPasswordPolicy('abc', POLICY);
      } catch (error) {
        thrown = error;
      }
      expect(thrown).toBeInstanceOf(ValidationError);
      expect(thrown).toMatchObject({
        code: 'WEAK_PASSWORD',
        message: expect.stringContaining(RULE.minLength),
        details: { failed: expect.arrayContaining([RULE.minLength, RULE.upper, RULE.digit, RULE.symbol]) },
      });
    });

    it('lists ALL failed rules at once, not only the first', () => {
      expect(failedRules('')).toEqual(sorted(RULE.minLength, RULE.upper, RULE.lower, RULE.digit, RULE.symbol));
      expect(failedRules('abc')).toEqual(sorted(RULE.minLength, RULE.upper, RULE.digit, RULE.symbol));
      expect(failedRules('ABCDEFGHIJKLM')).toEqual(sorted(RULE.lower, RULE.digit, RULE.symbol));
      expect(failedRules('a'.repeat(300))).toEqual(sorted(RULE.maxLength, RULE.upper, RULE.digit, RULE.symbol));
    });

    it('takes the minimum length from the policy', () => {
      expect(failedRules('Abcdefgh12!x', { minLength: 16 })).toEqual(['at least 16 characters']);
      expect(failedRules('Ab1!', { minLength: 4 })).toEqual([]);
    });
  });

  describe('counts length in code points, not UTF-16 units', () => {
    it('refuses 11 code points even though they are 13 UTF-16 units', () => {
      const password = 'Abcdefgh1😀😀';
      expect(password.length).toBe(13);
      expect(failedRules(password)).toEqual([RULE.minLength]);
    });

    it('accepts 12 code points made mostly of astral characters', () => {
      expect(failedRules('Aa1😀😀😀😀😀😀😀😀😀')).toEqual([]);
    });
  });

  describe('judges letters by Unicode category', () => {
    it('counts Ä as an upper-case letter and ß as a lower-case one', () => {
      expect(failedRules('Äßßßßßßßß12!')).toEqual([]);
      expect(failedRules('Ä'.repeat(10) + '1!')).toEqual([RULE.lower]);
      expect(failedRules('ß'.repeat(10) + '1!')).toEqual([RULE.upper]);
    });

    it('does not count accented letters as symbols', () => {
      expect(failedRules('Äpfelbäume12')).toEqual([RULE.symbol]);
    });

    it('does not count a combining accent (decomposed é, NFD) as a symbol', () => {
      // 'Cafe\u0301' is how "Café" arrives from a system that decomposes; the mark belongs to its letter.
      expect(failedRules('Cafe\u0301Creme123')).toEqual([RULE.symbol]);
    });

    it('counts non-ASCII decimal digits as digits', () => {
      expect(failedRules('Abcdefghij!٣')).toEqual([]);
    });

    it('does not count a letter without case (CJK) as upper or lower case', () => {
      expect(failedRules('漢字漢字漢字漢字漢字1!')).toEqual(sorted(RULE.upper, RULE.lower));
    });
  });

  describe('whitespace is not a symbol', () => {
    it.each([
      ['space', ' '],
      ['tab', '\t'],
      ['newline', '\n'],
      ['no-break space', '\u00A0'],
      ['ideographic space', '\u3000'],
      ['em space', '\u2003'],
    ])('%s', (_name, whitespace) => {
      expect(failedRules(`Abcdefgh${whitespace}1234`)).toEqual([RULE.symbol]);
    });

    it('a symbol next to whitespace still counts', () => {
      expect(failedRules('Abcdefgh 123-')).toEqual([]);
    });
  });
});
