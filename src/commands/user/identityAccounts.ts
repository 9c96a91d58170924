import type { Account, AccountRegistration } from '../../auth/authService.js';
import type { ProviderProfile } from '../../auth/oauth/identityProvider.js';
import { baseUsername, usernameCandidate, withSuffix } from '../../auth/oauth/usernameCandidates.js';
import { ChatError, UnavailableError, type ErrorCode } from '../../domain/errors.js';
import { identityStreamId, NO_PASSWORD_HASH, sameIdentity, type ProviderIdentity } from '../../domain/identities.js';
import { userStreamId } from '../../domain/ids.js';
import { eventsOfCategory } from '../../events/eventGuards.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { HistoryStore } from '../../projections/history/historyStore.js';
import { untilApplied, type WaitForHistory } from '../../projections/readYourWrites.js';
import type { IdGenerator } from '../../support/clock.js';
import type { CommandExecutor, CommandResult } from '../commandExecutor.js';
import type { IdentityCommand, UserCommand } from '../commands.js';
import type { DecisionContext, DomainLimits } from '../decider.js';
import { evolveIdentity, initialIdentityState } from '../identity/identityDecider.js';
import { normaliseDisplayName, profileFieldProblem } from './profileRules.js';
import { userStateOf } from './erasedAccounts.js';

// The accounts behind identities at sign-in providers (issue #18). Two streams hold an identity's link: its own
// (identity-<provider>-<digest>, whose single writer lets one account at most hold it) and the account's (user-<id>,
// IdentityLinked, where the user decider rules on linking and unlinking). Every change writes the identity's stream
// first and the account's second; a crash between the two leaves a claim the next sign-in with that identity
// finishes, so no identity is ever stuck:
// - claimed for an account that is not registered yet (a first sign-in stopped half-way): register it now;
// - claimed by an account that has not linked it yet (a link stopped half-way): link it now (the account's user did
//   ask for it at the provider, or it would not be claimed for them);
// - claimed by an account that unlinked it since (an unlink stopped before releasing): release it, and carry on as
//   if nobody held it.
// An e-mail address never finds or links an account: only the identity does.

const SYSTEM = { userId: 'system:oauth', role: 'user' } as const;
/** Numbered candidates (`name`, `name_2`, ... `name_9`) before random suffixes. */
const NUMBERED_CANDIDATES = 9;
const RANDOM_CANDIDATES = 3;

export interface IdentityAccountsDeps {
  log: Pick<EventLog, 'readStream'>;
  users: CommandExecutor<UserCommand>;
  identities: CommandExecutor<IdentityCommand>;
  /** Registers an account: the username claims (unique and confusable-checked) and the user stream (chatCommands.ts). */
  registerAccount: (input: AccountRegistration) => Promise<Account>;
  history: Pick<HistoryStore, 'getUser'>;
  limits: DomainLimits;
  ids: IdGenerator;
  waitForHistory: WaitForHistory;
}

export class IdentityAccounts {
  constructor(private readonly deps: IdentityAccountsDeps) {}

  /** The account `profile`'s identity signs in to: the one it is linked to, or a new one made from the profile now. */
  async accountFor(profile: ProviderProfile, correlationId: string, attempt = 0): Promise<Account> {
    const { identity } = profile;
    const holder = await this.holderOf(identity);
    if (holder !== null) {
      const user = await this.userEvents(holder);
      const state = userStateOf(user);
      if (!state.registered) return this.register(holder, profile, correlationId, attempt);
      if (state.identities.some((held) => sameIdentity(held, identity))) return this.account(holder);
      if (!unlinkedLast(user, identity)) {
        await this.linkAs(holder, identity, correlationId);
        return this.account(holder);
      }
      await this.release(holder, identity, correlationId);
    }
    const userId = this.deps.ids.next();
    try {
      await this.claim(userId, identity, correlationId);
    } catch (error) {
      // Another first sign-in of the same identity claimed it a moment before: finish (or wait for) that one.
      if (isRejected(error, 'IDENTITY_TAKEN') && attempt < 2) return this.accountFor(profile, correlationId, attempt + 1);
      throw error;
    }
    return this.register(userId, profile, correlationId, attempt);
  }

  /** Links `identity` to the signed-in user's account: IDENTITY_TAKEN when another account holds it. */
  async link(userId: string, identity: ProviderIdentity, correlationId: string): Promise<void> {
    const holder = await this.holderOf(identity);
    if (holder !== null && holder !== userId) {
      // A claim left by an unlink that stopped before its release is not a hold: finish the release.
      const user = await this.userEvents(holder);
      const state = userStateOf(user);
      if (state.registered && !state.identities.some((held) => sameIdentity(held, identity)) && unlinkedLast(user, identity)) {
        await this.release(holder, identity, correlationId);
      }
    }
    await this.claim(userId, identity, correlationId);
    try {
      await this.linkAs(userId, identity, correlationId);
    } catch (error) {
      // The account already has another identity of that provider (or is closed): let this one go again.
      if (error instanceof ChatError) await this.release(userId, identity, correlationId);
      throw error;
    }
  }

  /** Unlinks the user's identity at `provider` (LAST_SIGN_IN_METHOD when it is their only way to sign in). */
  async unlink(userId: string, provider: string, correlationId: string): Promise<void> {
    const result = await this.run(this.deps.users, userStreamId(userId), { type: 'UnlinkIdentity', userId, provider }, userId, correlationId);
    const unlinked = result.events.find((event) => event.type === 'IdentityUnlinked');
    if (unlinked?.type !== 'IdentityUnlinked') return;
    await this.release(userId, { provider: unlinked.data.provider, subject: unlinked.data.subject }, correlationId);
  }

  /** The identities linked to the account, as its stream says. */
  async linkedTo(userId: string): Promise<ProviderIdentity[]> {
    const state = userStateOf(await this.userEvents(userId));
    return state.registered ? [...state.identities] : [];
  }

  /**
   * A new account for the identity, with the id its claim reserved: no password, the profile's name, and a
   * username from the profile made unique the way registration makes it (the name's claims under its normalised
   * form and its confusable skeleton; a taken one, or one too like another, moves on to the next candidate).
   */
  private async register(userId: string, profile: ProviderProfile, correlationId: string, attempt: number): Promise<Account> {
    const base = baseUsername(profile);
    const candidates = [
      ...Array.from({ length: NUMBERED_CANDIDATES }, (_, index) => usernameCandidate(base, index + 1)),
      ...Array.from({ length: RANDOM_CANDIDATES }, () => withSuffix(base, `_${this.deps.ids.next().replaceAll('-', '').slice(0, 6)}`)),
    ];
    let displayName = displayNameOf(profile);
    for (const [index, username] of candidates.entries()) {
      const registration: AccountRegistration = {
        userId,
        identity: profile.identity,
        username,
        email: profile.verifiedEmail,
        displayName: displayName ?? username,
        passwordHash: NO_PASSWORD_HASH,
        // Never an admin by name: ADMIN_USERNAMES is for names people register, not ones derived from a profile.
        role: 'user',
        // The same ids for the same account and candidate, so two sign-ins finishing one account append once.
        commandId: `oauth-signup:${userId}:${index}`,
        correlationId,
      };
      try {
        return await this.deps.registerAccount(registration);
      } catch (error) {
        if (isRejected(error, 'USERNAME_TAKEN')) continue;
        if (isRejected(error, 'DISPLAY_NAME_CONFUSABLE') && displayName !== undefined) {
          // The provider's name looks like somebody's username here: the account shows its own username instead.
          displayName = undefined;
          try {
            return await this.deps.registerAccount({ ...registration, displayName: username, commandId: `${registration.commandId}/own-name` });
          } catch (retried) {
            if (isRejected(retried, 'USERNAME_TAKEN')) continue;
            throw retried;
          }
        }
        // Registered meanwhile by a concurrent sign-in of the same identity: that account is the one.
        if (isRejected(error, 'IDEMPOTENCY_CONFLICT') && attempt < 2) return this.accountFor(profile, correlationId, attempt + 1);
        throw error;
      }
    }
    throw new UnavailableError('no username could be found for the new account; try again');
  }

  private async holderOf(identity: ProviderIdentity): Promise<string | null> {
    const asIdentityEvent = eventsOfCategory('identities');
    let state = initialIdentityState();
    for (const event of await this.deps.log.readStream(identityStreamId(identity))) {
      const own = asIdentityEvent(event);
      if (own) state = evolveIdentity(state, own);
    }
    return state.heldBy;
  }

  private userEvents(userId: string) {
    return this.deps.log.readStream(userStreamId(userId));
  }

  private async account(userId: string): Promise<Account> {
    const account = await this.deps.history.getUser(userId);
    if (!account) throw new UnavailableError('the account is not readable yet');
    return account;
  }

  private claim(userId: string, identity: ProviderIdentity, correlationId: string): Promise<CommandResult> {
    return this.run(this.deps.identities, identityStreamId(identity), { type: 'ClaimIdentity', ...identity, userId }, userId, correlationId);
  }

  private release(userId: string, identity: ProviderIdentity, correlationId: string): Promise<CommandResult> {
    return this.run(this.deps.identities, identityStreamId(identity), { type: 'ReleaseIdentity', ...identity, userId }, userId, correlationId);
  }

  private linkAs(userId: string, identity: ProviderIdentity, correlationId: string): Promise<CommandResult> {
    return this.run(this.deps.users, userStreamId(userId), { type: 'LinkIdentity', userId, ...identity }, userId, correlationId);
  }

  private async run<C extends UserCommand | IdentityCommand>(
    executor: CommandExecutor<C>,
    streamId: string,
    command: C,
    actorId: string,
    correlationId: string,
  ): Promise<CommandResult> {
    // The identity streams are the edge's bookkeeping: the system acts there; on the user stream, the user does.
    const actor = streamId.startsWith('identity-') ? SYSTEM : { userId: actorId, role: 'user' as const };
    const context: DecisionContext = { actor, limits: this.deps.limits };
    const result = await executor.execute(streamId, command, context, { commandId: this.deps.ids.next(), correlationId });
    await untilApplied(this.deps.waitForHistory, result.events);
    return result;
  }
}

/** Whether the account's last word on `identity` was to unlink it. */
function unlinkedLast(events: Awaited<ReturnType<EventLog['readStream']>>, identity: ProviderIdentity): boolean {
  for (let index = events.length - 1; index >= 0; index -= 1) {
    const event = events[index];
    if (event?.type === 'IdentityUnlinked' && sameIdentity(event.data, identity)) return true;
    if (event?.type === 'IdentityLinked' && sameIdentity(event.data, identity)) return false;
  }
  return false;
}

function displayNameOf(profile: ProviderProfile): string | undefined {
  if (profile.name === undefined) return undefined;
  const name = normaliseDisplayName(profile.name);
  return profileFieldProblem('displayName', name) === undefined ? name : undefined;
}

function isRejected(error: unknown, code: ErrorCode): boolean {
  return error instanceof ChatError && error.code === code;
}
