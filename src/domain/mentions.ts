// Mentions (#17): which `@username`s a message text names. Pure; the edge resolves the names to accounts and the room
// decider keeps those who are members when the message is sent, so a name that is nobody there stays plain text.

/** How many distinct names one message may mention; any further ones stay plain text. */
export const MAX_MENTIONS_PER_MESSAGE = 20;

// A username's characters (USERNAME_RULE at the edge), 3 to 32 of them, after an "@" that does not continue a word or
// an address ("mail@example.org" names nobody).
const MENTION = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{3,64})/gu;

/**
 * The names `@mentioned` in `text`, in the order first written, each once (compared as written; the look-up is
 * case-insensitive), at most MAX_MENTIONS_PER_MESSAGE. A sentence's last dot or dash is no part of a name
 * ("thanks @bob." names bob).
 */
export function mentionedUsernames(text: string): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const name = (match[1] ?? '').replace(/[.-]+$/u, '');
    const key = name.normalize('NFKC').toLowerCase();
    if (name.length < 3 || name.length > 32 || seen.has(key)) continue;
    seen.add(key);
    names.push(name);
    if (names.length === MAX_MENTIONS_PER_MESSAGE) break;
  }
  return names;
}
