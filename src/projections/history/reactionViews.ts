// How the reaction rows of a page of messages become each message's `reactions` (pure; both stores use it).

import type { MessageView, ReactionView } from './historyStore.js';

/** One user's reaction as stored: one row per (message, emoji, user). */
export interface ReactionRow {
  seq: number;
  emoji: string;
  userId: string;
}

/**
 * `messages` with their reactions attached. `rows` must come in the order they were added (by the reaction event's
 * stream version), so each emoji lists its users in reaction order and a message's emoji come in the order each
 * was first used among the reactions it still has. A deleted message shows none (the store also drops its rows).
 */
export function withReactions(messages: MessageView[], rows: readonly ReactionRow[]): MessageView[] {
  const bySeq = new Map<number, Map<string, string[]>>();
  for (const { seq, emoji, userId } of rows) {
    const emojis = bySeq.get(seq) ?? new Map<string, string[]>();
    const users = emojis.get(emoji) ?? [];
    users.push(userId);
    emojis.set(emoji, users);
    bySeq.set(seq, emojis);
  }
  return messages.map((message) => {
    const emojis = message.deleted ? undefined : bySeq.get(message.seq);
    if (emojis === undefined) return message;
    const reactions: ReactionView[] = [...emojis].map(([emoji, userIds]) => ({ emoji, count: userIds.length, userIds }));
    return { ...message, reactions };
  });
}

/** The seq range a page of messages spans, to read its reactions in one range scan; undefined for no messages. */
export function seqRange(messages: readonly MessageView[]): { from: number; to: number } | undefined {
  if (messages.length === 0) return undefined;
  let from = Number.POSITIVE_INFINITY;
  let to = 0;
  for (const { seq } of messages) {
    from = Math.min(from, seq);
    to = Math.max(to, seq);
  }
  return { from, to };
}
