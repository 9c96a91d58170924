// How the mention rows of a page of messages become each message's `mentions` (#17; pure, both stores use it).

import type { MessageView } from './historyStore.js';

/** One mentioned user of one message, as stored. */
export interface MentionRow {
  seq: number;
  userId: string;
}

/** `messages` with whom each mentions; `rows` in the order the message named them. */
export function withMentions(messages: MessageView[], rows: readonly MentionRow[]): MessageView[] {
  if (rows.length === 0) return messages;
  const bySeq = new Map<number, string[]>();
  for (const { seq, userId } of rows) bySeq.set(seq, [...(bySeq.get(seq) ?? []), userId]);
  return messages.map((message) => {
    const mentions = bySeq.get(message.seq);
    return mentions === undefined ? message : { ...message, mentions };
  });
}
