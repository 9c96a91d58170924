import { CommandRejectedError } from '../../domain/errors.js';
import type { IdentityStreamEvent } from '../../events/chatEvents.js';
import type { ClaimIdentity, IdentityCommand, ReleaseIdentity } from '../commands.js';
import type { Decider } from '../decider.js';

// The `identity-<provider>-<subject digest>` stream (issue #18): which account holds an identity at a sign-in
// provider. Like a username's stream, it exists so that one single writer decides every claim of the identity: two
// accounts can never hold it at once, whatever the edges race. Unlike a username, an identity can be let go (its
// account unlinked it) and then claimed by another account. The account's own stream records the link
// (IdentityLinked on user-<id>); the use cases (commands/user/identityAccounts.ts) keep the two in step.

export type IdentityState = { readonly heldBy: string | null };

export const initialIdentityState = (): IdentityState => ({ heldBy: null });

export function evolveIdentity(state: IdentityState, event: IdentityStreamEvent): IdentityState {
  switch (event.type) {
    case 'IdentityClaimed':
      return { heldBy: event.data.userId };
    case 'IdentityReleased':
      return state.heldBy === event.data.userId ? { heldBy: null } : state;
    default: {
      const unreachable: never = event;
      throw new Error(`unhandled identity event ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The holder claiming again is a retry (or a step resumed after a crash) and appends nothing. */
function claimIdentity(command: ClaimIdentity, state: IdentityState): IdentityStreamEvent[] {
  if (state.heldBy === command.userId) return [];
  if (state.heldBy !== null) {
    throw new CommandRejectedError('IDENTITY_TAKEN', `this ${command.provider} identity is linked to another account`, {
      provider: command.provider,
    });
  }
  const { provider, subject, userId } = command;
  return [{ type: 'IdentityClaimed', data: { provider, subject, userId } }];
}

/** Only the holder lets go; anyone else's release (a retry after another account claimed it) changes nothing. */
function releaseIdentity(command: ReleaseIdentity, state: IdentityState): IdentityStreamEvent[] {
  if (state.heldBy !== command.userId) return [];
  const { provider, subject, userId } = command;
  return [{ type: 'IdentityReleased', data: { provider, subject, userId } }];
}

export function decideIdentity(command: IdentityCommand, state: IdentityState): IdentityStreamEvent[] {
  switch (command.type) {
    case 'ClaimIdentity':
      return claimIdentity(command, state);
    case 'ReleaseIdentity':
      return releaseIdentity(command, state);
    default: {
      const unreachable: never = command;
      throw new Error(`unhandled identity command ${JSON.stringify(unreachable)}`);
    }
  }
}

export const identityDecider: Decider<IdentityCommand, IdentityState, IdentityStreamEvent> = {
  initialState: initialIdentityState,
  evolve: evolveIdentity,
  decide: decideIdentity,
};
