import { fileUrlOf, thumbnailUrlOf } from '../domain/ids.js';
import type { AttachmentRef, DeliveriesEvent, ReceiptEvent, RoomEvent } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { ChatEventFrame, ReceiptKind, ServerFrame } from './protocol.js';
import { isoTime } from '../support/isoTime.js';

// How a log event looks on the socket. Each type's fields are listed explicitly (not spread from the payload) so
// a field added to an event later reaches clients only when someone decides it should: the `chat.event` data
// shape is a public contract (docs/clients.md "WebSocket").

/**
 * `redactText`: the message was deleted after this event, so a replay must not reveal what it said
 * (API.md: a deleted message keeps its seq with `text: null`).
 */
export function chatEventFrame(event: RecordedEvent<RoomEvent>, redactText = false): ChatEventFrame {
  const frame = { type: 'chat.event', roomId: event.data.roomId, seq: event.streamVersion } as const;
  const facts = { occurredAt: isoTime(event.metadata.occurredAt), actorId: event.metadata.actorId };
  // Each case builds the whole frame, so `event` and `data` stay correlated for the type checker (serverFrames.ts).
  switch (event.type) {
    case 'RoomCreated': {
      const { roomId, name, kind, createdBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, name, kind, createdBy, ...facts } };
    }
    case 'MemberJoined': {
      const { roomId, userId, role, addedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, userId, role, addedBy, ...facts } };
    }
    case 'MemberLeft': {
      const { roomId, userId } = event.data;
      return { ...frame, event: event.type, data: { roomId, userId, ...facts } };
    }
    case 'MemberRemoved': {
      const { roomId, userId, removedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, userId, removedBy, ...facts } };
    }
    case 'MemberRoleChanged': {
      const { roomId, userId, role, changedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, userId, role, changedBy, ...facts } };
    }
    case 'MessageSent': {
      const { roomId, messageId, senderId, text, clientMessageId, erased, attachments, replyTo, threadId, mentions } = event.data;
      const shown = {
        roomId,
        messageId,
        senderId,
        text: redactText ? null : text,
        clientMessageId,
        ...(erased ? { erased } : {}),
        // A deleted message's files are not shown in a replay, like its text.
        ...(attachments && attachments.length > 0 && !redactText ? { attachments: attachments.map(fileOfAttachment) } : {}),
        // Where a reply stands is no text: it stays in a replay of a deleted reply, so its thread still adds up.
        ...(replyTo !== undefined && threadId !== undefined ? { replyTo, threadId } : {}),
        // Whom it mentions is no text either (user ids, resolved when sent).
        ...(mentions && mentions.length > 0 ? { mentions } : {}),
      };
      return { ...frame, event: event.type, data: { ...shown, ...facts } };
    }
    case 'MessageEdited': {
      const { roomId, messageId, text, editedBy, erased } = event.data;
      const shown = { roomId, messageId, text: redactText ? null : text, editedBy, ...(erased ? { erased } : {}) };
      return { ...frame, event: event.type, data: { ...shown, ...facts } };
    }
    case 'MessageDeleted': {
      // Carries no text by construction: the event itself never had any.
      const { roomId, messageId, deletedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, messageId, deletedBy, ...facts } };
    }
    case 'ReactionAdded':
    case 'ReactionRemoved': {
      const { roomId, messageId, userId, emoji } = event.data;
      const data = { roomId, messageId, userId, emoji, ...facts };
      return event.type === 'ReactionAdded' ? { ...frame, event: event.type, data } : { ...frame, event: event.type, data };
    }
    case 'RoomRenamed': {
      const { roomId, name, renamedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, name, renamedBy, ...facts } };
    }
    case 'RoomTopicChanged': {
      const { roomId, topic, changedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, topic, changedBy, ...facts } };
    }
    case 'MessagePinned': {
      const { roomId, messageId, pinnedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, messageId, pinnedBy, ...facts } };
    }
    case 'MessageUnpinned': {
      const { roomId, messageId, unpinnedBy } = event.data;
      return { ...frame, event: event.type, data: { roomId, messageId, unpinnedBy, ...facts } };
    }
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
}

/** An attachment as the `file` shape (API.md): `url` and `thumbnailUrl` point at this service. */
function fileOfAttachment(attachment: AttachmentRef) {
  return {
    fileId: attachment.fileId,
    name: attachment.name,
    contentType: attachment.contentType,
    size: attachment.size,
    sha256: attachment.sha256,
    ...(attachment.width === null ? {} : { width: attachment.width }),
    ...(attachment.height === null ? {} : { height: attachment.height }),
    url: fileUrlOf(attachment.fileId),
    ...(attachment.thumbnail ? { thumbnailUrl: thumbnailUrlOf(attachment.fileId) } : {}),
  };
}

/** The message a MessageSent or MessageEdited is about, or undefined for events that carry no text. */
export function textBearingMessageId(event: RecordedEvent<RoomEvent>): string | undefined {
  switch (event.type) {
    case 'MessageSent':
    case 'MessageEdited':
      return event.data.messageId;
    case 'RoomCreated':
    case 'MemberJoined':
    case 'MemberLeft':
    case 'MemberRemoved':
    case 'MemberRoleChanged':
    case 'MessageDeleted':
    case 'ReactionAdded':
    case 'ReactionRemoved':
    case 'RoomRenamed':
    case 'RoomTopicChanged':
    case 'MessagePinned':
    case 'MessageUnpinned':
      return undefined;
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
}

/** One user's receipt marker that moved in a room: what one `chat.receipt` frame says. */
export interface ReceiptMarker {
  roomId: string;
  userId: string;
  kind: ReceiptKind;
  seq: number;
}

/**
 * The markers an event moves, all in the event's room: one for a receipts stream's MessagesDelivered or MessagesRead,
 * one per member named for a room's DeliveriesRecorded. Clients hear of each as before, one frame per marker, so
 * how the log groups deliveries is no part of the socket's contract.
 */
export function receiptMarkers(event: RecordedEvent<ReceiptEvent | DeliveriesEvent>): ReceiptMarker[] {
  switch (event.type) {
    case 'MessagesDelivered':
    case 'MessagesRead': {
      const { roomId, userId, seq } = event.data;
      return [{ roomId, userId, kind: event.type === 'MessagesDelivered' ? 'delivered' : 'read', seq }];
    }
    case 'DeliveriesRecorded': {
      const { roomId } = event.data;
      return event.data.markers.map(({ userId, seq }) => ({ roomId, userId, kind: 'delivered', seq }));
    }
    default: {
      const unknownEvent: never = event;
      return unknownEvent;
    }
  }
}

/** A user's receipt marker moved: pushed to the senders it concerns so they see delivered/read in real time. */
export function receiptFrame(marker: ReceiptMarker): ServerFrame {
  const { roomId, userId, kind, seq } = marker;
  return { type: 'chat.receipt', roomId, userId, kind, seq };
}
