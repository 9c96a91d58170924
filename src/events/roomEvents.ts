// The events of the `room-<id>` stream: membership, messages (with their attachments, replies and mentions),
// edits, deletes, settings, pins and reactions. Part of the catalogue in chatEvents.ts.

import type { RoomKind, RoomRole, SealedValue } from './eventBasics.js';

/** Stream `room-<id>`: the first event of every room. */
export interface RoomCreated {
  type: 'RoomCreated';
  data: { roomId: string; name: string; kind: RoomKind; createdBy: string };
}

export interface MemberJoined {
  type: 'MemberJoined';
  /** addedBy is null when the member joined by themself (public room or creation). */
  data: { roomId: string; userId: string; role: RoomRole; addedBy: string | null };
}

export interface MemberLeft {
  type: 'MemberLeft';
  data: { roomId: string; userId: string };
}

export interface MemberRemoved {
  type: 'MemberRemoved';
  data: { roomId: string; userId: string; removedBy: string };
}

export interface MemberRoleChanged {
  type: 'MemberRoleChanged';
  data: { roomId: string; userId: string; role: RoomRole; changedBy: string };
}

/**
 * A file attached to a message, as the log records it (issue #16): what it is and its content hash, never its bytes.
 * The name is part of what the sender sent: sealed with the sender's key like the text (`sealedNames`).
 */
export interface AttachmentRef {
  fileId: string;
  /** The file's name as shown; stored "" when the names are sealed. */
  name: string;
  /** Sniffed from the bytes when uploaded. */
  contentType: string;
  size: number;
  /** SHA-256 (hex) of the stored bytes. */
  sha256: string;
  /** Pixels of an image; null for other files. */
  width: number | null;
  height: number | null;
  /** The file has a thumbnail (images). */
  thumbnail: boolean;
}

export interface MessageSent {
  type: 'MessageSent';
  /** The message's seq is the stream version of this event; messageId is derived from it (see ids.ts). */
  data: {
    roomId: string;
    messageId: string;
    senderId: string;
    text: string;
    clientMessageId: string;
    /** The text as stored: sealed with the sender's key (then `text` is stored empty). */
    sealedText?: SealedValue;
    /** Read after the sender's key was destroyed: `text` reads "" and is gone for good. */
    erased?: boolean;
    /** The files sent with the message (1 to 10), in the order given; absent when it carries none. */
    attachments?: AttachmentRef[];
    /** The attachments' names as stored: a JSON array sealed with the sender's key (then each `name` is stored ""). */
    sealedNames?: SealedValue;
    /** A reply: the message of this room it answers (#17). */
    replyTo?: string;
    /** A reply: its thread's root, the first message of the chain of replies (`replyTo` itself when that is no reply). */
    threadId?: string;
    /** The members `@mentioned` in the text, resolved when it was sent (#17); absent when it mentions nobody. */
    mentions?: string[];
  };
}

export interface MessageEdited {
  type: 'MessageEdited';
  data: {
    roomId: string;
    messageId: string;
    text: string;
    editedBy: string;
    /** The text as stored: sealed with the key of the message's sender, who is the only one who edits it. */
    sealedText?: SealedValue;
    /** Read after that key was destroyed: `text` reads "" and is gone for good. */
    erased?: boolean;
  };
}

export interface MessageDeleted {
  type: 'MessageDeleted';
  data: { roomId: string; messageId: string; deletedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator renamed a group room (the name already normalised). */
export interface RoomRenamed {
  type: 'RoomRenamed';
  data: { roomId: string; name: string; renamedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator set a group room's topic; "" clears it. */
export interface RoomTopicChanged {
  type: 'RoomTopicChanged';
  data: { roomId: string; topic: string; changedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator pinned a message of the room. */
export interface MessagePinned {
  type: 'MessagePinned';
  data: { roomId: string; messageId: string; pinnedBy: string };
}

/** Stream `room-<id>`: the owner or a moderator unpinned a message (deleting a message unpins it without an event). */
export interface MessageUnpinned {
  type: 'MessageUnpinned';
  data: { roomId: string; messageId: string; unpinnedBy: string };
}

/**
 * Stream `room-<id>`: `userId` reacted to a message with `emoji` (one emoji grapheme or a `:short_name:`,
 * domain/reactionEmoji.ts). One reaction per user, emoji and message: a repeat appends nothing.
 */
export interface ReactionAdded {
  type: 'ReactionAdded';
  data: { roomId: string; messageId: string; userId: string; emoji: string };
}

/** Stream `room-<id>`: `userId` took back their reaction `emoji` on a message. */
export interface ReactionRemoved {
  type: 'ReactionRemoved';
  data: { roomId: string; messageId: string; userId: string; emoji: string };
}
