import { z } from 'zod';
import type { ErrorCode } from '../domain/errors.js';
import { ValidationError } from '../domain/errors.js';

// The WebSocket protocol of API.md: JSON text frames, each `{"type": ..., ...}`. Client frames are validated here,
// at the edge, with strict objects (an unknown field is a client bug worth reporting); server frames are typed so
// every frame the gateway writes has the documented shape.

/** The client's own id of a frame, echoed as `ref` in the answer (API.md `chat.error.ref`). */
const frameId = z.union([z.string().min(1).max(100), z.number().int().safe()]);
export type FrameRef = z.infer<typeof frameId>;

// The same bounds as the REST bodies (http/schemas.ts): the decider owns the real text rules.
const id = z.string().min(1).max(200);
const text = z.string().max(20_000);
const clientMessageId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces');
const seq = z.number().int().safe();

const clientFrameSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('auth'), id: frameId.optional(), token: z.string().min(1).max(8192) }),
  z.strictObject({ type: z.literal('room.subscribe'), id: frameId.optional(), roomId: id, afterSeq: seq.min(0).optional() }),
  z.strictObject({ type: z.literal('room.unsubscribe'), id: frameId.optional(), roomId: id }),
  z.strictObject({ type: z.literal('chat.send'), id: frameId.optional(), roomId: id, text, clientMessageId }),
  z.strictObject({ type: z.literal('chat.edit'), id: frameId.optional(), messageId: id, text }),
  z.strictObject({ type: z.literal('chat.delete'), id: frameId.optional(), messageId: id }),
  z.strictObject({ type: z.literal('chat.typing'), id: frameId.optional(), roomId: id }),
  z.strictObject({ type: z.literal('chat.read'), id: frameId.optional(), roomId: id, seq: seq.min(0) }),
  z.strictObject({ type: z.literal('pong'), id: frameId.optional() }),
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
  const valid = frameId.safeParse(candidate);
  return valid.success ? valid.data : undefined;
}

// ---- server frames ----------------------------------------------------------------------------------------

/** Why a subscription ended without the client asking (or `requested` when it did). */
export type UnsubscribeReason = 'requested' | 'left' | 'removed';

export interface ChatEventFrame {
  type: 'chat.event';
  roomId: string;
  seq: number;
  /** The event type: MessageSent, MemberJoined, ... */
  event: string;
  data: Record<string, unknown>;
}

export type ReceiptKind = 'delivered' | 'read';

export type ServerFrame =
  | { type: 'auth.success'; userId: string; ref?: FrameRef }
  | { type: 'room.subscribed'; roomId: string; headSeq: number; ref?: FrameRef }
  | { type: 'room.unsubscribed'; roomId: string; reason: UnsubscribeReason; ref?: FrameRef }
  | ChatEventFrame
  | { type: 'chat.ack'; messageId: string; seq: number; clientMessageId?: string; ref?: FrameRef }
  | { type: 'chat.typing'; roomId: string; userId: string; expiresInMs: number }
  | { type: 'chat.receipt'; roomId: string; userId: string; kind: ReceiptKind; seq: number }
  | { type: 'presence'; userId: string; online: boolean; lastSeenAt: string | null }
  | { type: 'chat.error'; code: ErrorCode; message: string; ref?: FrameRef; details?: Record<string, unknown> }
  | { type: 'ping' };

export type ServerFrameType = ServerFrame['type'];
export type ErrorFrame = Extract<ServerFrame, { type: 'chat.error' }>;

/** Encoded once per frame: fan-out sends the same string to every subscriber. */
export function encodeFrame(frame: ServerFrame): string {
  return JSON.stringify(frame);
}

/** `ref` only when the client gave one, so frames carry no `"ref": undefined` noise. */
export function withRef<F extends Extract<ServerFrame, { ref?: FrameRef }>>(frame: F, ref: FrameRef | undefined): F {
  return ref === undefined ? frame : { ...frame, ref };
}
