import unhomoglyph from 'unhomoglyph';

import { normaliseUsername, usernameKeyStreamId, usernameStreamId } from './ids.js';

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
 * The streams a new registration claims, in order: the skeleton's, then the normalised name's when it differs.
 * Keys share the `username-` namespace on purpose. The skeleton claim makes look-alikes meet at one single writer;
 * the normalised claim keeps what already keys on it working (`chat users` finds a user by it, and an account from
 * before skeletons holds only that one, so the same name again must still land there). A name that is its own
 * skeleton (`alice`, most names) has one stream for both; that same coincidence is why an account claimed before
 * skeletons is met by a look-alike's skeleton claim whenever its name is its own skeleton.
 */
export function usernameClaimStreamIds(username: string): string[] {
  const skeleton = usernameKeyStreamId(usernameSkeleton(username));
  const exact = usernameStreamId(username);
  return skeleton === exact ? [skeleton] : [skeleton, exact];
}
