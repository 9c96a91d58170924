import type { ClaimUsername, UsernameCommand } from '../commands.js';
import type { Decider } from '../decider.js';
import type { UsernameStreamEvent } from '../../events/chatEvents.js';
import { CommandRejectedError } from '../../domain/errors.js';
import { normaliseUsername } from '../../domain/ids.js';

// A username is unique because it has a stream of its own, `username-<normalised>`, appended with expected
// version "no stream": whoever appends first owns it, with no global lock (DESIGN.md).

export interface UsernameState {
  /** The user who owns the name, or null while nobody has claimed it. */
  readonly claimedBy: string | null;
}

export const initialUsernameState = (): UsernameState => ({ claimedBy: null });

/** The first claim wins; a later UsernameClaimed in the same stream cannot happen (no-stream append) and is ignored. */
export function evolveUsername(state: UsernameState, event: UsernameStreamEvent): UsernameState {
  switch (event.type) {
    case 'UsernameClaimed':
      return state.claimedBy === null ? { claimedBy: event.data.userId } : state;
    default: {
      const unreachable: never = event.type;
      throw new Error(`unhandled username event ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Claims the name for `userId`. The event carries the normalised name, the stream's key; the spelling the person
 * chose is kept on their user stream. A repeated claim by the same user is a retry (registration claims the name,
 * then registers the user, and may be retried between the two) and emits nothing.
 */
function claimUsername(command: ClaimUsername, state: UsernameState): UsernameStreamEvent[] {
  const username = normaliseUsername(command.username);
  if (username.trim().length === 0) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'a username must not be empty', { field: 'username' });
  }
  if (state.claimedBy === command.userId) return [];
  if (state.claimedBy !== null) {
    throw new CommandRejectedError('USERNAME_TAKEN', `username ${command.username} is taken`, {
      username: command.username,
    });
  }
  return [{ type: 'UsernameClaimed', data: { username, userId: command.userId } }];
}

export function decideUsername(command: UsernameCommand, state: UsernameState): UsernameStreamEvent[] {
  switch (command.type) {
    case 'ClaimUsername':
      return claimUsername(command, state);
    default: {
      const unreachable: never = command.type;
      throw new Error(`unhandled username command ${JSON.stringify(unreachable)}`);
    }
  }
}

export const usernameDecider: Decider<UsernameCommand, UsernameState, UsernameStreamEvent> = {
  initialState: initialUsernameState,
  evolve: evolveUsername,
  decide: decideUsername,
};
