// A message as the history view shows it, from what a store keeps of it: one rule for every store (SQLite, Oracle),
// which differ only in how they read their rows. A deleted message shows no text, an erased sender's an empty one;
// reactions, thread and mentions are filled in by the store from their own tables.

import type { MessageView } from './historyStore.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { messageIdOf } from '../../domain/ids.js';
import { isoTime } from '../../support/isoTime.js';
import { historyChanges } from './historyChanges.js';

export interface StoredMessage {
  messageId: string;
  roomId: string;
  seq: number;
  senderId: string;
  text: string | null;
  /** Milliseconds since the epoch, as stored. */
  createdAt: number;
  editedAt: number | null;
  deleted: boolean;
  erased: boolean;
}

export function messageViewOf(stored: StoredMessage): MessageView {
  return {
    messageId: stored.messageId,
    roomId: stored.roomId,
    seq: stored.seq,
    senderId: stored.senderId,
    text: stored.deleted ? null : stored.erased ? '' : stored.text,
    createdAt: isoTime(stored.createdAt),
    editedAt: stored.editedAt === null ? null : isoTime(stored.editedAt),
    deleted: stored.deleted,
    erased: stored.erased,
    // Filled in by the store from its reactions table (reactionViews.ts).
    reactions: [],
    // Filled in by the store from its thread tables (threadViews.ts).
    replyTo: null,
    threadId: null,
    replyCount: 0,
    lastReplyAt: null,
    // Filled in by the store from its mentions table (mentionViews.ts).
    mentions: [],
  };
}

/**
 * A message just sent, as the history view shows it once it has applied its MessageSent: built from the very changes
 * the view applies (historyChanges.ts), when they are only the row and its room's move, so the view keeps nothing
 * beside the row for it (no reply, no mentions, no files). Undefined otherwise, and for any other event: read it from
 * the view, which adds what it keeps beside the row.
 */
export function sentMessageView(event: RecordedEvent): MessageView | undefined {
  const changes = historyChanges(event);
  const inserted = changes.find((change) => change.op === 'messageInserted');
  if (inserted?.op !== 'messageInserted' || inserted.attachments.length > 0) return undefined;
  if (changes.some((change) => change.op !== 'messageInserted' && change.op !== 'roomAdvanced')) return undefined;
  return messageViewOf({
    messageId: messageIdOf(inserted.roomId, inserted.seq),
    roomId: inserted.roomId,
    seq: inserted.seq,
    senderId: inserted.senderId,
    text: inserted.text,
    createdAt: inserted.createdAt,
    editedAt: null,
    deleted: false,
    erased: inserted.erased,
  });
}
