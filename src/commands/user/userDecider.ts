import type { RegisterUser, UserCommand } from '../commands.js';
import type { Decider } from '../decider.js';
import type { UserRole, UserStreamEvent } from '../../events/chatEvents.js';
import { CommandRejectedError } from '../../domain/errors.js';

// The `user-<id>` stream: the account. The username was claimed on its own stream first (usernameDecider);
// the password arrives already hashed, and every field was validated at the edge.

export type UserState =
  | { readonly registered: false }
  | { readonly registered: true; readonly userId: string; readonly username: string; readonly role: UserRole };

export const initialUserState = (): UserState => ({ registered: false });

export function evolveUser(state: UserState, event: UserStreamEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      if (state.registered) return state;
      return { registered: true, userId: event.data.userId, username: event.data.username, role: event.data.role };
    default: {
      const unreachable: never = event.type;
      throw new Error(`unhandled user event ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * A user id is chosen once, at the edge, for one registration; a retried command is answered from the
 * command-id record before it gets here. So a second RegisterUser for the same id is that id being reused for a
 * different request, which is what IDEMPOTENCY_CONFLICT names.
 */
function registerUser(command: RegisterUser, state: UserState): UserStreamEvent[] {
  if (state.registered) {
    throw new CommandRejectedError('IDEMPOTENCY_CONFLICT', `user ${command.userId} is already registered`, {
      userId: command.userId,
    });
  }
  const { userId, username, email, displayName, passwordHash, role } = command;
  return [{ type: 'UserRegistered', data: { userId, username, email, displayName, passwordHash, role } }];
}

export function decideUser(command: UserCommand, state: UserState): UserStreamEvent[] {
  switch (command.type) {
    case 'RegisterUser':
      return registerUser(command, state);
    default: {
      const unreachable: never = command.type;
      throw new Error(`unhandled user command ${JSON.stringify(unreachable)}`);
    }
  }
}

export const userDecider: Decider<UserCommand, UserState, UserStreamEvent> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
