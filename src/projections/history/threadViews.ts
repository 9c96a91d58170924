// How the thread rows of a page of messages become each message's replyTo, threadId, replyCount and lastReplyAt
// (#17; pure, both stores use it, as reactionViews.ts for reactions).

import { messageIdOf } from '../../domain/ids.js';
import type { IsoTime, MessageView } from './historyStore.js';

/** A reply as stored: one row per reply. */
export interface ReplyRow {
  seq: number;
  replyToSeq: number;
  threadSeq: number;
}

/** A thread's root as stored: its standing replies counted. */
export interface ThreadRootRow {
  rootSeq: number;
  replyCount: number;
  lastReplyAt: IsoTime | null;
}

/** `messages` (of one room) with their place in a thread, and for roots their replies' count and latest time. */
export function withThreads(
  messages: MessageView[],
  replies: readonly ReplyRow[],
  roots: readonly ThreadRootRow[],
): MessageView[] {
  if (replies.length === 0 && roots.length === 0) return messages;
  const replyBySeq = new Map(replies.map((row) => [row.seq, row]));
  const rootBySeq = new Map(roots.map((row) => [row.rootSeq, row]));
  return messages.map((message) => {
    const reply = replyBySeq.get(message.seq);
    const root = rootBySeq.get(message.seq);
    if (reply === undefined && root === undefined) return message;
    return {
      ...message,
      ...(reply === undefined
        ? {}
        : { replyTo: messageIdOf(message.roomId, reply.replyToSeq), threadId: messageIdOf(message.roomId, reply.threadSeq) }),
      ...(root === undefined ? {} : { replyCount: root.replyCount, lastReplyAt: root.lastReplyAt }),
    };
  });
}
