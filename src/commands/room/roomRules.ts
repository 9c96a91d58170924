// The rules every room decision shares: the room exists, the actor is a member (and which role), the message is
// there. Split out of roomDecider.ts so the decisions about messages can live in their own file (messageDecisions.ts).

import type { RoomRole } from '../../events/chatEvents.js';
import type { ErrorCode } from '../../domain/errors.js';
import { CommandRejectedError } from '../../domain/errors.js';
import { messageIdOf } from '../../domain/ids.js';
import type { ExistingRoom, MessageFacts, RoomState } from './roomState.js';

export function reject(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new CommandRejectedError(code, message, details);
}

export function requireRoom(state: RoomState, roomId: string): ExistingRoom {
  if (!state.exists) return reject('NO_ROOM', `room ${roomId} does not exist`, { roomId });
  return state;
}

export function requireMember(room: ExistingRoom, userId: string): RoomRole {
  const role = room.ledger.members.get(userId);
  if (role === undefined) {
    return reject('NOT_MEMBER', `${userId} is not a member of room ${room.roomId}`, { roomId: room.roomId, userId });
  }
  return role;
}

export function requireMessage(room: ExistingRoom, seq: number): MessageFacts {
  const facts = room.ledger.messages.get(seq);
  if (!facts) {
    return reject('NO_MESSAGE', `room ${room.roomId} has no message ${seq}`, {
      roomId: room.roomId,
      messageId: messageIdOf(room.roomId, seq),
    });
  }
  return facts;
}

export const isModerator = (role: RoomRole | undefined): boolean => role === 'owner' || role === 'moderator';

/** A reaction's message must stand: a deleted one is as absent as one never sent (NO_MESSAGE). */
export function requireStandingMessage(room: ExistingRoom, seq: number): string {
  const message = requireMessage(room, seq);
  const messageId = messageIdOf(room.roomId, seq);
  if (message.deleted) {
    return reject('NO_MESSAGE', `message ${messageId} was deleted`, { roomId: room.roomId, messageId });
  }
  return messageId;
}
