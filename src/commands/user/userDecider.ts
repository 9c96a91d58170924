import type {
  ChangePassword,
  ChangeUserRole,
  ConfigureAssistant,
  ErasePersonalData,
  LinkIdentity,
  RegisterUser,
  RevokeUserRole,
  UnlinkIdentity,
  UpdateProfile,
  UserCommand,
} from '../commands.js';
import type { DecisionContext, Decider } from '../decider.js';
import type { UserRole, UserStreamEvent } from '../../events/chatEvents.js';
import { CommandRejectedError } from '../../domain/errors.js';
import { NO_PASSWORD_HASH, sameIdentity, type ProviderIdentity } from '../../domain/identities.js';
import { fileUrlOf } from '../../domain/ids.js';
import { normaliseAssistantConfig, sameAssistantConfig, type AssistantConfig } from './assistantConfig.js';
import { blockUser, blockedAfter, unblockUser } from './blockDecisions.js';
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
      /** Whether a password signs in (an account a provider sign-in created has none until one is set). */
      readonly hasPassword: boolean;
      /** The identities at sign-in providers linked to the account, at most one per provider (issue #18). */
      readonly identities: readonly ProviderIdentity[];
      /** Set once an admin made the account an assistant (issue #19): its kind is then `assistant`. */
      readonly assistant: AssistantConfig | null;
      /** The users this one blocked (#17), at most MAX_BLOCKED_USERS. */
      readonly blocked: ReadonlySet<string>;
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
        hasPassword: event.data.passwordHash !== NO_PASSWORD_HASH,
        identities: [],
        assistant: null,
        blocked: new Set(),
      };
    case 'UserRoleChanged':
      return state.registered ? { ...state, role: event.data.role } : state;
    case 'PersonalDataErased':
      return state.registered ? { ...state, erased: true } : state;
    case 'ProfileUpdated': {
      const { displayName, statusText, avatarUrl, avatarFileId } = event.data;
      return state.registered ? { ...state, profile: { displayName, statusText, avatarUrl, avatarFileId } } : state;
    }
    // The hash is not state: the edge verifies passwords against the users view; that there is one is.
    case 'PasswordChanged':
      return state.registered ? { ...state, hasPassword: true } : state;
    case 'IdentityLinked': {
      if (!state.registered) return state;
      const { provider, subject } = event.data;
      return { ...state, identities: [...state.identities.filter((held) => held.provider !== provider), { provider, subject }] };
    }
    case 'IdentityUnlinked':
      return state.registered
        ? { ...state, identities: state.identities.filter((held) => !sameIdentity(held, event.data)) }
        : state;
    case 'AssistantConfigured': {
      const { systemPrompt, model, allowedRoomIds } = event.data;
      return state.registered ? { ...state, assistant: { systemPrompt, model, allowedRoomIds } } : state;
    }
    case 'UserBlocked':
    case 'UserUnblocked':
      return state.registered ? { ...state, blocked: blockedAfter(state.blocked, event) } : state;
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
  const { userId, username, email, displayName, passwordHash, role, identity } = command;
  const registered: UserStreamEvent = { type: 'UserRegistered', data: { userId, username, email, displayName, passwordHash, role } };
  if (identity === undefined) return [registered];
  return [registered, { type: 'IdentityLinked', data: { userId, provider: identity.provider, subject: identity.subject } }];
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

/** Profiles, passwords and identities are the user's own: nobody, not even an admin, changes them for somebody else. */
function requireSelf(command: UpdateProfile | ChangePassword | LinkIdentity | UnlinkIdentity, context: DecisionContext): void {
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

/**
 * Links a verified identity to the signed-in user's own account. The identity's stream was claimed for the user
 * first (IDENTITY_TAKEN is decided there); here an account holds one identity per provider, so another one of the
 * same provider must be unlinked first, and the same one again is a retry.
 */
function linkIdentity(command: LinkIdentity, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireSelf(command, context);
  const user = requireOpen(command, state);
  const held = user.identities.find((identity) => identity.provider === command.provider);
  if (held !== undefined && sameIdentity(held, command)) return [];
  if (held !== undefined) {
    throw new CommandRejectedError('PROVIDER_ALREADY_LINKED', `another ${command.provider} identity is linked to this account; unlink it first`, {
      provider: command.provider,
    });
  }
  const { userId, provider, subject } = command;
  return [{ type: 'IdentityLinked', data: { userId, provider, subject } }];
}

/** Unlinks the user's identity at a provider, unless no other way to sign in (a password, another identity) is left. */
function unlinkIdentity(command: UnlinkIdentity, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireSelf(command, context);
  const user = requireOpen(command, state);
  const held = user.identities.find((identity) => identity.provider === command.provider);
  if (held === undefined) {
    throw new CommandRejectedError('NO_IDENTITY', `no ${command.provider} identity is linked to this account`, { provider: command.provider });
  }
  if (!user.hasPassword && user.identities.length === 1) {
    throw new CommandRejectedError(
      'LAST_SIGN_IN_METHOD',
      `the ${command.provider} identity is the only way to sign in to this account: link another one first`,
      { provider: command.provider },
    );
  }
  return [{ type: 'IdentityUnlinked', data: { userId: user.userId, provider: held.provider, subject: held.subject } }];
}

/**
 * An admin makes the account an assistant or changes its configuration; nothing is appended when it would not change.
 * An erased account stays closed, as an assistant too.
 */
function configureAssistant(command: ConfigureAssistant, state: UserState, context: DecisionContext): UserStreamEvent[] {
  requireAdmin(command, context);
  const user = requireOpen(command, state);
  const next = normaliseAssistantConfig(command);
  if (user.assistant !== null && sameAssistantConfig(next, user.assistant)) return [];
  return [
    {
      type: 'AssistantConfigured',
      data: { userId: user.userId, ...next, allowedRoomIds: [...next.allowedRoomIds], configuredBy: context.actor.userId },
    },
  ];
}

/** A registered account whose personal data was not erased: an erased account is closed for good. */
function requireOpen(command: UserCommand, state: UserState): Extract<UserState, { registered: true }> {
  const user = requireRegistered(command, state);
  if (user.erased) {
    throw new CommandRejectedError('ACCOUNT_ERASED', "this account's personal data was erased; the account is closed for good", {
      userId: command.userId,
    });
  }
  return user;
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
    case 'LinkIdentity':
    case 'UnlinkIdentity':
      return 'change the identities linked to their account';
    case 'ConfigureAssistant':
      return 'configure an assistant';
    case 'BlockUser':
    case 'UnblockUser':
      return 'change whom they block';
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
    case 'LinkIdentity':
      return linkIdentity(command, state, context);
    case 'UnlinkIdentity':
      return unlinkIdentity(command, state, context);
    case 'ConfigureAssistant':
      return configureAssistant(command, state, context);
    case 'BlockUser':
      return blockUser(command, requireRegistered(command, state), context);
    case 'UnblockUser':
      return unblockUser(command, requireRegistered(command, state), context);
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
