import { CommandRejectedError } from '../../domain/errors.js';
import type { FriendshipEvent } from '../../events/chatEvents.js';
import type { FriendCommand } from '../commands.js';
import type { DecisionContext, Decider } from '../decider.js';

// The `friendship-<smaller id>-<larger id>` stream: where two users stand with each other. Its single writer decides
// the pair's commands one after another, so crossing requests, or an accept racing a cancel, have one outcome.
// Rules (docs/clients.md "Friends"):
// - a request to someone whose request to you is pending accepts theirs (both clearly want it), instead of a 409;
// - asking again while your request is pending is FRIEND_REQUEST_EXISTS, asking a friend ALREADY_FRIENDS;
// - only the recipient accepts or rejects, only the sender cancels (NO_FRIEND_REQUEST otherwise), either friend
//   removes (NOT_FRIENDS when they are not);
// - after a rejection, a cancellation or a removal the pair is back where it started: either may ask again.

export type FriendshipState =
  | { readonly status: 'none' }
  | { readonly status: 'pending'; readonly from: string; readonly to: string }
  | { readonly status: 'friends' };

const NONE: FriendshipState = { status: 'none' };

export function evolveFriendship(_state: FriendshipState, event: FriendshipEvent): FriendshipState {
  switch (event.type) {
    case 'FriendRequested':
      return { status: 'pending', from: event.data.from, to: event.data.to };
    case 'FriendRequestAccepted':
      return { status: 'friends' };
    case 'FriendRequestRejected':
    case 'FriendRequestCancelled':
    case 'FriendRemoved':
      return NONE;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled friendship event ${JSON.stringify(unreachable)}`);
    }
  }
}

function reject(code: 'VALIDATION_FAILED' | 'FORBIDDEN' | 'FRIEND_REQUEST_EXISTS' | 'ALREADY_FRIENDS' | 'NO_FRIEND_REQUEST' | 'NOT_FRIENDS', message: string, command: FriendCommand): never {
  throw new CommandRejectedError(code, message, { userId: command.otherUserId });
}

export function decideFriendship(command: FriendCommand, state: FriendshipState, context: DecisionContext): FriendshipEvent[] {
  // Friendships are one's own: nobody, not even an admin, asks, accepts or removes on somebody else's behalf.
  if (context.actor.userId !== command.userId) reject('FORBIDDEN', 'only the user may change their own friendships', command);
  const me = command.userId;
  const other = command.otherUserId;
  if (me === other) reject('VALIDATION_FAILED', 'you cannot be your own friend', command);
  const pendingFromOther = state.status === 'pending' && state.from === other && state.to === me;
  const pendingFromMe = state.status === 'pending' && state.from === me && state.to === other;
  switch (command.type) {
    case 'RequestFriend':
      if (state.status === 'friends') reject('ALREADY_FRIENDS', `you and ${other} are friends already`, command);
      if (pendingFromMe) reject('FRIEND_REQUEST_EXISTS', `your request to ${other} is pending already`, command);
      if (pendingFromOther) return [{ type: 'FriendRequestAccepted', data: { from: other, to: me } }];
      return [{ type: 'FriendRequested', data: { from: me, to: other } }];
    case 'AcceptFriendRequest':
      if (!pendingFromOther) reject('NO_FRIEND_REQUEST', noRequestFrom(state, me, other), command);
      return [{ type: 'FriendRequestAccepted', data: { from: other, to: me } }];
    case 'RejectFriendRequest':
      if (!pendingFromOther) reject('NO_FRIEND_REQUEST', noRequestFrom(state, me, other), command);
      return [{ type: 'FriendRequestRejected', data: { from: other, to: me } }];
    case 'CancelFriendRequest':
      if (!pendingFromMe) reject('NO_FRIEND_REQUEST', `you have no pending request to ${other}`, command);
      return [{ type: 'FriendRequestCancelled', data: { from: me, to: other } }];
    case 'RemoveFriend':
      if (state.status !== 'friends') reject('NOT_FRIENDS', `you and ${other} are not friends`, command);
      return [{ type: 'FriendRemoved', data: { removedBy: me, friendId: other } }];
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled friend command ${JSON.stringify(unreachable)}`);
    }
  }
}

/** Says why there is nothing to accept or reject, so a client can tell "already friends" from "you asked them". */
function noRequestFrom(state: FriendshipState, me: string, other: string): string {
  if (state.status === 'friends') return `you and ${other} are friends already`;
  if (state.status === 'pending' && state.from === me) return `the pending request is yours to ${other}; only they can answer it`;
  return `${other} has no pending request to you`;
}

export const friendshipDecider: Decider<FriendCommand, FriendshipState, FriendshipEvent> = {
  initialState: () => NONE,
  evolve: (state, event) => evolveFriendship(state, event),
  decide: decideFriendship,
};
