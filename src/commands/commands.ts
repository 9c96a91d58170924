import { z } from 'zod';
import type { AuditReadKind, RoomKind, RoomRole, UserRole } from '../events/chatEvents.js';
import { MAX_MENTIONS_PER_MESSAGE } from '../domain/mentions.js';

// Commands are data. Each names the stream it targets through its ids; the actor, time and ids of new things
// arrive from the edge (DecisionContext, or fields chosen there), never from inside a decider.
//
// Each command is written once, as a zod schema; its TypeScript type is inferred from it. The schemas check a
// command's shape where it crosses a process boundary (the Kafka commands topic); the deciders own the rules
// (lengths, who may do what) and their error codes, so the schemas only bound sizes.

const id = z.string().min(1).max(200);
const seq = z.number().int().positive();
const text = z.string().max(100_000);
const userRole = z.enum(['user', 'admin', 'auditor', 'analyst']) satisfies z.ZodType<UserRole>;
const roomKind = z.enum(['public', 'private', 'direct']) satisfies z.ZodType<RoomKind>;
const memberRole = z.enum(['moderator', 'member']) satisfies z.ZodType<Exclude<RoomRole, 'owner'>>;
const auditReadKind = z.enum(['streamEvents', 'messageVersions']) satisfies z.ZodType<AuditReadKind>;

// ---- username-<normalised name>: claimed once, with expected version "no stream" ----

export const claimUsername = z.object({ type: z.literal('ClaimUsername'), username: text, userId: id });
export type ClaimUsername = z.infer<typeof claimUsername>;

export const usernameCommand = claimUsername;
export type UsernameCommand = z.infer<typeof usernameCommand>;

// ---- user-<id>: the account ----

export const registerUser = z.object({
  type: z.literal('RegisterUser'),
  userId: id,
  username: text,
  email: text.nullable(),
  displayName: text,
  /** Already hashed at the edge: deciders never see a password. */
  passwordHash: text,
  role: userRole,
  /**
   * The identity at a sign-in provider whose first sign-in creates this account (issue #18): linked in the same
   * append (IdentityLinked), after the identity's own stream was claimed for the user.
   */
  identity: z.object({ provider: id, subject: text }).optional(),
});
export type RegisterUser = z.infer<typeof registerUser>;

/** Admin only: set a user's service-wide role (grant); the same role again changes nothing. */
export const changeUserRole = z.object({ type: z.literal('ChangeUserRole'), userId: id, role: userRole });
export type ChangeUserRole = z.infer<typeof changeUserRole>;

/** Admin only: take `role` away from the user (back to `user`); a role the user does not hold changes nothing. */
export const revokeUserRole = z.object({ type: z.literal('RevokeUserRole'), userId: id, role: userRole.exclude(['user']) });
export type RevokeUserRole = z.infer<typeof revokeUserRole>;

/**
 * Admin only: record that the user's personal data key was destroyed (crypto-shredding). The key is destroyed
 * outside the log first; an already erased user changes nothing.
 */
export const erasePersonalData = z.object({ type: z.literal('ErasePersonalData'), userId: id });
export type ErasePersonalData = z.infer<typeof erasePersonalData>;

/**
 * The user changes their own profile. Absent fields keep their value; the edge validated the fields' shape, the
 * decider applies the same rules again (it owns them) and appends nothing when nothing would change.
 */
export const updateProfile = z.object({
  type: z.literal('UpdateProfile'),
  userId: id,
  displayName: text.optional(),
  statusText: text.optional(),
  /** null removes the avatar. */
  avatarUrl: text.nullable().optional(),
  /**
   * An avatar the user uploaded (issue #16): the edge stored it (so the actor is its uploader and it is an image)
   * and `avatarUrl` is its service URL; null or absent with a new `avatarUrl` means the avatar is not a file.
   */
  avatarFileId: id.nullable().optional(),
});
export type UpdateProfile = z.infer<typeof updateProfile>;

/** The user changes their own password; the edge checked the current one and hashed the new one. */
export const changePassword = z.object({ type: z.literal('ChangePassword'), userId: id, passwordHash: text });
export type ChangePassword = z.infer<typeof changePassword>;

/**
 * The signed-in user links an identity at a sign-in provider to their own account (issue #18); the identity's
 * stream was claimed for them first. One identity per provider per account.
 */
export const linkIdentity = z.object({ type: z.literal('LinkIdentity'), userId: id, provider: id, subject: text });
export type LinkIdentity = z.infer<typeof linkIdentity>;

/** The user unlinks their identity at `provider`; refused when it is their last way to sign in. */
export const unlinkIdentity = z.object({ type: z.literal('UnlinkIdentity'), userId: id, provider: id });
export type UnlinkIdentity = z.infer<typeof unlinkIdentity>;

/**
 * An admin makes an account an assistant or changes its configuration (issue #19): the whole configuration, as the
 * event carries it. The edge bounds the sizes; the decider owns the rules.
 */
export const configureAssistant = z.object({
  type: z.literal('ConfigureAssistant'),
  userId: id,
  systemPrompt: text,
  model: z.string().max(200),
  allowedRoomIds: z.array(id).max(1000),
});
export type ConfigureAssistant = z.infer<typeof configureAssistant>;
/** The user blocks (#17) another user; blocking one already blocked appends nothing. */
export const blockUser = z.object({ type: z.literal('BlockUser'), userId: id, blockedUserId: id });
export type BlockUser = z.infer<typeof blockUser>;

/** The user unblocks another user; unblocking one not blocked appends nothing. */
export const unblockUser = z.object({ type: z.literal('UnblockUser'), userId: id, blockedUserId: id });
export type UnblockUser = z.infer<typeof unblockUser>;

export const userCommand = z.discriminatedUnion('type', [
  registerUser,
  changeUserRole,
  revokeUserRole,
  erasePersonalData,
  updateProfile,
  changePassword,
  linkIdentity,
  unlinkIdentity,
  configureAssistant,
  blockUser,
  unblockUser,
]);
export type UserCommand = z.infer<typeof userCommand>;

// ---- room-<id>: settings, membership and messages ----

export const createRoom = z.object({
  type: z.literal('CreateRoom'),
  roomId: id,
  name: text,
  kind: roomKind,
  /** Other initial members (the actor is always a member and the owner). A direct room needs exactly one. */
  memberIds: z.array(id).max(10_000),
});
export type CreateRoom = z.infer<typeof createRoom>;

export const joinRoom = z.object({ type: z.literal('JoinRoom'), roomId: id });
export type JoinRoom = z.infer<typeof joinRoom>;

export const leaveRoom = z.object({ type: z.literal('LeaveRoom'), roomId: id });
export type LeaveRoom = z.infer<typeof leaveRoom>;

export const addMember = z.object({ type: z.literal('AddMember'), roomId: id, userId: id });
export type AddMember = z.infer<typeof addMember>;

export const removeMember = z.object({ type: z.literal('RemoveMember'), roomId: id, userId: id });
export type RemoveMember = z.infer<typeof removeMember>;

export const changeMemberRole = z.object({ type: z.literal('ChangeMemberRole'), roomId: id, userId: id, role: memberRole });
export type ChangeMemberRole = z.infer<typeof changeMemberRole>;

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const contentType = z.string().min(1).max(200);
const byteCount = z.number().int().nonnegative();

/**
 * One file to attach, with the facts the room decider needs about it (issue #16). The edge looked the file up in the
 * history view: it exists and its bytes are there (else NO_FILE before any command), who uploaded it, and whether the
 * actor may read it now (a reader of a room it was sent to: a forward). The decider owns the rule.
 */
export const attachmentFacts = z.object({
  fileId: id,
  name: z.string().max(1000),
  contentType,
  size: byteCount,
  sha256,
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  thumbnail: z.boolean(),
  uploadedBy: id,
  readableByActor: z.boolean(),
});
export type AttachmentFacts = z.infer<typeof attachmentFacts>;

/**
 * `attachments` (1 to 10 files) may come with an empty text; without them the text must say something. `replyTo`:
 * the seq of the message of this room it answers (#17); the reply joins that message's thread.
 */
export const sendMessage = z.object({
  type: z.literal('SendMessage'),
  roomId: id,
  text,
  clientMessageId: id,
  attachments: z.array(attachmentFacts).max(10).optional(),
  replyTo: seq.optional(),
  /** Users the text `@mentions`, resolved from their names at the edge; the decider keeps those who are members. */
  mentions: z.array(id).max(MAX_MENTIONS_PER_MESSAGE).optional(),
});
export type SendMessage = z.infer<typeof sendMessage>;

export const editMessage = z.object({ type: z.literal('EditMessage'), roomId: id, seq, text });
export type EditMessage = z.infer<typeof editMessage>;

export const deleteMessage = z.object({ type: z.literal('DeleteMessage'), roomId: id, seq });
export type DeleteMessage = z.infer<typeof deleteMessage>;

/**
 * The actor reacts to message `seq` with `emoji` (one emoji grapheme or a `:short_name:`, domain/reactionEmoji.ts).
 * Adding a reaction the actor already has, or removing one they do not have, appends nothing.
 */
export const addReaction = z.object({ type: z.literal('AddReaction'), roomId: id, seq, emoji: z.string().max(200) });
export type AddReaction = z.infer<typeof addReaction>;

export const removeReaction = z.object({ type: z.literal('RemoveReaction'), roomId: id, seq, emoji: z.string().max(200) });
export type RemoveReaction = z.infer<typeof removeReaction>;

/**
 * The owner or a moderator changes a group room's settings. Absent fields keep their value; the decider applies the
 * name and topic rules and appends only what changed (nothing when nothing did).
 */
export const updateRoomSettings = z.object({
  type: z.literal('UpdateRoomSettings'),
  roomId: id,
  name: text.optional(),
  topic: text.optional(),
});
export type UpdateRoomSettings = z.infer<typeof updateRoomSettings>;

/** The owner or a moderator pins message `seq` of the room; pinning a pinned message appends nothing. */
export const pinMessage = z.object({ type: z.literal('PinMessage'), roomId: id, seq });
export type PinMessage = z.infer<typeof pinMessage>;

/** The owner or a moderator unpins message `seq`; unpinning a message that is not pinned appends nothing. */
export const unpinMessage = z.object({ type: z.literal('UnpinMessage'), roomId: id, seq });
export type UnpinMessage = z.infer<typeof unpinMessage>;

export const roomCommand = z.discriminatedUnion('type', [
  createRoom,
  joinRoom,
  leaveRoom,
  addMember,
  removeMember,
  changeMemberRole,
  sendMessage,
  editMessage,
  deleteMessage,
  addReaction,
  removeReaction,
  updateRoomSettings,
  pinMessage,
  unpinMessage,
]);
export type RoomCommand = z.infer<typeof roomCommand>;

// ---- receipts-<userId>: the user's delivery and read markers ----

/**
 * Move one of the user's markers for a room forward to `seq`. `userId` names the stream; the room and the seq were
 * checked against the history view at the edge (membership, seq ≤ head), because the receipts stream knows
 * nothing of rooms. The gateway reports deliveries per room (RecordDeliveries below); AdvanceDeliveryMarker stays
 * a valid command, so a processor of this version still decides any that an older writer sent.
 */
export const advanceDeliveryMarker = z.object({ type: z.literal('AdvanceDeliveryMarker'), userId: id, roomId: id, seq });
export type AdvanceDeliveryMarker = z.infer<typeof advanceDeliveryMarker>;

export const advanceReadMarker = z.object({ type: z.literal('AdvanceReadMarker'), userId: id, roomId: id, seq });
export type AdvanceReadMarker = z.infer<typeof advanceReadMarker>;

export const receiptCommand = z.discriminatedUnion('type', [advanceDeliveryMarker, advanceReadMarker]);
export type ReceiptCommand = z.infer<typeof receiptCommand>;

// ---- deliveries-<roomId>: every member's delivery marker in one room ----

/** The most markers one RecordDeliveries carries; a writer with more splits them over several commands. */
export const MAX_MARKERS_PER_COMMAND = 1000;

const deliveryMarker = z.object({ userId: id, seq });

/**
 * Move the delivery markers of some of a room's members forward, each to its `seq`: what the gateway handed to
 * their connections since its last report. Each user at most once. Only the gateway says what reached whom, so
 * the decider accepts it from the gateway's identity alone (deliveries/gatewayReporter.ts).
 */
export const recordDeliveries = z.object({
  type: z.literal('RecordDeliveries'),
  roomId: id,
  markers: z
    .array(deliveryMarker)
    .min(1)
    .max(MAX_MARKERS_PER_COMMAND)
    .refine((markers) => new Set(markers.map((marker) => marker.userId)).size === markers.length, {
      message: 'each user at most once',
    }),
});
export type RecordDeliveries = z.infer<typeof recordDeliveries>;

export const deliveriesCommand = recordDeliveries;
export type DeliveriesCommand = z.infer<typeof deliveriesCommand>;

// ---- audit-<auditorId>: every read of the raw log through the audit API (issue #7) ----

export const recordAuditRead = z.object({
  type: z.literal('RecordAuditRead'),
  read: z.object({
    auditorId: id,
    kind: auditReadKind,
    streamId: id,
    messageId: id.nullable(),
    fromVersion: z.number().int().nonnegative(),
    limit: z.number().int().nonnegative(),
    returned: z.number().int().nonnegative(),
  }),
});
export type RecordAuditRead = z.infer<typeof recordAuditRead>;

export const auditCommand = recordAuditRead;
export type AuditCommand = z.infer<typeof auditCommand>;

// ---- friendship-<smaller id>-<larger id>: the friendship of `userId` (always the actor) and `otherUserId` ----
// The edge checked that the other user exists; the decider owns every rule about the pair's state.

export const requestFriend = z.object({ type: z.literal('RequestFriend'), userId: id, otherUserId: id });
export type RequestFriend = z.infer<typeof requestFriend>;

/** Accept the pending request `otherUserId` sent to `userId`. */
export const acceptFriendRequest = z.object({ type: z.literal('AcceptFriendRequest'), userId: id, otherUserId: id });
export type AcceptFriendRequest = z.infer<typeof acceptFriendRequest>;

/** Turn down the pending request `otherUserId` sent to `userId`. */
export const rejectFriendRequest = z.object({ type: z.literal('RejectFriendRequest'), userId: id, otherUserId: id });
export type RejectFriendRequest = z.infer<typeof rejectFriendRequest>;

/** Withdraw the pending request `userId` sent to `otherUserId`. */
export const cancelFriendRequest = z.object({ type: z.literal('CancelFriendRequest'), userId: id, otherUserId: id });
export type CancelFriendRequest = z.infer<typeof cancelFriendRequest>;

/** End the friendship of `userId` and `otherUserId`. */
export const removeFriend = z.object({ type: z.literal('RemoveFriend'), userId: id, otherUserId: id });
export type RemoveFriend = z.infer<typeof removeFriend>;

export const friendCommand = z.discriminatedUnion('type', [
  requestFriend,
  acceptFriendRequest,
  rejectFriendRequest,
  cancelFriendRequest,
  removeFriend,
]);
export type FriendCommand = z.infer<typeof friendCommand>;

// ---- identity-<provider>-<subject digest>: which account holds an identity at a sign-in provider (issue #18) ----
// The edge verified the identity at the provider (and, to link, the signed-in user); the decider keeps it to one
// account.

/** Hold the identity for `userId`; held by another account, it is refused (IDENTITY_TAKEN). */
export const claimIdentity = z.object({ type: z.literal('ClaimIdentity'), provider: id, subject: text, userId: id });
export type ClaimIdentity = z.infer<typeof claimIdentity>;

/** `userId` lets the identity go (after unlinking it); held by nobody or somebody else, nothing changes. */
export const releaseIdentity = z.object({ type: z.literal('ReleaseIdentity'), provider: id, subject: text, userId: id });
export type ReleaseIdentity = z.infer<typeof releaseIdentity>;

export const identityCommand = z.discriminatedUnion('type', [claimIdentity, releaseIdentity]);
export type IdentityCommand = z.infer<typeof identityCommand>;

// ---- file-<fileId>: one uploaded file (issue #16) ----

/**
 * Record an upload whose bytes the edge has stored (sniffed, hashed, images re-encoded, a thumbnail made). The
 * actor is the uploader; the file id was chosen at the edge.
 */
export const recordFileUpload = z.object({
  type: z.literal('RecordFileUpload'),
  fileId: id,
  name: z.string().max(1000),
  contentType,
  size: byteCount,
  sha256,
  width: z.number().int().positive().nullable(),
  height: z.number().int().positive().nullable(),
  thumbnail: z.boolean(),
});
export type RecordFileUpload = z.infer<typeof recordFileUpload>;

/** The sweeper (`system:files`) removes an upload nobody sent in time; its bytes are deleted after this is recorded. */
export const discardFile = z.object({ type: z.literal('DiscardFile'), fileId: id });
export type DiscardFile = z.infer<typeof discardFile>;

export const fileCommand = z.discriminatedUnion('type', [recordFileUpload, discardFile]);
export type FileCommand = z.infer<typeof fileCommand>;

// ---- assistant-usage-<assistantId>: what each answer of an assistant cost (issue #19) ----

const tokens = z.number().int().nonnegative().max(100_000_000);

/** The responder records the usage of an answer it stored, as the assistant; once per answer (its command id). */
export const recordAssistantUsage = z.object({
  type: z.literal('RecordAssistantUsage'),
  assistantId: id,
  roomId: id,
  messageId: id,
  askerId: id,
  model: z.string().min(1).max(200),
  promptTokens: tokens,
  completionTokens: tokens,
});
export type RecordAssistantUsage = z.infer<typeof recordAssistantUsage>;

export const assistantUsageCommand = recordAssistantUsage;
export type AssistantUsageCommand = z.infer<typeof assistantUsageCommand>;

export type ChatCommand =
  | UsernameCommand
  | UserCommand
  | RoomCommand
  | ReceiptCommand
  | DeliveriesCommand
  | AuditCommand
  | FriendCommand
  | IdentityCommand
  | FileCommand
  | AssistantUsageCommand;
