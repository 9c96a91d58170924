// The history changes of conversations (#17): a reply's place in its thread, whom a message mentions, who blocked
// whom. Pure, like historyChanges.ts, which maps events to them; kept apart so that file stays one reader's worth.

import { parseMessageId } from '../../domain/ids.js';

type EpochMillis = number;

/**
 * A reply was sent (#17): message `seq` answers `replyToSeq` in the thread of root `threadSeq` (all of one room).
 * Stores keep one row per reply, inserted if absent, and the root's reply count and latest reply, counted again
 * from the standing replies, so a re-delivered change counts nothing twice; a deleted reply leaves the count.
 */
export interface ThreadReplyAdded {
  op: 'threadReplyAdded';
  roomId: string;
  seq: number;
  replyToSeq: number;
  threadSeq: number;
}

/**
 * Message `seq` `@mentions` these members (#17), in the order named. Stores keep one row per (user, message),
 * inserted if absent, with the sender (whose mentions a user who blocked them never sees counted) and the time.
 */
export interface MentionsAdded {
  op: 'mentionsAdded';
  roomId: string;
  seq: number;
  senderId: string;
  userIds: string[];
  at: EpochMillis;
}

/** `userId` blocked (or unblocked) `blockedUserId` (#17): one row per pair while blocked. */
export interface BlockChanged {
  op: 'blockChanged';
  userId: string;
  blockedUserId: string;
  blocked: boolean;
  at: EpochMillis;
}

/** A reply's place in its thread, or nothing for a message that is no reply. */
export function threadReply(roomId: string, seq: number, replyTo?: string, threadId?: string): ThreadReplyAdded[] {
  if (replyTo === undefined || threadId === undefined) return [];
  return [
    { op: 'threadReplyAdded', roomId, seq, replyToSeq: seqIn(roomId, replyTo), threadSeq: seqIn(roomId, threadId) },
  ];
}

/** The seq a message id names in its room; anything else is a corrupt log. */
function seqIn(roomId: string, messageId: string): number {
  const place = parseMessageId(messageId);
  if (place === undefined || place.roomId !== roomId) {
    throw new Error(`message id ${messageId} does not name a message of room ${roomId}`);
  }
  return place.seq;
}
