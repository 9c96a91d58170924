import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { checkPasswordPolicy, MAX_PASSWORD_LENGTH, PASSWORD_CHARACTER_RULES } from '../../src/auth/passwordPolicy.js';
import { DISPLAY_NAME_MAX, normaliseDisplayName, profileFieldProblem } from '../../src/commands/user/profileRules.js';
import { normaliseMessageText, normaliseRoomName, normaliseRoomTopic } from '../../src/domain/messageText.js';
import {
  emailSchema,
  newPasswordSchema,
  USERNAME_MAX,
  USERNAME_MIN,
  usernamePattern,
  usernameSchema,
} from '../../src/http/schemas.js';
import {
  characterClassOf,
  MESSAGE_TEXT_PATTERN,
  ROOM_NAME_PATTERN,
  ROOM_TOPIC_PATTERN,
  trimmedLengthPattern,
} from '../../src/http/textPatterns.js';

// The document's patterns say which texts the deciders refuse; these tests hold each one against the decider's own
// function, one code point at a time over the whole of Unicode, so the two cannot drift apart.

/** Every code point but the surrogates (a JSON body from a well-behaved client never carries a lone one). */
function* codePoints(): Generator<string> {
  for (let codePoint = 0; codePoint <= 0x10ffff; codePoint++) {
    if (codePoint >= 0xd800 && codePoint <= 0xdfff) continue;
    yield String.fromCodePoint(codePoint);
  }
}

function accepts(rule: (text: string) => unknown, text: string): boolean {
  try {
    rule(text);
    return true;
  } catch {
    return false;
  }
}

/** Where the pattern and the rule disagree, as code points, so a failure names the characters. */
function disagreements(pattern: string, rule: (text: string) => unknown, shape: (char: string) => string): string[] {
  const regex = new RegExp(pattern, 'u');
  const found: string[] = [];
  for (const char of codePoints()) {
    const text = shape(char);
    if (regex.test(text) !== accepts(rule, text)) found.push(`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
  }
  return found;
}

describe('text patterns of the OpenAPI document (unit)', () => {
  const message = (text: string) => normaliseMessageText(text, 1000);
  const roomName = (text: string) => normaliseRoomName(text, 100);

  it.each([
    ['alone', (char: string) => char],
    ['between letters', (char: string) => `a${char}b`],
    ['beside white space', (char: string) => ` ${char}\n`],
  ])('message text: the pattern refuses a character %s exactly when normaliseMessageText does', (_name, shape) => {
    expect(disagreements(MESSAGE_TEXT_PATTERN, message, shape)).toEqual([]);
  });

  it.each([
    ['alone', (char: string) => char],
    ['between letters', (char: string) => `a${char}b`],
    ['beside white space', (char: string) => ` ${char} `],
  ])('room name: the pattern refuses a character %s exactly when normaliseRoomName does', (_name, shape) => {
    expect(disagreements(ROOM_NAME_PATTERN, roomName, shape)).toEqual([]);
  });

  it.each(['', ' ', '\r\n', '\u200b\u2060', '\u3164', 'hi', ' hi\r\n', '👋🏽', 'e\u0301', '\u202Eevil', 'a\u0085b', 'x\u2028y'])(
    'message text %j and room name: pattern and rule agree on whole texts too',
    (text) => {
      expect(new RegExp(MESSAGE_TEXT_PATTERN, 'u').test(text)).toBe(accepts(message, text));
      expect(new RegExp(ROOM_NAME_PATTERN, 'u').test(text)).toBe(accepts(roomName, text));
    },
  );

  it.each([
    ['alone', (char: string) => char],
    ['between letters', (char: string) => `a${char}b`],
    ['beside white space', (char: string) => ` ${char} `],
  ])('room topic: the pattern refuses a character %s exactly when normaliseRoomTopic does', (_name, shape) => {
    expect(disagreements(ROOM_TOPIC_PATTERN, (text) => normaliseRoomTopic(text), shape)).toEqual([]);
  });

  it.each(['', ' ', '\u200b\u2060', ' \ufeff\u3000', '\u3164', '\u00ad', 'hi', '\u202Eevil', 'x\u2028y', '\t'])(
    'room topic %j: pattern and rule agree on whole texts too',
    (text) => {
      expect(new RegExp(ROOM_TOPIC_PATTERN, 'u').test(text)).toBe(accepts((t) => normaliseRoomTopic(t), text));
    },
  );

  it('display name: the pattern takes 1 to DISPLAY_NAME_MAX code points once trimmed, like the profile rules', () => {
    const regex = new RegExp(trimmedLengthPattern(DISPLAY_NAME_MAX), 'u');
    const rule = (text: string) => profileFieldProblem('displayName', normaliseDisplayName(text)) === undefined;
    const samples = [
      '',
      ' ',
      '\u3000\ufeff',
      'a',
      ' a ',
      '\u0085',
      'x'.repeat(DISPLAY_NAME_MAX),
      ` ${'x'.repeat(DISPLAY_NAME_MAX)}\t`,
      'x'.repeat(DISPLAY_NAME_MAX + 1),
      '😀'.repeat(DISPLAY_NAME_MAX),
      '😀'.repeat(DISPLAY_NAME_MAX + 1),
      `a${' '.repeat(DISPLAY_NAME_MAX - 2)}b`,
      `a${' '.repeat(DISPLAY_NAME_MAX - 1)}b`,
      'line\nbreak',
    ];
    for (const char of codePoints()) samples.push(char, `${char}${char}`);
    const found = samples.filter((text) => regex.test(text) !== rule(text));
    expect(found).toEqual([]);
  });

  describe('username (registration)', () => {
    // What the document says: the pattern, and minLength/maxLength counted in code points as JSON Schema counts.
    const regex = new RegExp(usernamePattern(), 'u');
    const documented = (name: string) => regex.test(name) && [...name].length >= USERNAME_MIN && [...name].length <= USERNAME_MAX;
    const rule = (name: string) => {
      if (!usernameSchema.safeParse(name).success) throw new Error('refused');
    };

    // Every code point through the server's own schema: ~15 s on an idle two-core machine, longer beside other
    // test files, hence its own time limit. safeParse answers without throwing, which a million refusals need.
    it('the pattern takes a character between letters exactly when the server does', { timeout: 180_000 }, () => {
      const found: string[] = [];
      for (const char of codePoints()) {
        const name = `a${char}b`;
        if (documented(name) !== usernameSchema.safeParse(name).success) found.push(`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
      }
      expect(found).toEqual([]);
    });

    it.each([
      'ab',
      'abc',
      'a'.repeat(USERNAME_MAX),
      'a'.repeat(USERNAME_MAX + 1),
      // Astral letters count one each, as JSON Schema counts them (not two UTF-16 units).
      '𝐀𝐀',
      '𝐀𝐀𝐀',
      '𝐀'.repeat(USERNAME_MAX),
      '𝐀'.repeat(USERNAME_MAX + 1),
      'Ａlice',
      'e\u0301',
      'alice bob',
      '',
    ])('%j: the document and the server agree on whole names', (name) => {
      expect(documented(name)).toBe(accepts(rule, name));
    });
  });

  describe('new password', () => {
    const policy = { minLength: 12 };
    const documented = z.object({
      minLength: z.number(),
      maxLength: z.number(),
      allOf: z.array(z.object({ pattern: z.string() })),
    }).parse(newPasswordSchema(policy).meta());
    const patterns = documented.allOf.map(({ pattern }) => new RegExp(pattern, 'u'));

    it('states the policy: its minimum from the configuration, its maximum, one pattern per rule', () => {
      expect(documented.minLength).toBe(policy.minLength);
      expect(documented.maxLength).toBe(MAX_PASSWORD_LENGTH);
      expect(patterns).toHaveLength(PASSWORD_CHARACTER_RULES.length);
    });

    it.each(PASSWORD_CHARACTER_RULES.map(({ rule }, index) => [rule, index] as const))(
      'the pattern for %s matches a character exactly when the policy counts it',
      (_rule, index) => {
        const pattern = patterns[index];
        const { character } = PASSWORD_CHARACTER_RULES[index] ?? {};
        if (pattern === undefined || character === undefined) throw new Error(`no rule ${index}`);
        const found: string[] = [];
        for (const char of codePoints()) {
          if (pattern.test(char) !== character.test(char)) found.push(`U+${(char.codePointAt(0) ?? 0).toString(16).toUpperCase()}`);
        }
        expect(found).toEqual([]);
      },
    );

    it.each([
      'Abcdefgh12!x',
      'Abcdefg12!x',
      'abcdefgh12!x',
      'ABCDEFGH12!X',
      'Abcdefghij!x',
      'Abcdefgh12xy',
      'Correct horse battery staple 42!',
      'ÄÖÜäöüß12345!',
      'Abcdefghij1😀',
      'Abcdefghij1e\u0301',
      'Abcdefghij1 \t',
      `Aa1!${'x'.repeat(252)}`,
      `Aa1!${'x'.repeat(253)}`,
      `Aa1${'😀'.repeat(253)}`,
    ])('%j: the document and the policy agree', (password) => {
      const length = [...password].length;
      const valid = length >= documented.minLength && length <= documented.maxLength && patterns.every((pattern) => pattern.test(password));
      expect(valid).toBe(accepts((text) => checkPasswordPolicy(text, policy), password));
    });
  });

  it.each(['a@b.co', 'a-@b.co', 'a@b-.co', "a'b@c.de", 'a@b.c', 'a.b@c.de', '"a b"@c.de', 'a@[1.2.3.4]', 'a@localhost', 'ä@b.de'])(
    'email %j: the pattern the document states is the check z.email() makes',
    (email) => {
      expect(emailSchema.safeParse(email).success).toBe(z.email().safeParse(email).success);
      expect(new RegExp(z.regexes.email.source, 'u').test(email)).toBe(z.email().safeParse(email).success);
    },
  );

  it('spells a class of most of Unicode as what it is not, and one of a little as what it is', () => {
    expect(characterClassOf(/[^\p{L}\p{M}\p{Nd}\s]/u).startsWith('[^')).toBe(true);
    expect(characterClassOf(/\p{Nd}/u).startsWith('[\\u0030-\\u0039')).toBe(true);
  });
});
