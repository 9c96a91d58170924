import type { Account } from '../auth/authService.js';
import { fileDto } from './fileResponses.js';
import type { RoomRole } from '../events/chatEvents.js';
import type {
  MemberView,
  MessageView,
  ReceiptView,
  RoomView,
  UserRoomView,
  UserView,
} from '../projections/history/historyStore.js';

// Views become response bodies here, and only here: what leaves the service is chosen field by field, so a
// new column in a view (a password hash, say) can never leak by accident.

/** A user's own account, the same wherever it is answered (register, login, refresh, /auth/me, /users/me). */
export function userDto(account: Account) {
  return {
    userId: account.userId,
    username: account.username,
    displayName: account.displayName,
    email: account.email,
    role: account.role,
    createdAt: account.createdAt,
    statusText: account.statusText,
    avatarUrl: account.avatarUrl,
  };
}

/** Any user as other users see them: the profile only, never the email, the role or the password hash. */
export function publicProfileDto(user: UserView) {
  return {
    userId: user.userId,
    username: user.username,
    displayName: user.displayName,
    statusText: user.statusText,
    avatarUrl: user.avatarUrl,
  };
}

export function roomDto(room: RoomView, myRole: RoomRole | null) {
  return {
    roomId: room.roomId,
    name: room.name,
    topic: room.topic,
    kind: room.kind,
    createdBy: room.createdBy,
    createdAt: room.createdAt,
    memberCount: room.memberCount,
    headSeq: room.headSeq,
    lastActivityAt: room.lastActivityAt,
    myRole,
  };
}

/** A room in the caller's own list: with their read state. */
export function myRoomDto(room: UserRoomView) {
  return {
    ...roomDto(room, room.role),
    unreadCount: room.unreadCount,
    mentionCount: room.mentionCount,
    readSeq: room.readSeq,
  };
}

export function receiptDto(receipt: ReceiptView) {
  return { userId: receipt.userId, deliveredSeq: receipt.deliveredSeq, readSeq: receipt.readSeq };
}

export function memberDto(member: MemberView) {
  return {
    userId: member.userId,
    username: member.username ?? member.userId,
    displayName: member.displayName ?? member.username ?? member.userId,
    role: member.role,
    joinedAt: member.joinedAt,
  };
}

/** Shared by every message without reactions or mentions (most of them): serialised as `[]`, never changed. */
const NONE: readonly never[] = Object.freeze([]);

/**
 * One object of one shape, in the order clients have always seen. A field that does not apply is `undefined`, which
 * JSON leaves out as the spreads of `{}` used to: a history page presents fifty messages, and those spreads'
 * temporary objects and the copied empty arrays were a fifth of what a page allocated (sampling heap profile,
 * bench/README.md).
 */
export function messageDto(message: MessageView) {
  // A reply names what it answers and its thread's root; a root its standing replies (#17).
  const reply = message.replyTo !== null && message.threadId !== null;
  return {
    messageId: message.messageId,
    roomId: message.roomId,
    seq: message.seq,
    senderId: message.senderId,
    text: message.deleted ? null : message.text,
    createdAt: message.createdAt,
    editedAt: message.editedAt || undefined,
    deleted: message.deleted,
    // Only when true: the sender's personal data was erased, and `text` is "" for good.
    erased: message.erased ? (true as const) : undefined,
    reactions: message.reactions.length === 0 ? NONE : message.reactions.map(({ emoji, count, userIds }) => ({ emoji, count, userIds })),
    replyTo: reply ? message.replyTo : undefined,
    threadId: reply ? message.threadId : undefined,
    replyCount: message.replyCount > 0 ? message.replyCount : undefined,
    lastReplyAt: message.lastReplyAt ?? undefined,
    mentions: message.mentions.length === 0 ? NONE : [...message.mentions],
    // A deleted message shows no files, like no text.
    attachments: message.attachments && message.attachments.length > 0 && !message.deleted ? message.attachments.map(fileDto) : undefined,
  };
}
