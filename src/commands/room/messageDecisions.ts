// The room stream's decisions about messages: send, edit, delete. Pure, like the rest of the room decider
// (roomDecider.ts holds the one switch over every room command).

import type { DeleteMessage, EditMessage, SendMessage } from '../commands.js';
import type { DecisionContext } from '../decider.js';
import type { RoomEvent } from '../../events/chatEvents.js';
import { messageIdOf } from '../../domain/ids.js';
import { normaliseMessageText } from '../../domain/messageText.js';
import type { ExistingRoom, RoomState } from './roomState.js';
import { isModerator, reject, requireMember, requireMessage, requireRoom, requireStandingMessage } from './roomRules.js';

export function sendMessage(command: SendMessage, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requireMember(room, actor);
  const thread = command.replyTo === undefined ? {} : threadOf(room, command.replyTo);
  const text = normaliseMessageText(command.text, context.limits.maxMessageLength);
  return [
    {
      type: 'MessageSent',
      data: {
        roomId: room.roomId,
        // The single writer appends this event at version + 1, which is the message's seq.
        messageId: messageIdOf(room.roomId, room.version + 1),
        senderId: actor,
        text,
        clientMessageId: command.clientMessageId,
        ...thread,
      },
    },
  ];
}

/**
 * Where a reply to message `seq` goes: threads are one level deep, so a reply to a reply joins the thread of the
 * message it answers (its root). The message answered must stand: a deleted one is as absent as one never sent
 * (NO_MESSAGE), though a thread whose root was deleted still takes replies to its standing replies.
 */
function threadOf(room: ExistingRoom, seq: number): { replyTo: string; threadId: string } {
  const replyTo = requireStandingMessage(room, seq);
  const threadSeq = requireMessage(room, seq).threadSeq;
  return { replyTo, threadId: threadSeq === undefined ? replyTo : messageIdOf(room.roomId, threadSeq) };
}

/**
 * Always emits MessageEdited, even for unchanged text: the state does not keep texts (it stays bounded), and an
 * edit that repeats the text is harmless in the audit log.
 */
export function editMessage(command: EditMessage, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requireMember(room, actor);
  const message = requireMessage(room, command.seq);
  const messageId = messageIdOf(room.roomId, command.seq);
  if (message.senderId !== actor) {
    return reject('NOT_SENDER', 'only the sender edits a message', { roomId: room.roomId, messageId });
  }
  if (message.deleted) return reject('MESSAGE_DELETED', 'the message was deleted', { roomId: room.roomId, messageId });
  const text = normaliseMessageText(command.text, context.limits.maxMessageLength);
  return [{ type: 'MessageEdited', data: { roomId: room.roomId, messageId, text, editedBy: actor } }];
}

/** A global admin may delete in any room, member or not; everyone else must be in the room. */
export function deleteMessage(command: DeleteMessage, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  const isAdmin = context.actor.role === 'admin';
  const actorRole = isAdmin ? undefined : requireMember(room, actor);
  const message = requireMessage(room, command.seq);
  const messageId = messageIdOf(room.roomId, command.seq);
  if (!isAdmin && message.senderId !== actor && !isModerator(actorRole)) {
    return reject('FORBIDDEN', 'only the sender, a moderator or an admin deletes a message', {
      roomId: room.roomId,
      messageId,
    });
  }
  if (message.deleted) return [];
  return [{ type: 'MessageDeleted', data: { roomId: room.roomId, messageId, deletedBy: actor } }];
}
