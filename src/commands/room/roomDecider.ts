// The room stream's decider: one exhaustive switch over every room command, so the compiler checks that every
// command is decided. The shared rules (membership, roles, the message being there) are in roomRules.ts and the
// decisions about sending, editing and deleting messages in messageDecisions.ts (split when threads and mentions
// joined, #17); membership, reactions, pins and settings are still here, the next candidates for files of their own.

import type {
  AddMember,
  AddReaction,
  ChangeMemberRole,
  CreateRoom,
  JoinRoom,
  LeaveRoom,
  PinMessage,
  RemoveMember,
  RemoveReaction,
  RoomCommand,
  UnpinMessage,
  UpdateRoomSettings,
} from '../commands.js';
import type { Decider, DecisionContext } from '../decider.js';
import type { MemberJoined, RoomEvent, RoomRole } from '../../events/chatEvents.js';
import { directRoomId, messageIdOf } from '../../domain/ids.js';
import { normaliseRoomName, normaliseRoomTopic } from '../../domain/messageText.js';
import { MAX_REACTIONS_PER_MESSAGE, checkReactionEmoji } from '../../domain/reactionEmoji.js';
import type { ExistingRoom, RoomState } from './roomState.js';
import { DEFAULT_ROOM_MESSAGE_WINDOW, evolveRoom, initialRoomState, reactionsOf } from './roomState.js';
import { deleteMessage, editMessage, sendMessage } from './messageDecisions.js';
import { isModerator, reject, requireMember, requireMessage, requireRoom, requireStandingMessage } from './roomRules.js';

// The room stream's rules: membership, moderation and messages. Pure: the actor, limits and every id arrive in
// the command or the context; a message's id is derived from its seq, which is the stream version it will get.
//
// Checks run in a fixed order: the room exists, the actor may act (membership, then role), the target is right,
// then limits and content. So a non-member learns nothing about a room's members or messages beyond the room
// existing, and an unauthorised request is refused even when it would change nothing.

/** The prefix directRoomId (domain/ids.ts) gives every direct room's id. */
const DIRECT_ROOM_PREFIX = 'dm_';

/**
 * Who becomes owner when the owner goes: the longest-standing moderator, or else the longest-standing member
 * (members iterate in join order). Undefined when nobody else is left.
 */
function successorOf(room: ExistingRoom, leaving: string): string | undefined {
  let firstMember: string | undefined;
  for (const [userId, role] of room.ledger.members) {
    if (userId === leaving) continue;
    if (role === 'moderator') return userId;
    firstMember ??= userId;
  }
  return firstMember;
}

/**
 * When the owner is about to go, the role change comes BEFORE the MemberLeft/MemberRemoved: at that point the
 * actor is still in the room, so the change reads like any other (made by a member with the right to make it),
 * and a reader of the stream never sees a room with members but no owner.
 */
function handOverOwnership(room: ExistingRoom, leaving: string, changedBy: string): RoomEvent[] {
  if (room.ledger.members.get(leaving) !== 'owner') return [];
  const successor = successorOf(room, leaving);
  if (successor === undefined) return [];
  return [{ type: 'MemberRoleChanged', data: { roomId: room.roomId, userId: successor, role: 'owner', changedBy } }];
}

function createRoom(command: CreateRoom, state: RoomState, context: DecisionContext): RoomEvent[] {
  const { roomId } = command;
  if (state.exists) return reject('ROOM_EXISTS', `room ${roomId} already exists`, { roomId });
  const actor = context.actor.userId;
  const others = [...new Set(command.memberIds)].filter((userId) => userId !== actor);

  let name: string;
  let creatorRole: RoomRole;
  switch (command.kind) {
    case 'direct': {
      const [other] = others;
      if (other === undefined || others.length !== 1) {
        return reject('INVALID_ROOM', 'a direct room has exactly one other member', {
          roomId,
          otherMembers: others.length,
        });
      }
      const expected = directRoomId(actor, other);
      if (roomId !== expected) {
        return reject('INVALID_ROOM', `a direct room between these users has id ${expected}`, { roomId, expected });
      }
      // Each side sees the other person as the title, so neither names it for both: the name is the id.
      name = roomId;
      // Nobody owns a conversation between two people; there is nothing to moderate or hand over.
      creatorRole = 'member';
      break;
    }
    case 'public':
    case 'private': {
      // The dm_ ids belong to direct rooms: a group room there would block that pair's conversation for good.
      if (roomId.startsWith(DIRECT_ROOM_PREFIX)) {
        return reject('INVALID_ROOM', `room ids starting with ${DIRECT_ROOM_PREFIX} are reserved for direct rooms`, {
          roomId,
        });
      }
      name = normaliseRoomName(command.name, context.limits.maxRoomNameLength);
      const requested = others.length + 1;
      if (requested > context.limits.maxRoomMembers) {
        return reject('ROOM_FULL', `a room has at most ${context.limits.maxRoomMembers} members`, {
          roomId,
          maxRoomMembers: context.limits.maxRoomMembers,
          requested,
        });
      }
      creatorRole = 'owner';
      break;
    }
    default: {
      const unreachable: never = command.kind;
      throw new Error(`unhandled room kind ${JSON.stringify(unreachable)}`);
    }
  }

  const joined = (userId: string, role: RoomRole, addedBy: string | null): MemberJoined => ({
    type: 'MemberJoined',
    data: { roomId, userId, role, addedBy },
  });
  return [
    { type: 'RoomCreated', data: { roomId, name, kind: command.kind, createdBy: actor } },
    joined(actor, creatorRole, null),
    ...others.map((userId) => joined(userId, 'member', actor)),
  ];
}

function joinRoom(command: JoinRoom, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  if (room.ledger.members.has(actor)) return [];
  switch (room.kind) {
    case 'public':
      if (room.ledger.members.size >= context.limits.maxRoomMembers) {
        return reject('ROOM_FULL', `room ${room.roomId} is full`, {
          roomId: room.roomId,
          maxRoomMembers: context.limits.maxRoomMembers,
        });
      }
      break;
    case 'private':
      return reject('FORBIDDEN', 'a private room is joined by invitation only', { roomId: room.roomId });
    case 'direct':
      // One of the two people whose ids make the room's id may come back after leaving; nobody else may enter.
      if (actor !== room.createdBy && directRoomId(actor, room.createdBy) !== room.roomId) {
        return reject('FORBIDDEN', 'a direct room belongs to its two participants', { roomId: room.roomId });
      }
      break;
    default: {
      const unreachable: never = room.kind;
      throw new Error(`unhandled room kind ${JSON.stringify(unreachable)}`);
    }
  }
  return [{ type: 'MemberJoined', data: { roomId: room.roomId, userId: actor, role: 'member', addedBy: null } }];
}

function leaveRoom(command: LeaveRoom, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requireMember(room, actor);
  return [
    ...handOverOwnership(room, actor, actor),
    { type: 'MemberLeft', data: { roomId: room.roomId, userId: actor } },
  ];
}

function addMember(command: AddMember, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  if (room.kind !== 'private') {
    return reject(
      'FORBIDDEN',
      room.kind === 'public' ? 'people join a public room themselves' : 'a direct room has a fixed pair of members',
      { roomId: room.roomId, kind: room.kind },
    );
  }
  const actor = context.actor.userId;
  if (!isModerator(requireMember(room, actor))) {
    return reject('FORBIDDEN', 'only the owner or a moderator adds members', { roomId: room.roomId });
  }
  if (room.ledger.members.has(command.userId)) return [];
  if (room.ledger.members.size >= context.limits.maxRoomMembers) {
    return reject('ROOM_FULL', `room ${room.roomId} is full`, {
      roomId: room.roomId,
      maxRoomMembers: context.limits.maxRoomMembers,
    });
  }
  return [
    { type: 'MemberJoined', data: { roomId: room.roomId, userId: command.userId, role: 'member', addedBy: actor } },
  ];
}

function removeMember(command: RemoveMember, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  if (room.kind === 'direct') {
    return reject('FORBIDDEN', 'a direct room has a fixed pair of members', { roomId: room.roomId, kind: room.kind });
  }
  const actor = context.actor.userId;
  if (command.userId === actor) {
    return reject('FORBIDDEN', 'leave the room instead of removing yourself', { roomId: room.roomId });
  }
  const isAdmin = context.actor.role === 'admin';
  const actorRole = isAdmin ? undefined : requireMember(room, actor);
  if (!isAdmin && !isModerator(actorRole)) {
    return reject('FORBIDDEN', 'only the owner, a moderator or an admin removes members', { roomId: room.roomId });
  }
  const targetRole = requireMember(room, command.userId);
  if (!isAdmin && actorRole === 'moderator' && isModerator(targetRole)) {
    return reject('FORBIDDEN', 'a moderator cannot remove the owner or another moderator', {
      roomId: room.roomId,
      userId: command.userId,
    });
  }
  return [
    ...handOverOwnership(room, command.userId, actor),
    { type: 'MemberRemoved', data: { roomId: room.roomId, userId: command.userId, removedBy: actor } },
  ];
}

function changeMemberRole(command: ChangeMemberRole, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  if (room.kind === 'direct') {
    return reject('FORBIDDEN', 'a direct room has no roles to change', { roomId: room.roomId, kind: room.kind });
  }
  const actor = context.actor.userId;
  const isAdmin = context.actor.role === 'admin';
  if (!isAdmin && requireMember(room, actor) !== 'owner') {
    return reject('FORBIDDEN', 'only the owner or an admin changes roles', { roomId: room.roomId });
  }
  const targetRole = requireMember(room, command.userId);
  // Ownership only moves when the owner goes (LeaveRoom, RemoveMember); nobody demotes the owner.
  if (targetRole === 'owner') {
    return reject('FORBIDDEN', "the owner's role cannot be changed", { roomId: room.roomId, userId: command.userId });
  }
  if (targetRole === command.role) return [];
  return [
    {
      type: 'MemberRoleChanged',
      data: { roomId: room.roomId, userId: command.userId, role: command.role, changedBy: actor },
    },
  ];
}


/** How many messages a room may have pinned at once; pinning one more is refused (VALIDATION_FAILED). */
export const MAX_PINS_PER_ROOM = 50;

/** Only the owner and moderators pin and unpin. */
function requirePinner(room: ExistingRoom, actor: string): void {
  if (!isModerator(requireMember(room, actor))) {
    reject('FORBIDDEN', 'only the owner or a moderator pins and unpins messages', { roomId: room.roomId });
  }
}

/** Pins a standing message; a pinned one appends nothing, a new one beyond MAX_PINS_PER_ROOM is refused. */
function pinMessage(command: PinMessage, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requirePinner(room, actor);
  const messageId = requireStandingMessage(room, command.seq);
  if (room.ledger.pins.has(command.seq)) return [];
  if (room.ledger.pins.size >= MAX_PINS_PER_ROOM) {
    return reject('VALIDATION_FAILED', `a room has at most ${MAX_PINS_PER_ROOM} pinned messages`, {
      roomId: room.roomId,
      messageId,
      maxPinsPerRoom: MAX_PINS_PER_ROOM,
    });
  }
  return [{ type: 'MessagePinned', data: { roomId: room.roomId, messageId, pinnedBy: actor } }];
}

/**
 * Unpins a message; one that is not pinned (never was, or deleted since, which unpins it) appends nothing. The
 * message must exist: a seq that never was a message is NO_MESSAGE.
 */
function unpinMessage(command: UnpinMessage, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requirePinner(room, actor);
  requireMessage(room, command.seq);
  if (!room.ledger.pins.has(command.seq)) return [];
  const messageId = messageIdOf(room.roomId, command.seq);
  return [{ type: 'MessageUnpinned', data: { roomId: room.roomId, messageId, unpinnedBy: actor } }];
}


/**
 * One reaction per user, emoji and message: adding one the actor already has appends nothing. A new emoji on a
 * message that already carries MAX_REACTIONS_PER_MESSAGE distinct ones is refused; joining an existing one is not.
 */
function addReaction(command: AddReaction, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requireMember(room, actor);
  const messageId = requireStandingMessage(room, command.seq);
  const emoji = checkReactionEmoji(command.emoji);
  const reactions = reactionsOf(room, command.seq);
  const users = reactions.get(emoji);
  if (users?.has(actor)) return [];
  if (users === undefined && reactions.size >= MAX_REACTIONS_PER_MESSAGE) {
    return reject('VALIDATION_FAILED', `a message carries at most ${MAX_REACTIONS_PER_MESSAGE} different reactions`, {
      field: 'emoji',
      roomId: room.roomId,
      messageId,
      maxReactionsPerMessage: MAX_REACTIONS_PER_MESSAGE,
    });
  }
  return [{ type: 'ReactionAdded', data: { roomId: room.roomId, messageId, userId: actor, emoji } }];
}

/** Taking back a reaction the actor does not have appends nothing. */
function removeReaction(command: RemoveReaction, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  const actor = context.actor.userId;
  requireMember(room, actor);
  const messageId = requireStandingMessage(room, command.seq);
  const emoji = checkReactionEmoji(command.emoji);
  if (!reactionsOf(room, command.seq).get(emoji)?.has(actor)) return [];
  return [{ type: 'ReactionRemoved', data: { roomId: room.roomId, messageId, userId: actor, emoji } }];
}

/**
 * The owner or a moderator renames a group room or sets its topic. Only what changed is appended (a name or topic
 * equal to the current one after normalising appends nothing). A direct room has no settings: each side shows
 * the other person.
 */
function updateRoomSettings(command: UpdateRoomSettings, state: RoomState, context: DecisionContext): RoomEvent[] {
  const room = requireRoom(state, command.roomId);
  if (room.kind === 'direct') {
    return reject('FORBIDDEN', 'a direct room has no name or topic to change', { roomId: room.roomId, kind: room.kind });
  }
  const actor = context.actor.userId;
  if (!isModerator(requireMember(room, actor))) {
    return reject('FORBIDDEN', "only the owner or a moderator changes a room's settings", { roomId: room.roomId });
  }
  const name = command.name === undefined ? undefined : normaliseRoomName(command.name, context.limits.maxRoomNameLength);
  const topic = command.topic === undefined ? undefined : normaliseRoomTopic(command.topic);
  const events: RoomEvent[] = [];
  if (name !== undefined && name !== room.name) {
    events.push({ type: 'RoomRenamed', data: { roomId: room.roomId, name, renamedBy: actor } });
  }
  if (topic !== undefined && topic !== room.topic) {
    events.push({ type: 'RoomTopicChanged', data: { roomId: room.roomId, topic, changedBy: actor } });
  }
  return events;
}

export function decideRoom(command: RoomCommand, state: RoomState, context: DecisionContext): RoomEvent[] {
  switch (command.type) {
    case 'CreateRoom':
      return createRoom(command, state, context);
    case 'JoinRoom':
      return joinRoom(command, state, context);
    case 'LeaveRoom':
      return leaveRoom(command, state, context);
    case 'AddMember':
      return addMember(command, state, context);
    case 'RemoveMember':
      return removeMember(command, state, context);
    case 'ChangeMemberRole':
      return changeMemberRole(command, state, context);
    case 'SendMessage':
      return sendMessage(command, state, context);
    case 'EditMessage':
      return editMessage(command, state, context);
    case 'DeleteMessage':
      return deleteMessage(command, state, context);
    case 'AddReaction':
      return addReaction(command, state, context);
    case 'RemoveReaction':
      return removeReaction(command, state, context);
    case 'UpdateRoomSettings':
      return updateRoomSettings(command, state, context);
    case 'PinMessage':
      return pinMessage(command, state, context);
    case 'UnpinMessage':
      return unpinMessage(command, state, context);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled room command ${JSON.stringify(unreachable)}`);
    }
  }
}

export interface RoomDeciderOptions {
  /** How many recent messages the state keeps facts for. Default DEFAULT_ROOM_MESSAGE_WINDOW. */
  messageWindow?: number;
}

export function createRoomDecider(options: RoomDeciderOptions = {}): Decider<RoomCommand, RoomState, RoomEvent> {
  const messageWindow = options.messageWindow ?? DEFAULT_ROOM_MESSAGE_WINDOW;
  initialRoomState(messageWindow); // refuses a bad window now rather than at the first load
  return {
    initialState: () => initialRoomState(messageWindow),
    evolve: evolveRoom,
    decide: decideRoom,
  };
}

/** The room decider with the default message window. */
export const roomDecider: Decider<RoomCommand, RoomState, RoomEvent> = createRoomDecider();
