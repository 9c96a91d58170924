import type { AccessPrincipal } from '../../auth/accessTokens.js';
import { NotFoundError, UnavailableError } from '../../domain/errors.js';
import { userStreamId } from '../../domain/ids.js';
import type { BlockView, HistoryStore, UserView } from '../../projections/history/historyStore.js';
import { untilApplied, type WaitForHistory } from '../../projections/readYourWrites.js';
import type { IdGenerator } from '../../support/clock.js';
import type { CommandExecutor } from '../commandExecutor.js';
import type { UpdateProfile, UserCommand } from '../commands.js';
import type { DecisionContext, DomainLimits } from '../decider.js';
import type { UsernameLookAlikes } from '../username/usernameLookAlikes.js';
import { normaliseDisplayName } from './profileRules.js';

// The signed-in user's own account: their profile and the record of a password change. Both go to the user
// stream's single writer (this process embedded, the command processor on Kafka) and answer once the history view
// shows the result, so the caller reads its own write.

export interface AccountCommandsDeps {
  users: CommandExecutor<UserCommand>;
  history: Pick<HistoryStore, 'getUser' | 'listBlocks'>;
  limits: DomainLimits;
  ids: IdGenerator;
  /** Read-your-writes: each use case answers once the history view shows what it appended. */
  waitForHistory: WaitForHistory;
  /** A new display name must not look like another account's username. */
  lookAlikes: Pick<UsernameLookAlikes, 'assertDisplayNameOf'>;
}

/** The fields a profile update may change; absent ones keep their value, a null avatar removes it. */
export type ProfileChange = Omit<UpdateProfile, 'type' | 'userId'>;

export interface ProfileOutcome {
  user: UserView;
  /** False when the update changed nothing: nothing was appended. */
  changed: boolean;
}

export class AccountCommands {
  constructor(private readonly deps: AccountCommandsDeps) {}

  async updateProfile(actor: AccessPrincipal, change: ProfileChange, correlationId: string): Promise<ProfileOutcome> {
    if (change.displayName !== undefined) await this.assertDisplayName(actor.userId, change.displayName);
    const changed = await this.run(actor, { type: 'UpdateProfile', userId: actor.userId, ...change }, correlationId);
    return { user: await this.user(actor.userId), changed };
  }

  /** The password was verified and the new one hashed by the auth service; this only records it. */
  async recordPasswordChange(input: { userId: string; passwordHash: string; correlationId: string }): Promise<void> {
    const actor = { userId: input.userId, role: (await this.user(input.userId)).role };
    const command: UserCommand = { type: 'ChangePassword', userId: input.userId, passwordHash: input.passwordHash };
    if (!(await this.run(actor, command, input.correlationId))) {
      throw new UnavailableError('the password change was not recorded');
    }
  }

  /**
   * A display name that looks like someone else's username is refused (DISPLAY_NAME_CONFUSABLE); one the user
   * already has is not a change, so a name set before the rule may be sent again with the rest of the profile.
   */
  private async assertDisplayName(userId: string, displayName: string): Promise<void> {
    const wanted = normaliseDisplayName(displayName);
    if ((await this.user(userId)).displayName === wanted) return;
    await this.deps.lookAlikes.assertDisplayNameOf(userId, wanted);
  }

  /**
   * Blocks (or, `blocked` false, unblocks) another user (#17): idempotent, so a repeat appends nothing. The user must
   * exist (NO_USER), for both, so the answer does not depend on what was blocked before.
   */
  async setBlocked(actor: AccessPrincipal, userId: string, blocked: boolean, correlationId: string): Promise<void> {
    await this.user(userId);
    const command: UserCommand = blocked
      ? { type: 'BlockUser', userId: actor.userId, blockedUserId: userId }
      : { type: 'UnblockUser', userId: actor.userId, blockedUserId: userId };
    await this.run(actor, command, correlationId);
  }

  /** The users the caller blocked, the earliest first. */
  async blocks(actor: AccessPrincipal): Promise<BlockView[]> {
    return this.deps.history.listBlocks(actor.userId);
  }

  async user(userId: string): Promise<UserView> {
    const user = await this.deps.history.getUser(userId);
    if (!user) throw new NotFoundError('NO_USER', `no user ${userId}`, { userId });
    return user;
  }

  private async run(actor: DecisionContext['actor'], command: UserCommand, correlationId: string): Promise<boolean> {
    const context: DecisionContext = { actor: { userId: actor.userId, role: actor.role }, limits: this.deps.limits };
    const result = await this.deps.users.execute(userStreamId(command.userId), command, context, {
      commandId: this.deps.ids.next(),
      correlationId,
    });
    if (result.events.length === 0) return false;
    await untilApplied(this.deps.waitForHistory, result.events);
    return true;
  }
}
