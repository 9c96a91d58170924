import type { ClaimUsername, UsernameCommand } from '../commands.js';
import type { Decider } from '../decider.js';
import type { UsernameStreamEvent } from '../../events/chatEvents.js';
import { CommandRejectedError } from '../../domain/errors.js';
import { normaliseUsername } from '../../domain/ids.js';

// A username is unique because it has a stream of its own, `username-<key>`, appended with expected version
// "no stream": whoever appends first owns it, with no global lock (DESIGN.md). A registration claims several keys
// (domain/usernameSkeleton.ts): the name's UTS #39 skeletons, where look-alikes meet, and the normalised name. So a
// stream may be claimed by a name other than the one asking: then the two are look-alikes, and the claim carries
// the holder's name to say which, without a read.

/** Unclaimed, or claimed by a user for a normalised name. */
export type UsernameState =
  | { readonly claimedBy: null }
  | { readonly claimedBy: string; readonly username: string };

export const initialUsernameState = (): UsernameState => ({ claimedBy: null });

/**
 * The first claim wins; a later UsernameClaimed in the same stream cannot happen (no-stream append) and is ignored.
 * The name is normalised again in case an old claim carried it as typed.
 */
export function evolveUsername(state: UsernameState, event: UsernameStreamEvent): UsernameState {
  switch (event.type) {
    case 'UsernameClaimed':
      return state.claimedBy === null
        ? { claimedBy: event.data.userId, username: normaliseUsername(event.data.username) }
        : state;
    default: {
      const unreachable: never = event.type;
      throw new Error(`unhandled username event ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Claims the stream's key for `userId`. The event carries the normalised name (the key itself, or the name whose
 * skeleton the key is); the spelling the person chose is kept on their user stream. A repeated claim by the same
 * user is a retry (registration claims the name, then registers the user, and may be retried between the two) and
 * emits nothing. A key held for another name is a look-alike of it: still USERNAME_TAKEN, since to the person
 * choosing it the name is just as unavailable, with `confusableWith` naming the name it would be mistaken for.
 */
function claimUsername(command: ClaimUsername, state: UsernameState): UsernameStreamEvent[] {
  const username = normaliseUsername(command.username);
  if (username.trim().length === 0) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'a username must not be empty', { field: 'username' });
  }
  if (state.claimedBy === command.userId) return [];
  if (state.claimedBy !== null) {
    if (state.username === username) {
      throw new CommandRejectedError('USERNAME_TAKEN', `username ${command.username} is taken`, {
        username: command.username,
      });
    }
    throw new CommandRejectedError(
      'USERNAME_TAKEN',
      `username ${command.username} is too much like the existing username ${state.username}`,
      { username: command.username, confusableWith: state.username },
    );
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
