import type { Attachment, RoomRole } from '../shared/types.js';

// The WebSocket frames the client reads (API.md "WebSocket", the AsyncAPI document at /api/asyncapi.json).
// Unknown frame types and fields are ignored: the contract lets the server add them.

interface EventFacts {
  occurredAt: string;
  actorId: string | null;
}

export type RoomEventData =
  | { event: 'MessageSent'; data: EventFacts & { messageId: string; senderId: string; text: string | null; erased?: true; replyTo?: string; threadId?: string; mentions?: string[]; attachments?: Attachment[] } }
  | { event: 'MessageEdited'; data: EventFacts & { messageId: string; text: string | null; erased?: true } }
  | { event: 'MessageDeleted'; data: EventFacts & { messageId: string } }
  | { event: 'ReactionAdded' | 'ReactionRemoved'; data: EventFacts & { messageId: string; userId: string; emoji: string } }
  | { event: 'MemberJoined'; data: EventFacts & { userId: string; role: RoomRole; addedBy: string | null } }
  | { event: 'MemberLeft' | 'MemberRemoved'; data: EventFacts & { userId: string } }
  | { event: 'MemberRoleChanged'; data: EventFacts & { userId: string; role: RoomRole } }
  | { event: 'RoomCreated'; data: EventFacts & { name: string } }
  | { event: 'RoomRenamed'; data: EventFacts & { name: string } }
  | { event: 'RoomTopicChanged'; data: EventFacts & { topic: string } }
  | { event: 'MessagePinned' | 'MessageUnpinned'; data: EventFacts & { messageId: string } };

export type ChatEventFrame = { type: 'chat.event'; roomId: string; seq: number } & RoomEventData;

/**
 * A piece of an assistant's answer (docs/assistants.md "The frames"): `delta` in order (to a page that (re)subscribes
 * mid-answer, the first one holds the text so far); the last has `done` and either the stored message's id and seq or
 * the `error` it ended with (nothing stored).
 */
export interface ChatStreamFrame {
  type: 'chat.stream';
  roomId: string;
  streamId: string;
  replyTo?: string;
  senderId: string;
  delta: string;
  done: boolean;
  messageId?: string;
  seq?: number;
  error?: string;
}

export type ServerFrame =
  | { type: 'auth.success'; userId: string }
  | { type: 'room.subscribed'; roomId: string; headSeq: number }
  | { type: 'room.unsubscribed'; roomId: string; reason: 'requested' | 'left' | 'removed' }
  | ChatEventFrame
  | { type: 'chat.ack'; messageId: string; seq: number; clientMessageId?: string }
  | { type: 'chat.typing'; roomId: string; userId: string; expiresInMs: number }
  | { type: 'chat.receipt'; roomId: string; userId: string; kind: 'delivered' | 'read'; seq: number }
  | { type: 'presence'; userId: string; online: boolean; lastSeenAt: string | null }
  | { type: 'chat.error'; code: string; message: string; ref?: string; details?: Readonly<Record<string, unknown>> }
  | ChatStreamFrame
  | { type: 'ping' };

export type ClientFrame =
  | { type: 'auth'; token: string }
  | { type: 'room.subscribe'; roomId: string; afterSeq?: number }
  | { type: 'room.unsubscribe'; roomId: string }
  | { type: 'chat.send'; id?: string; roomId: string; text: string; clientMessageId: string; replyTo?: string }
  | { type: 'chat.edit'; messageId: string; text: string }
  | { type: 'chat.delete'; messageId: string }
  | { type: 'chat.typing'; roomId: string }
  | { type: 'chat.read'; roomId: string; seq: number }
  | { type: 'pong' }
  | { type: 'chat.stream.cancel'; roomId: string; streamId?: string };

const KNOWN = new Set([
  'auth.success', 'room.subscribed', 'room.unsubscribed', 'chat.event', 'chat.ack', 'chat.typing', 'chat.receipt',
  'presence', 'chat.error', 'chat.stream', 'ping',
]);

function isServerFrame(value: unknown): value is ServerFrame {
  return typeof value === 'object' && value !== null && 'type' in value && typeof value.type === 'string' && KNOWN.has(value.type);
}

/** A frame of a type this client knows, or null: the server's frames are typed by its own schemas, not re-checked. */
export function parseFrame(text: string): ServerFrame | null {
  try {
    const value: unknown = JSON.parse(text);
    return isServerFrame(value) ? value : null;
  } catch {
    return null;
  }
}
