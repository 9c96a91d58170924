// The room stream's decisions about messages: send, edit, delete. Pure, like the rest of the room decider
// (roomDecider.ts holds the one switch over every room command).

import type { AttachmentFacts, DeleteMessage, EditMessage, SendMessage } from '../commands.js';
import { MAX_ATTACHMENTS, type DecisionContext } from '../decider.js';
import type { AttachmentRef, RoomEvent } from '../../events/chatEvents.js';
import { messageIdOf } from '../../domain/ids.js';
import { normaliseMessageText } from '../../domain/messageText.js';
import type { ExistingRoom, RoomState } from './roomState.js';
import { isModerator, reject, requireMember, requireMessage, requireRoom, requireStandingMessage } from './roomRules.js';

/**
 * Who may attach a file (issue #16): its uploader, or someone who may read it already (a forward). A file neither
 * is refused exactly like one that does not exist (NO_FILE), so an id alone says nothing about a file.
 */
function attachmentsOf(files: readonly AttachmentFacts[], actor: string, context: DecisionContext): AttachmentRef[] {
  const max = Math.min(context.limits.maxAttachments ?? MAX_ATTACHMENTS, MAX_ATTACHMENTS);
  if (files.length > max) {
    return reject('VALIDATION_FAILED', `a message carries at most ${max} files`, { field: 'attachments', max });
  }
  const seen = new Set<string>();
  return files.map((file) => {
    if (seen.has(file.fileId)) {
      return reject('VALIDATION_FAILED', `file ${file.fileId} is attached twice`, { field: 'attachments', fileId: file.fileId });
    }
    seen.add(file.fileId);
    if (file.uploadedBy !== actor && !file.readableByActor) {
      return reject('NO_FILE', `no file ${file.fileId}`, { fileId: file.fileId });
    }
    const { fileId, name, contentType, size, sha256, width, height, thumbnail } = file;
    return { fileId, name, contentType, size, sha256, width, height, thumbnail };
  });
}

export function sendMessage(command: SendMessage, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requireMember(room, actor);
  const thread = command.replyTo === undefined ? {} : threadOf(room, command.replyTo);
  const attachments = attachmentsOf(command.attachments ?? [], actor, context);
  // Files may be the whole message: then the text may be empty.
  const text = normaliseMessageText(command.text, context.limits.maxMessageLength, { allowEmpty: attachments.length > 0 });
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
        ...(attachments.length > 0 ? { attachments } : {}),
        ...thread,
        ...mentionsOf(room, command.mentions ?? [], actor),
      },
    },
  ];
}

/**
 * Whom the message mentions: of the users the edge found named in the text, those who are members now, each once,
 * never the sender. Anyone else named stays plain text.
 */
function mentionsOf(room: ExistingRoom, candidates: readonly string[], actor: string): { mentions?: string[] } {
  const mentions = [...new Set(candidates)].filter((userId) => userId !== actor && room.ledger.members.has(userId));
  return mentions.length > 0 ? { mentions } : {};
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
