import { ValidationError } from '../domain/errors.js';

export interface PasswordPolicy {
  minLength: number;
}

export const MAX_PASSWORD_LENGTH = 256;

/**
 * What a password must contain, each as a regex for one character of the kind, with the name the error gives the
 * rule. Letters are judged by Unicode category, so "Ä" counts. Exported so the OpenAPI document can state the same
 * rules (http/passwordSchema.ts).
 */
export const PASSWORD_CHARACTER_RULES: readonly { readonly rule: string; readonly character: RegExp }[] = [
  { rule: 'an upper-case letter', character: /\p{Lu}/u },
  { rule: 'a lower-case letter', character: /\p{Ll}/u },
  { rule: 'a digit', character: /\p{Nd}/u },
  // A combining mark (\p{M}, e.g. the accent of a decomposed "é") belongs to its letter: it is no symbol.
  { rule: 'a symbol', character: /[^\p{L}\p{M}\p{Nd}\s]/u },
];

/**
 * API.md: at least 12 characters with upper and lower case letters, a digit and a symbol. Every failed rule is
 * named in the error so a client can show them all at once. Lengths are counted in code points.
 */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const failed: string[] = [];
  const length = [...password].length;
  if (length < policy.minLength) failed.push(`at least ${policy.minLength} characters`);
  if (length > MAX_PASSWORD_LENGTH) failed.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  for (const { rule, character } of PASSWORD_CHARACTER_RULES) {
    if (!character.test(password)) failed.push(rule);
  }
  if (failed.length > 0) {
    throw new ValidationError(`password must have ${failed.join(', ')}`, { failed }, 'WEAK_PASSWORD');
  }
}
