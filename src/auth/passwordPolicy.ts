import { ValidationError } from '../domain/errors.js';

export interface PasswordPolicy {
  minLength: number;
}

const MAX_PASSWORD_LENGTH = 256;

/**
 * API.md: at least 12 characters with upper and lower case letters, a digit and a symbol. Every failed rule is
 * named in the error so a client can show them all at once. Letters are judged by Unicode category, so "Ä" counts.
 */
export function checkPasswordPolicy(password: string, policy: PasswordPolicy): void {
  const failed: string[] = [];
  const length = [...password].length;
  if (length < policy.minLength) failed.push(`at least ${policy.minLength} characters`);
  if (length > MAX_PASSWORD_LENGTH) failed.push(`at most ${MAX_PASSWORD_LENGTH} characters`);
  if (!/\p{Lu}/u.test(password)) failed.push('an upper-case letter');
  if (!/\p{Ll}/u.test(password)) failed.push('a lower-case letter');
  if (!/\p{Nd}/u.test(password)) failed.push('a digit');
  // A combining mark (\p{M}, e.g. the accent of a decomposed "é") belongs to its letter: it is no symbol.
  if (!/[^\p{L}\p{M}\p{Nd}\s]/u.test(password)) failed.push('a symbol');
  if (failed.length > 0) {
    throw new ValidationError(`password must have ${failed.join(', ')}`, { failed }, 'WEAK_PASSWORD');
  }
}
