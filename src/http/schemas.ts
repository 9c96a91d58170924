import { z } from 'zod';
import { fileShape } from '../gateway/serverFrames.js';
import { queryInteger, queryIntegerOr } from './queryInteger.js';
import { MESSAGE_TEXT_PATTERN, MESSAGE_TEXT_WITH_FILES_PATTERN, ROOM_NAME_PATTERN } from './textPatterns.js';

// Request and response shapes of the REST API. The same schemas validate requests at the edge and generate the
// OpenAPI document (openapi.ts), so the documentation cannot drift from what is enforced.
// Objects are strict: an unknown field is a client bug worth reporting, not something to ignore silently.
// Where a decider owns a rule and its code (message texts, room names), the schema only bounds the input and the
// document states the rule through `.meta` (textPatterns.ts), so REST answers with the decider's code.

/** Code points, as JSON Schema's minLength and maxLength count them (and as the profile rules do). */
export const codePoints = (text: string): number => [...text].length;

/**
 * A string of `min` to `max` code points, as JSON Schema's minLength and maxLength count them (zod's .min() and
 * .max() count UTF-16 units, which refused 60 emoji as longer than 100, and a password the policy, counting code
 * points, takes). The units bound comes first: more than 2·max units is over max.
 */
export function codePointString(max: number, min = 0) {
  return z
    .string()
    .max(2 * max)
    .refine(
      (text) => {
        const length = codePoints(text);
        return length >= min && length <= max;
      },
      { message: min > 0 ? `${min} to ${max} characters` : `at most ${max} characters` },
    )
    .meta({ ...(min > 0 ? { minLength: min } : {}), maxLength: max });
}

const id = codePointString(200, 1);
const isoTime = z.string().meta({ format: 'date-time' });

export const errorSchema = z
  .object({
    error: z.object({
      code: z.string().meta({ example: 'VALIDATION_FAILED' }),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const userSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    displayName: z.string(),
    email: z.string().nullable(),
    role: z.enum(['user', 'admin', 'auditor', 'analyst']),
    createdAt: isoTime,
    statusText: z.string().meta({ description: '"" when none is set' }),
    avatarUrl: z.string().nullable().meta({ description: 'an absolute http(s) URL, null when none is set' }),
  })
  .meta({ id: 'User' });

export const registerBody = z
  .strictObject({
    username: z
      .string()
      .min(3)
      .max(32)
      .regex(/^[\p{L}\p{N}_.-]+$/u, 'letters, digits, "_", "." and "-" only'),
    password: z.string().min(1).max(256),
    email: z.email().max(254).optional(),
    displayName: z.string().trim().min(1).max(64).optional(),
  })
  .meta({ id: 'RegisterRequest' });

export const loginBody = z
  .strictObject({ username: codePointString(64, 1), password: codePointString(256, 1) })
  .meta({ id: 'LoginRequest' });

export const refreshBody = z.strictObject({ refreshToken: codePointString(512, 1) }).meta({ id: 'RefreshRequest' });

export const tokenPairSchema = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().meta({ description: 'seconds until the access token expires' }),
    tokenType: z.literal('Bearer'),
    user: userSchema,
  })
  .meta({ id: 'TokenPair' });

export const roomKindSchema = z.enum(['public', 'private', 'direct']);
export const roomRoleSchema = z.enum(['owner', 'moderator', 'member']);

export const roomSchema = z
  .object({
    roomId: z.string(),
    name: z.string(),
    kind: roomKindSchema,
    createdBy: z.string(),
    createdAt: isoTime,
    memberCount: z.number().int(),
    headSeq: z.number().int().meta({ description: 'seq of the latest event in the room' }),
    lastActivityAt: isoTime,
    myRole: roomRoleSchema.nullable().meta({ description: "the caller's role, null when not a member" }),
    // Only in the caller's own room list (GET /api/chat/rooms without scope=public), where they are a member.
    unreadCount: z.number().int().min(0).optional().meta({
      description: "messages others sent after the caller's read marker, not deleted (own room list only)",
    }),
    readSeq: z.number().int().min(0).optional().meta({
      description: 'the caller has read the room up to this seq, 0 for nothing yet (own room list only)',
    }),
  })
  .meta({ id: 'Room' });

export const markReadBody = z
  .strictObject({
    seq: z
      .number()
      .int()
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .meta({ description: "everything up to this seq is read; at most the room's headSeq" }),
  })
  .meta({ id: 'MarkReadRequest' });

export const receiptsSchema = z
  .object({
    receipts: z.array(
      z.object({
        userId: z.string(),
        deliveredSeq: z.number().int().meta({ description: "reached one of the member's connections up to here" }),
        readSeq: z.number().int().meta({ description: 'read up to here; never above deliveredSeq' }),
      }),
    ),
  })
  .meta({ id: 'Receipts' });

/** The room decider's limit on names (DEFAULT_LIMITS.maxRoomNameLength), after normalising: raw input gets as much. */
const ROOM_NAME_MAX = 100;
const memberIds = z.array(id).max(1000);

// One shape per kind, so the document says that a group room needs a name and a direct room one other member.
export const createRoomBody = z
  .discriminatedUnion('kind', [
    z.strictObject({
      kind: z.enum(['public', 'private']),
      name: codePointString(ROOM_NAME_MAX).meta({
        pattern: ROOM_NAME_PATTERN,
        description: `one line of plain text, 1 to ${ROOM_NAME_MAX} characters once trimmed (runs of white space count as one)`,
      }),
      memberIds: memberIds.optional().meta({ description: 'others to add at once (the creator is always a member)' }),
    }),
    z.strictObject({
      kind: z.literal('direct'),
      name: codePointString(ROOM_NAME_MAX).optional().meta({ description: 'ignored: a direct room is named by its id' }),
      memberIds: memberIds.meta({
        minItems: 1,
        maxItems: 1,
        description: "the other person's user id (the caller's own id and repeats are ignored)",
      }),
    }),
  ])
  .meta({ id: 'CreateRoomRequest' });

export const listRoomsQuery = z.strictObject({
  scope: z.enum(['mine', 'public']).default('mine'),
  limit: queryIntegerOr(50, { min: 1, max: 100 }),
  after: id.optional().meta({ description: 'cursor: the last roomId of the previous page' }),
});

export const memberSchema = z
  .object({
    userId: z.string(),
    username: z.string(),
    displayName: z.string(),
    role: roomRoleSchema,
    joinedAt: isoTime,
  })
  .meta({ id: 'Member' });

export const addMemberBody = z.strictObject({ userId: id }).meta({ id: 'AddMemberRequest' });
export const changeRoleBody = z.strictObject({ role: z.enum(['moderator', 'member']) }).meta({ id: 'ChangeRoleRequest' });

/** A file as answered by the upload (POST /api/files) and shown in messages: the `file` shape of API.md. */
export const fileSchema = fileShape.meta({ id: 'File' });

export const messageSchema = z
  .object({
    messageId: z.string(),
    roomId: z.string(),
    seq: z.number().int(),
    senderId: z.string(),
    text: z.string().nullable().meta({ description: 'null once deleted' }),
    createdAt: isoTime,
    editedAt: isoTime.optional(),
    deleted: z.boolean(),
    erased: z
      .literal(true)
      .optional()
      .meta({ description: "present when the sender's personal data was erased: `text` is \"\" and can never be read again" }),
    attachments: z.array(fileSchema).optional().meta({ description: 'the files sent with it (absent for none, and once deleted)' }),
  })
  .meta({ id: 'Message' });


const seqParam = queryInteger({ min: 0, max: Number.MAX_SAFE_INTEGER });

// Both cursors together are a range: what lies strictly between them, paged forwards like after= alone. (The history
// stores have always served it; the edge used to refuse the pair, which OpenAPI's separate parameters cannot say.)
export const messagesQuery = z.strictObject({
  before: seqParam.optional().meta({ description: 'messages with a lower seq (newest page first); with after: the upper end of a range' }),
  after: seqParam.optional().meta({ description: 'messages with a higher seq (oldest page first); with before: the lower end of a range' }),
  limit: queryIntegerOr(50, { min: 1, max: 100 }),
});

export const messagePageSchema = z
  .object({
    messages: z.array(messageSchema),
    nextCursor: z
      .number()
      .int()
      .optional()
      .meta({ description: 'pass as before= (or after=, keeping before=, when paging forwards) to get the next page' }),
  })
  .meta({ id: 'MessagePage' });

export const editHistorySchema = z
  .object({ edits: z.array(z.object({ text: z.string(), editedAt: isoTime, editedBy: z.string() })) })
  .meta({ id: 'EditHistory' });

/**
 * A message text: the rules (no control or bidi characters, something visible, at most `maxLength` code points once
 * normalised) are the room decider's (domain/messageText.ts), answered as EMPTY_CONTENT, INVALID_CONTENT or 413
 * MESSAGE_TOO_LONG; this only bounds the input, and the document states them.
 */
function messageText(maxLength: number, withFiles = false) {
  return z.string().max(20_000).meta({
    minLength: withFiles ? 0 : 1,
    maxLength,
    pattern: withFiles ? MESSAGE_TEXT_WITH_FILES_PATTERN : MESSAGE_TEXT_PATTERN,
    description:
      `1 to ${maxLength} characters (code points) once normalised: trimmed, CR LF as LF, NFC. Something visible, ` +
      'and no control character but tab and line breaks, no bidi control' +
      (withFiles ? '; may be "" (or only white space) when `attachments` are sent, else EMPTY_CONTENT' : ''),
  });
}

/** The body of POST /api/chat/send; `maxTextLength` is the service's MAX_MESSAGE_LENGTH. */
export function sendBody(maxTextLength: number) {
  return z
    .strictObject({
      roomId: id,
      text: messageText(maxTextLength, true),
      attachments: z
        .array(id)
        .min(1)
        .max(10)
        .optional()
        .meta({ description: 'file ids from POST /api/files: yours, or files you may read (a forward); at most MAX_ATTACHMENTS_PER_MESSAGE' }),
      clientMessageId: z
        .string()
        .min(1)
        .max(100)
        .regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
    })
    .meta({ id: 'SendMessageRequest' });
}

export function editBody(maxTextLength: number) {
  return z.strictObject({ text: messageText(maxTextLength) }).meta({ id: 'EditMessageRequest' });
}

export const roomIdParams = z.strictObject({ roomId: id });
export const memberParams = z.strictObject({ roomId: id, userId: id });
export const messageIdParams = z.strictObject({ messageId: id });

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    /** What this process runs (`chat serve --roles`). */
    roles: z.array(z.string()).optional(),
    checks: z.record(z.string(), z.object({ status: z.enum(['ok', 'failing']), detail: z.string().optional() })),
  })
  .meta({ id: 'Health' });
