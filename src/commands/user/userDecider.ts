import type {
  ChangePassword,
  ChangeUserRole,
  ErasePersonalData,
  RegisterUser,
  RevokeUserRole,
  UpdateProfile,
  UserCommand,
} from '../commands.js';
import type { DecisionContext, Decider } from '../decider.js';
import type { UserRole, UserStreamEvent } from '../../events/chatEvents.js';
import { CommandRejectedError } from '../../domain/errors.js';
import { fileUrlOf } from '../../domain/ids.js';
import {
  avatarProblem,
  normaliseDisplayName,
  profileFieldProblem,
  sameProfile,
  type Profile,
  type ProfileField,
} from './profileRules.js';

// The `user-<id>` stream: the account, its service-wide role, its profile (display name, status text, avatar) and
// whether its personal data was erased. The
// username was claimed on its own stream first (usernameDecider); the password arrives already hashed, and every
// field was validated at the edge.

export type UserState =
  | { readonly registered: false }
  | {
      readonly registered: true;
      readonly userId: string;
      readonly username: string;
      readonly role: UserRole;
      /** The current profile: a profile update that changes none of it appends nothing. */
      readonly profile: Profile;
      /** The user's personal data key is destroyed: final. */
      readonly erased: boolean;
    };

export const initialUserState = (): UserState => ({ registered: false });

export function evolveUser(state: UserState, event: UserStreamEvent): UserState {
  switch (event.type) {
    case 'UserRegistered':
      if (state.registered) return state;
      return {
        registered: true,
        userId: event.data.userId,
        username: event.data.username,
        role: event.data.role,
        profile: { displayName: event.data.displayName, statusText: '', avatarUrl: null, avatarFileId: null },
        erased: false,
      };
    case 'UserRoleChanged':
      return state.registered ? { ...state, role: event.data.role } : state;
    case 'PersonalDataErased':
      return state.registered ? { ...state, erased: true } : state;
    case 'ProfileUpdated': {
      const { displayName, statusText, avatarUrl, avatarFileId } = event.data;
      return state.registered ? { ...state, profile: { displayName, statusText, avatarUrl, avatarFileId } } : state;
    }
    // The hash is not state: the edge verifies passwords against the users view, and no decision here needs it.
    case 'PasswordChanged':
      return state;
    default: {
      const unreachable: never = event;
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

/** Roles and erasure are an admin's decisions; the command line acts as the `system:cli` admin. */
function requireAdmin(command: UserCommand, context: DecisionContext): void {
  if (context.actor.role !== 'admin') {
    throw new CommandRejectedError('FORBIDDEN', `only an admin may ${describe(command)}`, { userId: command.userId });
  }
}

function requireRegistered(
  command: UserCommand,
  state: UserState,
): Extract<UserState, { registered: true }> {
  if (!state.registered) throw new CommandRejectedError('NO_USER', `no user ${command.userId}`, { userId: command.userId });
  return state;
}

function changeUserRole(command: ChangeUserRole, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireAdmin(command, context);
  const user = requireRegistered(command, state);
  if (user.role === command.role) return [];
  return [{ type: 'UserRoleChanged', data: { userId: user.userId, role: command.role, changedBy: context.actor.userId } }];
}

function revokeUserRole(command: RevokeUserRole, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireAdmin(command, context);
  const user = requireRegistered(command, state);
  if (user.role !== command.role) return [];
  return [{ type: 'UserRoleChanged', data: { userId: user.userId, role: 'user', changedBy: context.actor.userId } }];
}

function erasePersonalData(command: ErasePersonalData, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireAdmin(command, context);
  const user = requireRegistered(command, state);
  if (user.erased) return [];
  return [{ type: 'PersonalDataErased', data: { userId: user.userId, erasedBy: context.actor.userId } }];
}

/** Profiles and passwords are the user's own: nobody, not even an admin, changes them for somebody else. */
function requireSelf(command: UpdateProfile | ChangePassword, context: DecisionContext): void {
  if (context.actor.userId !== command.userId) {
    throw new CommandRejectedError('FORBIDDEN', `only the user may ${describe(command)}`, { userId: command.userId });
  }
}

function checkField(field: ProfileField, value: string | null): void {
  const problem = profileFieldProblem(field, value);
  if (problem !== undefined) throw new CommandRejectedError('VALIDATION_FAILED', problem, { field });
}

function updateProfile(command: UpdateProfile, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireSelf(command, context);
  const user = requireRegistered(command, state);
  const next: Profile = { ...user.profile };
  if (command.displayName !== undefined) next.displayName = normaliseDisplayName(command.displayName);
  if (command.statusText !== undefined) next.statusText = command.statusText;
  if (command.avatarFileId !== undefined && command.avatarFileId !== null) {
    // An uploaded avatar: the edge stored the image as this user's upload; its URL is the service's own.
    next.avatarFileId = command.avatarFileId;
    next.avatarUrl = fileUrlOf(command.avatarFileId);
  } else if (command.avatarUrl !== undefined) {
    next.avatarUrl = command.avatarUrl;
    next.avatarFileId = null;
  }
  checkField('displayName', next.displayName);
  checkField('statusText', next.statusText);
  const avatar = avatarProblem(next);
  if (avatar !== undefined) throw new CommandRejectedError('VALIDATION_FAILED', avatar, { field: 'avatarUrl' });
  if (sameProfile(next, user.profile)) return [];
  return [{ type: 'ProfileUpdated', data: { userId: user.userId, ...next } }];
}

function changePassword(command: ChangePassword, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireSelf(command, context);
  const user = requireRegistered(command, state);
  // The edge hashes; an empty hash would be a bug there, and storing it would lock the user out for good.
  if (command.passwordHash.length === 0) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'the new password hash is empty', { field: 'passwordHash' });
  }
  return [{ type: 'PasswordChanged', data: { userId: user.userId, passwordHash: command.passwordHash } }];
}

function describe(command: UserCommand): string {
  switch (command.type) {
    case 'RegisterUser':
      return 'register a user';
    case 'ChangeUserRole':
    case 'RevokeUserRole':
      return "change a user's role";
    case 'ErasePersonalData':
      return "erase a user's personal data";
    case 'UpdateProfile':
      return 'change their profile';
    case 'ChangePassword':
      return 'change their password';
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled user command ${JSON.stringify(unreachable)}`);
    }
  }
}

export function decideUser(command: UserCommand, state: UserState, context: DecisionContext): UserStreamEvent[] {
  switch (command.type) {
    case 'RegisterUser':
      return registerUser(command, state);
    case 'ChangeUserRole':
      return changeUserRole(command, state, context);
    case 'RevokeUserRole':
      return revokeUserRole(command, state, context);
    case 'ErasePersonalData':
      return erasePersonalData(command, state, context);
    case 'UpdateProfile':
      return updateProfile(command, state, context);
    case 'ChangePassword':
      return changePassword(command, state, context);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled user command ${JSON.stringify(unreachable)}`);
    }
  }
}

export const userDecider: Decider<UserCommand, UserState, UserStreamEvent> = {
  initialState: initialUserState,
  evolve: evolveUser,
  decide: decideUser,
};
