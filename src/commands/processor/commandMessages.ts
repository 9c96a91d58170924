import { z } from 'zod';
import type { ErrorCode } from '../../domain/errors.js';
import type { RoomKind, RoomRole, UserRole } from '../../events/chatEvents.js';
import type {
  FriendCommand,
  ReceiptCommand,
  RoomCommand,
  UserCommand,
  UsernameCommand,
} from '../commands.js';
import type { AuditCommand } from '../../audit/auditDecider.js';
import type { DecisionContext } from '../decider.js';

// What travels on the commands and replies topics, as JSON. Commands are the project's own messages between its
// own processes, so JSON (validated with zod on the processor side) is enough: no third party reads them, and
// keeping them out of the schema registry keeps the Avro catalogue about events only.

/** The kinds of stream, each with its own decider; a command names its kind so the processor picks it. */
export const COMMAND_CATEGORIES = ['usernames', 'users', 'rooms', 'receipts', 'audit', 'friendships'] as const;
export type CommandCategory = (typeof COMMAND_CATEGORIES)[number];

/** The command type each category's decider takes. */
export interface CategoryCommands {
  usernames: UsernameCommand;
  users: UserCommand;
  rooms: RoomCommand;
  receipts: ReceiptCommand;
  audit: AuditCommand;
  friendships: FriendCommand;
}

export type AnyCategoryCommand = { [K in CommandCategory]: { category: K; command: CategoryCommands[K] } }[CommandCategory];

export interface CommandEnvelope {
  v: 1;
  commandId: string;
  correlationId: string;
  streamId: string;
  context: DecisionContext;
  body: AnyCategoryCommand;
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
const seq = z.number().int().positive();
const userRole = z.enum(['user', 'admin', 'auditor', 'analyst']) satisfies z.ZodType<UserRole>;
const roomKind = z.enum(['public', 'private', 'direct']) satisfies z.ZodType<RoomKind>;
const memberRole = z.enum(['moderator', 'member']) satisfies z.ZodType<Exclude<RoomRole, 'owner'>>;
// Texts and names are checked by the deciders (they own the rules and their codes); here only the shape.
const text = z.string().max(100_000);

const usernameCommand = z.object({ type: z.literal('ClaimUsername'), username: text, userId: id });
const userCommand = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('RegisterUser'),
    userId: id,
    username: text,
    email: text.nullable(),
    displayName: text,
    passwordHash: text,
    role: userRole,
  }),
  // Admin commands of `chat users` and the admin REST route (commands/user/userAdministration.ts).
  z.object({ type: z.literal('ChangeUserRole'), userId: id, role: userRole }),
  z.object({ type: z.literal('RevokeUserRole'), userId: id, role: userRole.exclude(['user']) }),
  z.object({ type: z.literal('ErasePersonalData'), userId: id }),
  // Self-service (PATCH /api/users/me, POST /api/auth/password); the decider checks the profile rules.
  z.object({
    type: z.literal('UpdateProfile'),
    userId: id,
    displayName: text.optional(),
    statusText: text.optional(),
    avatarUrl: text.nullable().optional(),
  }),
  z.object({ type: z.literal('ChangePassword'), userId: id, passwordHash: text }),
]);
const roomCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('CreateRoom'), roomId: id, name: text, kind: roomKind, memberIds: z.array(id).max(10_000) }),
  z.object({ type: z.literal('JoinRoom'), roomId: id }),
  z.object({ type: z.literal('LeaveRoom'), roomId: id }),
  z.object({ type: z.literal('AddMember'), roomId: id, userId: id }),
  z.object({ type: z.literal('RemoveMember'), roomId: id, userId: id }),
  z.object({ type: z.literal('ChangeMemberRole'), roomId: id, userId: id, role: memberRole }),
  z.object({ type: z.literal('SendMessage'), roomId: id, text, clientMessageId: id }),
  z.object({ type: z.literal('EditMessage'), roomId: id, seq, text }),
  z.object({ type: z.literal('DeleteMessage'), roomId: id, seq }),
]);
const receiptCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('AdvanceDeliveryMarker'), userId: id, roomId: id, seq }),
  z.object({ type: z.literal('AdvanceReadMarker'), userId: id, roomId: id, seq }),
]);

const auditCommand = z.object({
  type: z.literal('RecordAuditRead'),
  read: z.object({
    auditorId: id,
    kind: z.enum(['streamEvents', 'messageVersions']),
    streamId: id,
    messageId: id.nullable(),
    fromVersion: z.number().int().nonnegative(),
    limit: z.number().int().nonnegative(),
    returned: z.number().int().nonnegative(),
  }),
});

// Friendships (src/commands/friends): the actor and the other user; the decider checks the pair's state.
const friendCommand = z.discriminatedUnion('type', [
  z.object({ type: z.literal('RequestFriend'), userId: id, otherUserId: id }),
  z.object({ type: z.literal('AcceptFriendRequest'), userId: id, otherUserId: id }),
  z.object({ type: z.literal('RejectFriendRequest'), userId: id, otherUserId: id }),
  z.object({ type: z.literal('CancelFriendRequest'), userId: id, otherUserId: id }),
  z.object({ type: z.literal('RemoveFriend'), userId: id, otherUserId: id }),
]);

const body = z.discriminatedUnion('category', [
  z.object({ category: z.literal('usernames'), command: usernameCommand }),
  z.object({ category: z.literal('users'), command: userCommand }),
  z.object({ category: z.literal('rooms'), command: roomCommand }),
  z.object({ category: z.literal('receipts'), command: receiptCommand }),
  z.object({ category: z.literal('audit'), command: auditCommand }),
  z.object({ category: z.literal('friendships'), command: friendCommand }),
]);

const limits = z.object({
  maxMessageLength: z.number().int().positive(),
  maxRoomMembers: z.number().int().positive(),
  maxRoomNameLength: z.number().int().positive(),
});

const envelopeSchema = z.object({
  v: z.literal(1),
  commandId: id,
  correlationId: z.string().max(200),
  streamId: id,
  context: z.object({ actor: z.object({ userId: id, role: userRole }), limits }),
  body,
}) satisfies z.ZodType<CommandEnvelope>;

// Codes come from the processor's own ChatErrors; the shape is what is checked (an unknown code would still be a
// stable string, and the HTTP edge maps codes it does not know to 500).
const errorCode = z.custom<ErrorCode>((value) => typeof value === 'string' && /^[A-Z][A-Z_]{0,63}$/.test(value));
const place = z.object({ partition: z.number().int().nonnegative(), position: z.number().int().positive() });
const replySchema = z.object({
  v: z.literal(1),
  commandId: id,
  streamId: id,
  replayed: z.boolean(),
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

export function encodeCommand(envelope: CommandEnvelope): Buffer {
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
  const parsed = envelopeSchema.safeParse(json);
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
    const parsed = replySchema.safeParse(JSON.parse(bytes.toString('utf8')));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
