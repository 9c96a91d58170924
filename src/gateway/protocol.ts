import { z } from 'zod';
import { ValidationError } from '../domain/errors.js';
import { frameRefSchema, type FrameRef } from './frameRef.js';
import type { ServerFrame } from './serverFrames.js';

// The WebSocket protocol of API.md: JSON text frames, each `{"type": ..., ...}`. Client frames are validated here,
// at the edge, with strict objects (an unknown field is a client bug worth reporting); server frames are typed by
// their schemas in serverFrames.ts, so every frame the gateway writes has the documented shape. Both directions'
// schemas are what the AsyncAPI document (http/asyncapi.ts) is made of: descriptions here end up there.

// The gateway's files import the protocol's types from here, whichever direction they belong to.
export type { FrameRef } from './frameRef.js';
export type { ChatEventFrame, ErrorFrame, ReceiptKind, ServerFrame, ServerFrameType, UnsubscribeReason } from './serverFrames.js';

const frameId = frameRefSchema.optional().meta({ description: 'Echoed as `ref` in the answer to this frame.' });

// The same bounds as the REST bodies (http/schemas.ts): the decider owns the real text rules.
const id = z.string().min(1).max(200);
const text = z.string().max(20_000);
const clientMessageId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const seq = z.number().int().safe();

export const clientFrameSchema = z.discriminatedUnion('type', [
  z
    .strictObject({ type: z.literal('auth'), id: frameId, token: z.string().min(1).max(8192) })
    .meta({
      description: 'The access token; must be the first frame, within WS_AUTH_TIMEOUT_MS (default 30 s). Answered by auth.success.',
    }),
  z
    .strictObject({ type: z.literal('room.subscribe'), id: frameId, roomId: id, afterSeq: seq.min(0).optional() })
    .meta({ description: 'Subscribe to a room: replays every event after `afterSeq`, then streams live ones.' }),
  z
    .strictObject({ type: z.literal('room.unsubscribe'), id: frameId, roomId: id })
    .meta({ description: 'Stop receiving a room. Answered by room.unsubscribed.' }),
  z
    .strictObject({
      type: z.literal('chat.send'),
      id: frameId,
      roomId: id,
      text,
      clientMessageId,
      attachments: z
        .array(id)
        .min(1)
        .max(10)
        .optional()
        .meta({ description: 'Files uploaded with POST /api/files (yours, or ones you may read: a forward); `text` may then be ""' }),
      replyTo: id
        .optional()
        .meta({ description: "The message of this room it answers (else NO_MESSAGE); a reply to a reply joins the root's thread" }),
    })
    .meta({ description: 'Send a message; a retry with the same clientMessageId gets the first answer. Answered by chat.ack.' }),
  z
    .strictObject({ type: z.literal('chat.edit'), id: frameId, messageId: id, text })
    .meta({ description: 'Edit one of your messages. Answered by chat.ack.' }),
  z
    .strictObject({ type: z.literal('chat.delete'), id: frameId, messageId: id })
    .meta({ description: 'Delete a message (sender, room moderator or admin). Answered by chat.ack.' }),
  z
    .strictObject({ type: z.literal('chat.typing'), id: frameId, roomId: id })
    .meta({ description: "Say you are typing: relayed to the room's other subscribers, never stored." }),
  z
    .strictObject({ type: z.literal('chat.read'), id: frameId, roomId: id, seq: seq.min(0) })
    .meta({ description: 'You have read the room up to `seq`.' }),
  z.strictObject({ type: z.literal('pong'), id: frameId }).meta({ description: 'The answer to ping.' }),
  z
    .strictObject({ type: z.literal('chat.stream.cancel'), id: frameId, roomId: id, streamId: id.optional() })
    .meta({
      description:
        "Stop the assistant's answer to your question in the room (or the one with this streamId): the model request is " +
        'aborted, nothing is stored, and the room gets the chat.stream with done and error AI_ERROR.',
    }),
]);

export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientFrameType = ClientFrame['type'];

const CLIENT_FRAME_TYPES: ReadonlySet<string> = new Set(clientFrameSchema.options.map((option) => option.shape.type.value));

export type ParsedFrame =
  | { ok: true; frame: ClientFrame; ref: FrameRef | undefined }
  | { ok: false; error: ValidationError; ref: FrameRef | undefined };

/**
 * Parses one text frame. A frame that fails still yields whatever `ref` can be read from it, so the client can
 * tell which of its frames was refused.
 */
export function parseClientFrame(data: string): ParsedFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(data);
  } catch {
    return { ok: false, error: new ValidationError('frame is not valid JSON', undefined, 'INVALID_JSON'), ref: undefined };
  }
  const ref = refOf(raw);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw) || !('type' in raw) || typeof raw.type !== 'string') {
    return { ok: false, error: new ValidationError('a frame is a JSON object with a string "type"'), ref };
  }
  if (!CLIENT_FRAME_TYPES.has(raw.type)) {
    return {
      ok: false,
      error: new ValidationError(`unknown frame type "${raw.type.slice(0, 50)}"`, undefined, 'UNKNOWN_TYPE'),
      ref,
    };
  }
  const parsed = clientFrameSchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      error: new ValidationError(`invalid ${raw.type} frame`, {
        issues: parsed.error.issues.map((issue) => ({
          path: issue.path.map(String).join('.'),
          code: issue.code,
          message: issue.message,
        })),
      }),
      ref,
    };
  }
  return { ok: true, frame: parsed.data, ref: refOfFrame(parsed.data) };
}

/** chat.send is answered by its clientMessageId (its idempotency key); every other frame by its optional id. */
function refOfFrame(frame: ClientFrame): FrameRef | undefined {
  return frame.type === 'chat.send' ? frame.clientMessageId : frame.id;
}

function refOf(raw: unknown): FrameRef | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const candidate = 'type' in raw && raw.type === 'chat.send' && 'clientMessageId' in raw ? raw.clientMessageId : 'id' in raw ? raw.id : undefined;
  const valid = frameRefSchema.safeParse(candidate);
  return valid.success ? valid.data : undefined;
}

// ---- server frames ----------------------------------------------------------------------------------------

/**
 * A server frame as the bytes of its JSON text. Fan-out encodes a frame once and hands the same bytes to every
 * subscriber's socket: a string would be encoded to UTF-8 again by each `ws.send`.
 */
export type EncodedFrame = Buffer;

/** Encoded once per frame: fan-out sends the same bytes to every subscriber (as a text frame). */
export function encodeFrame(frame: ServerFrame): EncodedFrame {
  return Buffer.from(JSON.stringify(frame));
}

/** `ref` only when the client gave one, so frames carry no `"ref": undefined` noise. */
export function withRef<F extends Extract<ServerFrame, { ref?: FrameRef }>>(frame: F, ref: FrameRef | undefined): F {
  return ref === undefined ? frame : { ...frame, ref };
}
