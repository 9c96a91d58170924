import unhomoglyph from 'unhomoglyph';

import { normaliseUsername, usernameKeyStreamId } from './ids.js';

// Look-alike usernames (issue #15): `alice` and `аlice` (Cyrillic а) are different strings that a reader cannot tell
// apart. Unicode's answer is the UTS #39 skeleton: two strings are confusable when their skeletons are equal, where
// skeleton(X) = NFD(map(NFD(X))) and `map` replaces every character by its prototype from confusables.txt. The map
// is unhomoglyph's copy of confusables.txt (Unicode 13.0.0); its version is pinned exactly in package.json because
// skeletons are stored as stream ids: a new table would give some existing names another key (see
// commands/username/usernameLookAlikes.ts for how keys from before a change are still found).

/**
 * The confusable key of a username: the UTS #39 skeleton of its case-folded NFKC form (normaliseUsername), lower-cased
 * once more. Usernames compare case-insensitively but are shown as their owner spelled them, and some prototypes are
 * capitals (`0` → `O`): without the last step `BOB0` would not meet `BOBO`, though `BOBO` is `bobo`'s account.
 * Not for display: `m` becomes `rn`, `1` becomes `l`.
 */
export function usernameSkeleton(username: string): string {
  const folded = normaliseUsername(username).normalize('NFD');
  return unhomoglyph(folded).normalize('NFD').toLowerCase().normalize('NFD');
}

/**
 * The skeleton of the name as written (NFKC, not case-folded), lower-cased. A name is shown as its owner spelled it,
 * and case-folding first loses what some capitals look like: `I` is drawn as `l` is in sans-serif fonts (UTS #39
 * maps it to `l`), but folds to `i`, so `aIice` would pass beside `alice`; Greek `Β` looks like `B` but folds to `β`.
 * Lower-cased like usernameSkeleton, and so just as generous: `ALICE` also keeps `allce` out.
 */
export function writtenUsernameSkeleton(username: string): string {
  return unhomoglyph(username.normalize('NFKC').normalize('NFD')).normalize('NFD').toLowerCase().normalize('NFD');
}

/**
 * Where look-alikes of a name meet: its skeleton (usernameSkeleton) and, when it differs, that of the name as
 * written (writtenUsernameSkeleton). Two names look alike when they share a key.
 */
export function usernameLookAlikeKeys(username: string): string[] {
  const folded = usernameSkeleton(username);
  const written = writtenUsernameSkeleton(username);
  return written === folded ? [folded] : [folded, written];
}

/** Whether two names look alike: they share a look-alike key (`Tom` and `torn`, `aIice` and `alice`). */
export function looksAlike(a: string, b: string): boolean {
  const keys = new Set(usernameLookAlikeKeys(a));
  return usernameLookAlikeKeys(b).some((key) => keys.has(key));
}

/**
 * The streams a new registration claims, in order: the look-alike keys' (the skeleton's, then the written
 * skeleton's when it differs), then the normalised name's when it differs from both. Keys share the `username-`
 * namespace on purpose. The look-alike claims make look-alikes meet at one single writer; the normalised claim keeps
 * what already keys on it working (`chat users` finds a user by it, and an account from before skeletons holds only
 * that one, so the same name again must still land there). A name that is its own skeleton (`alice`, most names)
 * has one stream for all; that same coincidence is why an account claimed before skeletons is met by a look-alike's
 * claim whenever its name is its own skeleton.
 */
export function usernameClaimStreamIds(username: string): string[] {
  const keys = [...usernameLookAlikeKeys(username), normaliseUsername(username)];
  return [...new Set(keys)].map(usernameKeyStreamId);
}
