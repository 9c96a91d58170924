// The user stream's decisions about blocking other users (#17). Pure, like the rest of the user decider
// (userDecider.ts holds the one switch over every user command, and folds the events into `blocked`).

import type { BlockUser, UnblockUser } from '../commands.js';
import type { DecisionContext } from '../decider.js';
import type { UserStreamEvent } from '../../events/chatEvents.js';
import { CommandRejectedError } from '../../domain/errors.js';

/** How many users one user may have blocked at once: the set lives in the user stream's state, which stays bounded. */
export const MAX_BLOCKED_USERS = 1000;

/** What the block decisions read of the user's state. */
export interface BlockingUser {
  readonly userId: string;
  readonly blocked: ReadonlySet<string>;
}

/** A user blocks only for themself, never themself, and at most MAX_BLOCKED_USERS; blocking again appends nothing. */
export function blockUser(command: BlockUser, user: BlockingUser, context: DecisionContext): UserStreamEvent[] {
  requireSelf(command, context);
  if (command.blockedUserId === user.userId) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'you cannot block yourself', { field: 'userId' });
  }
  if (user.blocked.has(command.blockedUserId)) return [];
  if (user.blocked.size >= MAX_BLOCKED_USERS) {
    throw new CommandRejectedError('VALIDATION_FAILED', `at most ${MAX_BLOCKED_USERS} users can be blocked`, {
      field: 'userId',
      maxBlockedUsers: MAX_BLOCKED_USERS,
    });
  }
  return [{ type: 'UserBlocked', data: { userId: user.userId, blockedUserId: command.blockedUserId } }];
}

/** Unblocking a user who is not blocked appends nothing. */
export function unblockUser(command: UnblockUser, user: BlockingUser, context: DecisionContext): UserStreamEvent[] {
  requireSelf(command, context);
  if (!user.blocked.has(command.blockedUserId)) return [];
  return [{ type: 'UserUnblocked', data: { userId: user.userId, blockedUserId: command.blockedUserId } }];
}

/** Blocks are the user's own: nobody, not even an admin, blocks for somebody else. */
function requireSelf(command: BlockUser | UnblockUser, context: DecisionContext): void {
  if (context.actor.userId !== command.userId) {
    throw new CommandRejectedError('FORBIDDEN', 'only the user may change whom they block', { userId: command.userId });
  }
}

/** The blocked set after a block event: a new set (states are never mutated). */
export function blockedAfter(blocked: ReadonlySet<string>, event: { type: 'UserBlocked' | 'UserUnblocked'; data: { blockedUserId: string } }): ReadonlySet<string> {
  const next = new Set(blocked);
  if (event.type === 'UserBlocked') next.add(event.data.blockedUserId);
  else next.delete(event.data.blockedUserId);
  return next;
}
