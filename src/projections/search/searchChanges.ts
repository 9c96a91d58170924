// The search projection's pure core: what each recorded event changes in the search view. It reads the history
// projection's changes (historyChanges.ts) rather than the events, so both views give every event one meaning
// (an erased text, a member who left), and keeps the few it needs.

import type { RecordedEvent } from '../../events/envelope.js';
import type { RoomKind } from '../../events/chatEvents.js';
import { historyChanges } from '../history/historyChanges.js';

export type SearchChange =
  /** A room and whether anyone signed in may read it. */
  | { op: 'roomKnown'; roomId: string; kind: RoomKind }
  | { op: 'memberAdded'; roomId: string; userId: string }
  | { op: 'memberRemoved'; roomId: string; userId: string }
  /** A message was sent with searchable text. */
  | { op: 'textSent'; roomId: string; seq: number; messageId: string; senderId: string; text: string }
  /** The new text replaces the old in the index (a message the index does not hold stays out). */
  | { op: 'textEdited'; messageId: string; text: string }
  /** A message no longer has searchable text: deleted, or its text was erased. */
  | { op: 'textRemoved'; messageId: string }
  /** Every text the user sent leaves the index for good (crypto-shredding erased it). */
  | { op: 'senderErased'; userId: string };

export function searchChanges(event: RecordedEvent): SearchChange[] {
  const changes: SearchChange[] = [];
  for (const change of historyChanges(event)) {
    switch (change.op) {
      case 'roomCreated':
        changes.push({ op: 'roomKnown', roomId: change.roomId, kind: change.kind });
        break;
      case 'memberAdded':
        changes.push({ op: 'memberAdded', roomId: change.roomId, userId: change.userId });
        break;
      case 'memberRemoved':
        changes.push({ op: 'memberRemoved', roomId: change.roomId, userId: change.userId });
        break;
      case 'messageInserted':
        changes.push(
          change.erased || change.text === ''
            ? { op: 'textRemoved', messageId: change.messageId }
            : {
                op: 'textSent',
                roomId: change.roomId,
                seq: change.seq,
                messageId: change.messageId,
                senderId: change.senderId,
                text: change.text,
              },
        );
        break;
      case 'messageEdited':
        changes.push(
          change.erased || change.text === ''
            ? { op: 'textRemoved', messageId: change.messageId }
            : { op: 'textEdited', messageId: change.messageId, text: change.text },
        );
        break;
      case 'messageDeleted':
        changes.push({ op: 'textRemoved', messageId: change.messageId });
        break;
      case 'personalDataErased':
        changes.push({ op: 'senderErased', userId: change.userId });
        break;
      // Users, reactions, pins, markers, room settings and friendships say nothing about what text is searchable;
      // files are found by their messages, and a reply's or a mention's text is its message's, indexed with it;
      // a block hides nothing from search (the blocked user's messages stay readable, as in history).
      case 'userUpserted':
      case 'userRoleChanged':
      case 'userProfileUpdated':
      case 'userPasswordChanged':
      case 'memberRoleChanged':
      case 'reactionAdded':
      case 'reactionRemoved':
      case 'roomSettingChanged':
      case 'messagePinned':
      case 'messageUnpinned':
      case 'roomAdvanced':
      case 'markersAdvanced':
      case 'friendshipChanged':
      case 'fileRecorded':
      case 'fileDiscarded':
      case 'threadReplyAdded':
      case 'mentionsAdded':
      case 'blockChanged':
        break;
      default:
        return unreachable(change);
    }
  }
  return changes;
}

function unreachable(change: never): never {
  throw new Error(`searchChanges: unhandled history change ${JSON.stringify(change)}`);
}
