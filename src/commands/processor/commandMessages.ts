import { z } from 'zod';
import type { ErrorCode } from '../../domain/errors.js';
import type { UserRole } from '../../events/chatEvents.js';
import type { DecisionContext } from '../decider.js';
import { CATEGORY_NAMES, STREAM_CATEGORIES, type CategoryName, type CommandOf } from '../streamCategories.js';

// What travels on the commands and replies topics, as JSON. Commands are the project's own messages between its
// own processes, so JSON (validated with zod on the processor side) is enough: no third party reads them, and
// keeping them out of the schema registry keeps the Avro catalogue about events only. A command's schema is its
// category's (streamCategories.ts), so a command the embedded bus runs is one the processor accepts.

/** One command with the category whose decider takes it. */
export interface CategoryCommand<K extends CategoryName> {
  category: K;
  command: CommandOf<K>;
}

/** A command of any category, the category and the command's type matching. */
export type AnyCategoryCommand = { [K in CategoryName]: CategoryCommand<K> }[CategoryName];

export interface CommandEnvelope<Body extends CategoryCommand<CategoryName> = AnyCategoryCommand> {
  v: 1;
  commandId: string;
  correlationId: string;
  streamId: string;
  context: DecisionContext;
  body: Body;
}

/** The place of one appended event in the events topic: the caller reads it from its own index. */
export interface EventPlace {
  partition: number;
  position: number;
}

export type CommandOutcome =
  | { status: 'accepted'; events: EventPlace[] }
  | { status: 'rejected'; code: ErrorCode; message: string; details?: Record<string, unknown> };

export interface CommandReply {
  v: 1;
  commandId: string;
  streamId: string;
  /** True when this answers a retry: the outcome is the first one, not a new decision. */
  replayed: boolean;
  outcome: CommandOutcome;
}

const id = z.string().min(1).max(200);
const userRole = z.enum(['user', 'admin', 'auditor', 'analyst']) satisfies z.ZodType<UserRole>;

function bodySchema<K extends CategoryName>(name: K): z.ZodType<CategoryCommand<K>> {
  return z.object({ category: z.literal(name), command: STREAM_CATEGORIES[name].commandSchema });
}

/** Each category's `{category, command}` body; exported for the AsyncAPI document (http/asyncapiKafka.ts). */
export const commandBodySchemas: { readonly [K in CategoryName]: z.ZodType<CategoryCommand<K>> } = {
  usernames: bodySchema('usernames'),
  users: bodySchema('users'),
  rooms: bodySchema('rooms'),
  receipts: bodySchema('receipts'),
  deliveries: bodySchema('deliveries'),
  audit: bodySchema('audit'),
  friendships: bodySchema('friendships'),
  identities: bodySchema('identities'),
  files: bodySchema('files'),
  assistantUsage: bodySchema('assistantUsage'),
};
const bodyCategory = z.object({ category: z.enum(CATEGORY_NAMES) });

/**
 * The category first (so an unknown one is named as such), then the command by its category's schema. A transform
 * has no JSON Schema of its own: the AsyncAPI document puts commandBodySchemas in its place.
 */
export const commandBodySchema = z.unknown().transform((value, ctx): AnyCategoryCommand => {
  const named = bodyCategory.safeParse(value);
  const parsed = named.success ? commandBodySchemas[named.data.category].safeParse(value) : named;
  if (parsed.success) return parsed.data;
  for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, code: 'custom', path: issue.path });
  return z.NEVER;
});

const limits = z.object({
  maxMessageLength: z.number().int().positive(),
  maxRoomMembers: z.number().int().positive(),
  maxRoomNameLength: z.number().int().positive(),
  maxAttachments: z.number().int().positive().optional(),
});

export const commandEnvelopeSchema = z.object({
  v: z.literal(1),
  commandId: id.meta({ description: "The command's id (its idempotency key); the reply is keyed by it." }),
  correlationId: z.string().max(200).meta({ description: 'Ties together everything caused by one request.' }),
  streamId: id.meta({ description: 'The stream the command is decided on; also the message key.' }),
  context: z
    .object({ actor: z.object({ userId: id, role: userRole }), limits })
    .meta({ description: 'Who sent it and the limits the edge applies, so the processor decides as the edge would.' }),
  body: commandBodySchema,
}) satisfies z.ZodType<CommandEnvelope, unknown>;

// Codes come from the processor's own ChatErrors; the shape is what is checked (an unknown code would still be a
// stable string, and the HTTP edge maps codes it does not know to 500).
const errorCode = z
  .custom<ErrorCode>((value) => typeof value === 'string' && /^[A-Z][A-Z_]{0,63}$/.test(value))
  .meta({ type: 'string', pattern: '^[A-Z][A-Z_]{0,63}$', description: 'The stable error code of the rejection.' });
const place = z
  .object({ partition: z.number().int().nonnegative(), position: z.number().int().positive() })
  .meta({ description: 'Where one appended event is in the events topic: its partition and offset + 1.' });
export const commandReplySchema = z.object({
  v: z.literal(1),
  commandId: id,
  streamId: id,
  replayed: z.boolean().meta({ description: 'True when this answers a retry: the outcome is the first one.' }),
  outcome: z.discriminatedUnion('status', [
    z.object({ status: z.literal('accepted'), events: z.array(place) }),
    z.object({
      status: z.literal('rejected'),
      code: errorCode,
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  ]),
}) satisfies z.ZodType<CommandReply>;

export type ParsedCommand = { ok: true; envelope: CommandEnvelope } | { ok: false; commandId: string | undefined; problem: string };

export function encodeCommand(envelope: CommandEnvelope<CategoryCommand<CategoryName>>): Buffer {
  return Buffer.from(JSON.stringify(envelope));
}

/**
 * Parses a command message. A malformed one is answered (rejected with VALIDATION_FAILED) when its command id can
 * be read, so its caller hears why instead of waiting for a timeout.
 */
export function parseCommand(bytes: Buffer | null): ParsedCommand {
  let json: unknown;
  try {
    json = bytes === null ? null : JSON.parse(bytes.toString('utf8'));
  } catch {
    return { ok: false, commandId: undefined, problem: 'the command is not JSON' };
  }
  const parsed = commandEnvelopeSchema.safeParse(json);
  if (parsed.success) return { ok: true, envelope: parsed.data };
  const commandId = z.object({ commandId: id }).safeParse(json);
  const problem = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ');
  return { ok: false, commandId: commandId.success ? commandId.data.commandId : undefined, problem };
}

export function encodeReply(reply: CommandReply): Buffer {
  return Buffer.from(JSON.stringify(reply));
}

/** Undefined for a message that is not a reply of this version (logged by the caller, never fatal). */
export function parseReply(bytes: Buffer | null): CommandReply | undefined {
  if (bytes === null) return undefined;
  try {
    const parsed = commandReplySchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
