import { z } from 'zod';
import { fileShape } from '../gateway/serverFrames.js';
import { queryInteger, queryIntegerOr } from './queryInteger.js';
import { MAX_PASSWORD_LENGTH, PASSWORD_CHARACTER_RULES, type PasswordPolicy } from '../auth/passwordPolicy.js';
import { DISPLAY_NAME_MAX, normaliseDisplayName, profileFieldProblem } from '../commands/user/profileRules.js';
import { MAX_ROOM_TOPIC_LENGTH } from '../domain/messageText.js';
import { characterClassOf, MESSAGE_TEXT_PATTERN, MESSAGE_TEXT_WITH_FILES_PATTERN, ROOM_NAME_PATTERN, ROOM_TOPIC_PATTERN, trimmedLengthPattern } from './textPatterns.js';

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

/** A username's characters: letters and digits of every script, "_", "." and "-" (compared after NFKC, domain/ids.ts). */
export const USERNAME_RULE = /^[\p{L}\p{N}_.-]+$/u;
export const USERNAME_MIN = 3;
export const USERNAME_MAX = 32;

/** USERNAME_RULE as the document states it (JSON Schema's minLength and maxLength say how many). */
export const usernamePattern = (): string => `^${characterClassOf(USERNAME_RULE)}+$`;

export const usernameSchema = codePointString(USERNAME_MAX, USERNAME_MIN)
  .regex(USERNAME_RULE, 'letters, digits, "_", "." and "-" only')
  .meta({
    // Read when the document is generated, not at startup (characterClassOf). zod would write the regex itself,
    // /u flag and \p{..} included, which no other engine reads as the server does.
    get pattern() {
      return usernamePattern();
    },
    description: `${USERNAME_MIN} to ${USERNAME_MAX} letters, digits, "_", "." and "-"; compared case-insensitively, and refused when it looks like an existing one (409)`,
  });

/** A new password: the policy's rules (auth/passwordPolicy.ts), refused with WEAK_PASSWORD by the service. */
export function newPasswordSchema(policy: PasswordPolicy) {
  return codePointString(MAX_PASSWORD_LENGTH, 1).meta({
    id: 'NewPassword',
    minLength: policy.minLength,
    // JSON Schema's pattern is a search: each one says the password contains such a character somewhere.
    get allOf() {
      return PASSWORD_CHARACTER_RULES.map(({ character }) => ({ pattern: characterClassOf(character) }));
    },
    description: `${policy.minLength} to ${MAX_PASSWORD_LENGTH} characters with ${PASSWORD_CHARACTER_RULES.map(({ rule }) => rule).join(', ')} (letters by Unicode category)`,
  });
}

/** zod's email check (the one z.email() makes), as a regex: the document states its pattern, not `format: email`, which takes other addresses. */
export const emailSchema = z.string().max(254).regex(z.regexes.email, 'Invalid email address');

/** A display name: the profile rules' (trimmed, 1 to DISPLAY_NAME_MAX code points), stated by a pattern. */
export const displayNameSchema = codePointString(1000)
  .transform(normaliseDisplayName)
  .refine((name) => profileFieldProblem('displayName', name) === undefined, {
    message: `1 to ${DISPLAY_NAME_MAX} characters after trimming`,
  })
  .meta({ pattern: trimmedLengthPattern(DISPLAY_NAME_MAX), description: `1 to ${DISPLAY_NAME_MAX} characters after trimming` });

/** `newPassword` is newPasswordSchema's, made once for both routes that take one (it is a component of the document). */
export function registerBody(newPassword: z.ZodType<string>) {
  return z
    .strictObject({
      username: usernameSchema,
      password: newPassword,
      email: emailSchema.optional(),
      displayName: displayNameSchema.optional(),
    })
    .meta({ id: 'RegisterRequest' });
}

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
    topic: z.string().meta({ description: '"" when none is set' }),
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
    mentionCount: z.number().int().min(0).optional().meta({
      description:
        "messages after the caller's read marker that `@mention` them, not deleted, none from users they blocked (own room list only)",
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
/** PATCH /api/chat/rooms/{roomId}: absent fields keep their value; the decider applies the rules (VALIDATION_FAILED). */
export const roomSettingsBody = z
  .strictObject({
    name: codePointString(ROOM_NAME_MAX).optional().meta({
      pattern: ROOM_NAME_PATTERN,
      description: `the new name: one line of plain text, 1 to ${ROOM_NAME_MAX} characters once trimmed`,
    }),
    topic: codePointString(MAX_ROOM_TOPIC_LENGTH).optional().meta({
      pattern: ROOM_TOPIC_PATTERN,
      description: `the new topic: one line of plain text, at most ${MAX_ROOM_TOPIC_LENGTH} characters once trimmed; "" clears it`,
    }),
  })
  .meta({ id: 'RoomSettings' });

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

export const reactionSchema = z
  .object({
    emoji: z.string().meta({ description: 'one emoji grapheme or a `:short_name:`' }),
    count: z.number().int().positive(),
    userIds: z.array(z.string()).meta({ description: 'who reacted with it, in the order they did' }),
  })
  .meta({ id: 'Reaction' });

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
    reactions: z
      .array(reactionSchema)
      .meta({ description: 'who reacted with what, each emoji in the order it was first used; empty once deleted' }),
    attachments: z.array(fileSchema).optional().meta({ description: 'the files sent with it (absent for none, and once deleted)' }),
    replyTo: z.string().optional().meta({ description: 'a reply: the message of this room it answers' }),
    threadId: z
      .string()
      .optional()
      .meta({ description: "a reply: its thread's root (a reply to a reply joins the root's thread)" }),
    replyCount: z
      .number()
      .int()
      .positive()
      .optional()
      .meta({ description: "a thread's root: how many of its replies stand (absent for none)" }),
    lastReplyAt: isoTime.optional().meta({ description: "a thread's root: when its latest standing reply was sent" }),
    mentions: z
      .array(z.string())
      .meta({ description: 'the user ids of the members `@username`-mentioned in the text when it was sent, in the order named' }),
  })
  .meta({ id: 'Message' });

export const mentionsQuery = z.strictObject({
  before: id.optional().meta({ description: "a message id: mentions older than it (pass the previous page's nextCursor)" }),
  limit: queryIntegerOr(50, { min: 1, max: 100 }),
});

export const mentionsSchema = z
  .object({
    messages: z.array(messageSchema).meta({ description: 'newest first' }),
    nextCursor: z.string().optional().meta({ description: 'pass as before= for the next (older) page' }),
  })
  .meta({ id: 'Mentions' });

export const threadSchema = z
  .object({
    root: messageSchema,
    messages: z.array(messageSchema).meta({ description: "the root's replies, oldest first" }),
    nextCursor: z.number().int().optional().meta({ description: 'pass as after= for the next page' }),
  })
  .meta({ id: 'Thread' });


const seqParam = queryInteger({ min: 0, max: Number.MAX_SAFE_INTEGER });

// Both cursors together are a range: what lies strictly between them, paged forwards like after= alone. (The history
// stores have always served it; the edge used to refuse the pair, which OpenAPI's separate parameters cannot say.)
export const messagesQuery = z.strictObject({
  before: seqParam.optional().meta({ description: 'messages with a lower seq (newest page first); with after: the upper end of a range' }),
  after: seqParam.optional().meta({ description: 'messages with a higher seq (oldest page first); with before: the lower end of a range' }),
  limit: queryIntegerOr(50, { min: 1, max: 100 }),
});

export const threadQuery = z.strictObject({
  after: seqParam.optional().meta({ description: "replies with a higher seq: pass the previous page's nextCursor" }),
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
      replyTo: id
        .optional()
        .meta({ description: "the message of this room it answers (404 NO_MESSAGE otherwise); a reply to a reply joins the root's thread" }),
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
export const pinParams = z.strictObject({ roomId: id, messageId: id });

/** The emoji arrives URL-decoded; its rule (domain/reactionEmoji.ts) is the room decider's, which answers VALIDATION_FAILED. */
export const reactionParams = z.strictObject({
  messageId: id,
  emoji: z.string().min(1).max(200).meta({
    description:
      'URL-encoded: one emoji grapheme (it holds an Extended_Pictographic or Regional_Indicator code point, or is a keycap; ' +
      'at most 16 code points) or a `:short_name:` (`^:[a-z0-9_+-]{1,32}:$`)',
  }),
});

export const healthSchema = z
  .object({
    status: z.enum(['ok', 'unavailable']),
    /** What this process runs (`chat serve --roles`). */
    roles: z.array(z.string()).optional(),
    checks: z.record(z.string(), z.object({ status: z.enum(['ok', 'failing']), detail: z.string().optional() })),
  })
  .meta({ id: 'Health' });
