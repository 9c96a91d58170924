import { z } from 'zod';
import type { ErrorCode } from '../domain/errors.js';
import type { RoomKind, RoomRole } from '../events/chatEvents.js';
import { frameRefSchema } from './frameRef.js';

// Every frame the gateway writes (API.md "Server → client"), as zod schemas whose inferred types are the types the
// gateway sends with: the AsyncAPI document (http/asyncapi.ts) is generated from these same schemas, so a field
// added to a frame reaches the document with it, and a frame the document does not describe cannot be sent.
// Objects are open (not strict): clients must ignore fields they do not know, since API.md lets us add fields.

const id = z.string().min(1);
const seq = z.number().int().nonnegative();
// Not z.iso.datetime(): the gateway writes these itself (toISOString), and its long pattern would only clutter the
// document; the format says it.
const timestamp = z.string().meta({ format: 'date-time', description: 'ISO 8601, UTC (toISOString).' });
const ref = frameRefSchema.optional().meta({ description: 'The `id` of the client frame this answers, when it had one.' });
const roomKind = z.enum(['public', 'private', 'direct']) satisfies z.ZodType<RoomKind>;
const roomRole = z.enum(['owner', 'moderator', 'member']) satisfies z.ZodType<RoomRole>;

// Codes are stable strings from one table (http/errorMapping.ts); the shape is what a client can rely on here.
const errorCode = z
  .custom<ErrorCode>((value) => typeof value === 'string' && /^[A-Z][A-Z_]*$/.test(value))
  .meta({
    type: 'string',
    pattern: '^[A-Z][A-Z_]*$',
    description:
      'A stable UPPER_SNAKE_CASE code, the same a REST call would get: INVALID_JSON, UNKNOWN_TYPE, AUTH_REQUIRED, ' +
      'AUTH_FAILED, AUTH_TIMEOUT, NO_ROOM, NOT_MEMBER, RATE_LIMIT_EXCEEDED, EMPTY_CONTENT, MESSAGE_TOO_LONG, ' +
      'VALIDATION_FAILED, INTERNAL_ERROR, ...; to the asker of an assistant (ref: the question\'s clientMessageId): ' +
      'ALREADY_PROCESSING, AI_TIMEOUT, AI_ERROR (details.reason; details.status: the provider\'s HTTP status).',
  });

// ---- chat.event: one shape per room event, told apart by `event` ---------------------------------------------

/** A file as clients see it (API.md `file`, issue #16); the REST document's File schema is the same shape. */
export const fileShape = z
  .object({
    fileId: id,
    name: z.string().meta({ description: 'The name the uploader gave (a hint); "" once erased' }),
    contentType: z.string().meta({ description: 'Sniffed from the bytes when uploaded' }),
    size: z.number().int().nonnegative(),
    sha256: z.string().meta({ description: 'SHA-256 (hex) of the bytes: the download\'s ETag' }),
    width: z.number().int().positive().optional().meta({ description: 'Images only' }),
    height: z.number().int().positive().optional().meta({ description: 'Images only' }),
    url: z.string().meta({ description: 'GET it with the access token: /api/files/{fileId}' }),
    thumbnailUrl: z.string().optional().meta({ description: 'Images only: longest side at most 320 px' }),
    erased: z
      .literal(true)
      .optional()
      .meta({ description: "Present when the uploader's personal data was erased: the bytes are gone (410)" }),
  })
  .meta({ description: 'A file: GET `url` (and `thumbnailUrl`) with the access token' });

/** What every chat.event's data carries besides the event's own fields. */
const eventFacts = {
  occurredAt: timestamp,
  actorId: id.nullable().meta({ description: 'Who caused the event; null for system actions.' }),
};

/** Text is null in a replay when the message was deleted since (API.md: a deleted message keeps its seq). */
const messageText = z.string().nullable();
/** Only present (true) when the sender's personal data was erased: the text then reads empty. */
const erased = z.literal(true).optional();

function chatEvent<const T extends string, D extends z.ZodRawShape>(event: T, description: string, data: D) {
  return z
    .object({
      type: z.literal('chat.event'),
      roomId: id,
      seq: seq.meta({ description: "The event's position in the room's stream." }),
      event: z.literal(event),
      data: z.object({ ...data, ...eventFacts }),
    })
    .meta({ description });
}

const chatEventFrameSchema = z.discriminatedUnion('event', [
  chatEvent('RoomCreated', 'The room was created (its first event).', { roomId: id, name: z.string(), kind: roomKind, createdBy: id }),
  chatEvent('MemberJoined', 'A member joined or was added (addedBy null: joined by themself).', {
    roomId: id,
    userId: id,
    role: roomRole,
    addedBy: id.nullable(),
  }),
  chatEvent('MemberLeft', 'A member left.', { roomId: id, userId: id }),
  chatEvent('MemberRemoved', 'A member was removed.', { roomId: id, userId: id, removedBy: id }),
  chatEvent('MemberRoleChanged', "A member's room role changed.", { roomId: id, userId: id, role: roomRole, changedBy: id }),
  chatEvent('MessageSent', 'A message was posted; `seq` is its seq.', {
    roomId: id,
    messageId: id,
    senderId: id,
    text: messageText,
    clientMessageId: id,
    erased,
    attachments: z.array(fileShape).optional().meta({ description: 'The files sent with it (issue #16); absent for none' }),
    replyTo: id.optional().meta({ description: 'A reply (#17): the message of this room it answers' }),
    threadId: id.optional().meta({ description: "A reply: its thread's root (a reply to a reply joins the root's thread)" }),
    mentions: z
      .array(id)
      .optional()
      .meta({ description: 'The members `@username`-mentioned in the text when it was sent (#17); absent for none' }),
  }),
  chatEvent('MessageEdited', 'A message was edited.', { roomId: id, messageId: id, text: messageText, editedBy: id, erased }),
  chatEvent('MessageDeleted', 'A message was deleted.', { roomId: id, messageId: id, deletedBy: id }),
  chatEvent('ReactionAdded', '`userId` reacted to a message with `emoji` (one emoji or a `:short_name:`).', {
    roomId: id,
    messageId: id,
    userId: id,
    emoji: z.string(),
  }),
  chatEvent('ReactionRemoved', '`userId` took back their reaction `emoji` to a message.', {
    roomId: id,
    messageId: id,
    userId: id,
    emoji: z.string(),
  }),
  chatEvent('RoomRenamed', 'The owner or a moderator renamed the room.', { roomId: id, name: z.string(), renamedBy: id }),
  chatEvent('RoomTopicChanged', 'The owner or a moderator set the room\'s topic ("" clears it).', {
    roomId: id,
    topic: z.string(),
    changedBy: id,
  }),
  chatEvent('MessagePinned', 'The owner or a moderator pinned a message.', { roomId: id, messageId: id, pinnedBy: id }),
  chatEvent('MessageUnpinned', 'The owner or a moderator unpinned a message.', { roomId: id, messageId: id, unpinnedBy: id }),
]).meta({ description: 'An event of a subscribed room, replayed or live: `event` is its type, `data` its fields.' });

// ---- the frames ----------------------------------------------------------------------------------------------

const authSuccess = z
  .object({ type: z.literal('auth.success'), userId: id, ref })
  .meta({ description: 'The `auth` frame was accepted; every other frame may follow.' });
const roomSubscribed = z
  .object({ type: z.literal('room.subscribed'), roomId: id, headSeq: seq, ref })
  .meta({ description: 'Subscribed: the missed events (after `afterSeq`) follow as chat.event frames, then live ones.' });
const unsubscribeReason = z
  .enum(['requested', 'left', 'removed'])
  .meta({ description: '`requested` when the client asked; otherwise why the subscription ended without asking.' });
const roomUnsubscribed = z
  .object({ type: z.literal('room.unsubscribed'), roomId: id, reason: unsubscribeReason, ref })
  .meta({ description: 'A subscription ended.' });
const chatAck = z
  .object({
    type: z.literal('chat.ack'),
    messageId: id,
    seq,
    clientMessageId: id.optional().meta({ description: 'Set when answering chat.send.' }),
    ref,
  })
  .meta({ description: 'A chat.send, chat.edit or chat.delete was stored (a retried chat.send gets the first answer).' });
const chatTyping = z
  .object({ type: z.literal('chat.typing'), roomId: id, userId: id, expiresInMs: z.number().int().positive() })
  .meta({ description: 'Another member is typing in a subscribed room; ephemeral, never in the log.' });
const receiptKind = z.enum(['delivered', 'read']);
const chatReceipt = z
  .object({ type: z.literal('chat.receipt'), roomId: id, userId: id, kind: receiptKind, seq })
  .meta({ description: "A user's delivered/read marker moved; sent to the senders of the messages it newly covers." });
const presence = z
  .object({ type: z.literal('presence'), userId: id, online: z.boolean(), lastSeenAt: timestamp.nullable() })
  .meta({ description: 'A member of a room the client is subscribed to came online or went offline.' });
const chatError = z
  .object({
    type: z.literal('chat.error'),
    code: errorCode,
    message: z.string(),
    ref,
    details: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ description: 'A frame was refused or failed; `ref` names it when the client gave it an id.' });
const chatStream = z
  .object({
    type: z.literal('chat.stream'),
    roomId: id,
    streamId: id.meta({ description: 'One answer: every piece of it carries the same id.' }),
    replyTo: id.meta({ description: 'The question: the message the answer replies to.' }),
    senderId: id.meta({ description: 'The assistant.' }),
    delta: z.string().meta({
      description: 'The next piece of the answer, in order; to a subscriber who joined mid-answer, the first frame holds the text so far.',
    }),
    done: z.boolean().meta({ description: 'The last frame of the answer: with messageId and seq when stored, with error when it failed.' }),
    messageId: id.optional().meta({ description: 'Set when done: the stored answer (an ordinary MessageSent).' }),
    seq: seq.optional().meta({ description: 'Set when done: the stored answer\'s seq.' }),
    error: errorCode.optional().meta({ description: 'Set when done without a message: AI_ERROR or AI_TIMEOUT; nothing was stored.' }),
  })
  .meta({ description: 'A piece of an assistant\'s answer streaming in a subscribed room (issue #19); never in the log.' });
const ping = z.object({ type: z.literal('ping') }).meta({ description: 'Heartbeat: answer with pong, or be dropped.' });

export const serverFrameSchema = z.discriminatedUnion('type', [
  authSuccess,
  roomSubscribed,
  roomUnsubscribed,
  chatEventFrameSchema,
  chatAck,
  chatTyping,
  chatReceipt,
  presence,
  chatError,
  ping,
  chatStream,
]);

export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerFrameType = ServerFrame['type'];
export type ChatEventFrame = z.infer<typeof chatEventFrameSchema>;
export type ErrorFrame = Extract<ServerFrame, { type: 'chat.error' }>;
export type UnsubscribeReason = z.infer<typeof unsubscribeReason>;
export type ReceiptKind = z.infer<typeof receiptKind>;

/** Each frame's schema by its type; typed over every member of the union, so a frame missing here fails the build. */
export const SERVER_FRAME_SCHEMAS: { readonly [T in ServerFrameType]: z.ZodType<Extract<ServerFrame, { type: T }>> } = {
  'auth.success': authSuccess,
  'room.subscribed': roomSubscribed,
  'room.unsubscribed': roomUnsubscribed,
  'chat.event': chatEventFrameSchema,
  'chat.ack': chatAck,
  'chat.typing': chatTyping,
  'chat.receipt': chatReceipt,
  presence,
  'chat.error': chatError,
  ping,
  'chat.stream': chatStream,
};

function isServerFrameType(key: string): key is ServerFrameType {
  return Object.hasOwn(SERVER_FRAME_SCHEMAS, key);
}

/** Every server frame type (the AsyncAPI document lists them; its test checks them against the gateway's sends). */
export const SERVER_FRAME_TYPES: readonly ServerFrameType[] = Object.keys(SERVER_FRAME_SCHEMAS).filter(isServerFrameType);
