import type { ProviderProfile } from './identityProvider.js';

// The usernames a first sign-in with a provider tries, in order (issue #18): made from the profile and shaped to the
// registration rule (3 to 32 characters: letters, digits, `_`, `.`, `-`), then made unique by the same claims as a
// registration (commands/user/identityAccounts.ts). Pure.

const MIN = 3;
const MAX = 32;
const NOT_ALLOWED = /[^\p{L}\p{N}_.-]+/gu;

/** A name shaped to the registration rule, or undefined when too little of it is left. */
export function usernameFrom(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const shaped = text.normalize('NFKC').trim().replace(/\s+/gu, '_').replace(NOT_ALLOWED, '').replace(/^[_.-]+|[_.-]+$/gu, '');
  const cut = truncate(shaped, MAX);
  return cut.length >= MIN ? cut : undefined;
}

/**
 * The base a new account's username is made from: the provider handle, else the e-mail's local part, else the name,
 * else `<provider>_user`.
 */
export function baseUsername(profile: ProviderProfile): string {
  return (
    usernameFrom(profile.handle) ??
    usernameFrom(profile.verifiedEmail?.split('@')[0]) ??
    usernameFrom(profile.name) ??
    `${profile.identity.provider}_user`.slice(0, MAX)
  );
}

/** The `n`-th candidate: the base itself, then `base_2`, `base_3`, ..., shortened so the suffix fits. */
export function usernameCandidate(base: string, n: number): string {
  if (n <= 1) return base;
  return withSuffix(base, `_${n}`);
}

/** The base with a suffix, shortened to fit the longest username. */
export function withSuffix(base: string, suffix: string): string {
  return `${truncate(base, MAX - suffix.length)}${suffix}`;
}

/** At most `max` UTF-16 code units (what the registration rule counts), never splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  let out = '';
  for (const char of text) {
    if (out.length + char.length > max) break;
    out += char;
  }
  return out;
}
