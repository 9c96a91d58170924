import { REVOKED_FOREVER, type TokenStore } from '../../auth/tokenStore.js';
import { CommandRejectedError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { normaliseUsername, userStreamId, usernameStreamId } from '../../domain/ids.js';
import type { UserRole } from '../../events/chatEvents.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { PersonalDataKeys } from '../../privacy/personalDataKeys.js';
import { untilApplied, type WaitForHistory } from '../../projections/readYourWrites.js';
import type { Clock, IdGenerator } from '../../support/clock.js';
import type { CommandExecutor } from '../commandExecutor.js';
import type { UserCommand } from '../commands.js';
import { DEFAULT_LIMITS, type DecisionContext } from '../decider.js';
import { userStateOf } from './erasedAccounts.js';

// The admin use cases on user accounts: granting and revoking service-wide roles, and erasing a user's personal
// data by crypto-shredding. One implementation for `chat users …` and the admin REST route; the user decider
// decides (admin only, idempotent), the user stream's single writer appends.

/** Who acts: an admin's token, or the command line, which acts as the `system:cli` admin. */
export interface Administrator {
  userId: string;
  role: UserRole;
}

/** The command line's identity in the events it causes (their actorId, changedBy, erasedBy). */
export const CLI_ADMINISTRATOR: Administrator = { userId: 'system:cli', role: 'admin' };

export const USER_ROLES: readonly UserRole[] = ['user', 'admin', 'auditor', 'analyst'];

export interface UserSummary {
  userId: string;
  username: string;
  role: UserRole;
  erased: boolean;
}

export interface RoleOutcome {
  user: UserSummary;
  /** False when the user already had that role (grant) or did not hold it (revoke): nothing was appended. */
  changed: boolean;
}

export interface ErasureOutcome {
  user: UserSummary;
  /** This call destroyed the key (false: it was destroyed already). */
  keyDestroyed: boolean;
  /** This call appended PersonalDataErased (false: the user stream already records the erasure). */
  recorded: boolean;
}

export interface UserAdministrationDeps {
  users: CommandExecutor<UserCommand>;
  /** Decoded reads of the user and username streams (to find a user by id or name). */
  log: Pick<EventLog, 'readStream'>;
  keys: Pick<PersonalDataKeys, 'destroy'>;
  /** Where an erasure voids the user's tokens (the store the api and gateway check every token against). */
  tokens: Pick<TokenStore, 'revokeUserTokensIssuedBefore'>;
  clock: Clock;
  ids: IdGenerator;
  /**
   * Read-your-writes for an edge that answers after the history view applied the events (REST); the command line
   * runs no projector and leaves it out (the server's projector picks the events up).
   */
  waitForHistory?: WaitForHistory;
  /**
   * Deletes the bytes of every file the user uploaded (issue #16); absent where no file store is configured (a
   * command-line tool without one). The history view marks the files erased from PersonalDataErased.
   */
  files?: { eraseUploadsOf(userId: string): Promise<number> };
  /**
   * Makes `log` hold everything already written to a stream's part of the log before it is read: the Kafka log's
   * local index of a process that just started (the command line) is still filling from the topic.
   */
  catchUp?: (streamId: string) => Promise<void>;
}

export class UserAdministration {
  constructor(private readonly deps: UserAdministrationDeps) {}

  /** A user by id, or by username (case-insensitive) when no user has that id. NO_USER when neither exists. */
  async findUser(userIdOrUsername: string): Promise<UserSummary> {
    const ref = userIdOrUsername.trim();
    if (ref.length === 0 || ref.length > 200) {
      throw new ValidationError('a user id or username of 1 to 200 characters is required', { length: ref.length });
    }
    const byId = await this.summaryOf(ref);
    if (byId) return byId;
    const [claim] = await this.read(usernameStreamId(ref), 1);
    // The stream of a name that is its own skeleton can hold a look-alike's skeleton claim (`username-torn`, claimed
    // by tom: domain/usernameSkeleton.ts): only a claim for this very name names its user.
    if (claim?.type === 'UsernameClaimed' && normaliseUsername(claim.data.username) === normaliseUsername(ref)) {
      const byName = await this.summaryOf(claim.data.userId);
      if (byName) return byName;
    }
    throw new NotFoundError('NO_USER', `no user with id or username ${JSON.stringify(ref)}`, { user: ref });
  }

  /** Sets the user's role. Tokens issued from now on (login, refresh) carry it; issued ones keep theirs until expiry. */
  async grant(actor: Administrator, userIdOrUsername: string, role: UserRole): Promise<RoleOutcome> {
    const user = await this.findUser(userIdOrUsername);
    const changed = await this.run(actor, user.userId, { type: 'ChangeUserRole', userId: user.userId, role });
    return { user: changed ? { ...user, role } : user, changed };
  }

  /** Takes the role away (back to `user`); a role the user does not hold changes nothing. */
  async revoke(actor: Administrator, userIdOrUsername: string, role: UserRole): Promise<RoleOutcome> {
    if (role === 'user') throw new ValidationError("`user` is every account's base role: it cannot be revoked", { role });
    const user = await this.findUser(userIdOrUsername);
    const changed = await this.run(actor, user.userId, { type: 'RevokeUserRole', userId: user.userId, role });
    return { user: changed ? { ...user, role: 'user' } : user, changed };
  }

  /**
   * Destroys the user's personal data key, voids every token of theirs, then records the erasure on the user's
   * stream, so the history view blanks their texts and email and the account is closed (sign-in refused with
   * ACCOUNT_ERASED: erasedAccounts.ts); last, the bytes of their uploads are deleted from the file store. The key goes first: if a later step fails, the data is already unreadable
   * and a retry (which repeats every step) finishes the job. Only admins; idempotent.
   */
  async erase(actor: Administrator, userIdOrUsername: string): Promise<ErasureOutcome> {
    const user = await this.findUser(userIdOrUsername);
    // The decider refuses non-admins too, but only after the key would be gone: check before destroying it.
    if (actor.role !== 'admin') {
      throw new CommandRejectedError('FORBIDDEN', "only an admin may erase a user's personal data", { userId: user.userId });
    }
    const { destroyedNow } = await this.deps.keys.destroy(user.userId, this.deps.clock.now());
    // Like a password change, but with no end: tokens issued in a race with this erasure (a sign-in that checked
    // the stream just before the append) are void too.
    await this.deps.tokens.revokeUserTokensIssuedBefore(user.userId, REVOKED_FOREVER);
    const recorded = await this.run(actor, user.userId, { type: 'ErasePersonalData', userId: user.userId });
    // After the key: an upload racing the erasure either failed to seal its name (nothing recorded, its bytes
    // removed by the upload itself) or stored its bytes before this, which then deletes them.
    await this.deps.files?.eraseUploadsOf(user.userId);
    return { user: { ...user, erased: true }, keyDestroyed: destroyedNow, recorded };
  }

  private async read(streamId: string, limit?: number) {
    await this.deps.catchUp?.(streamId);
    return this.deps.log.readStream(streamId, limit === undefined ? {} : { limit });
  }

  private async run(actor: Administrator, userId: string, command: UserCommand): Promise<boolean> {
    const context: DecisionContext = { actor, limits: DEFAULT_LIMITS };
    const commandId = this.deps.ids.next();
    const result = await this.deps.users.execute(userStreamId(userId), command, context, {
      commandId,
      correlationId: commandId,
    });
    if (result.events.length === 0) return false;
    await untilApplied(this.deps.waitForHistory, result.events);
    return true;
  }

  private async summaryOf(userId: string): Promise<UserSummary | undefined> {
    const state = userStateOf(await this.read(userStreamId(userId)));
    return state.registered
      ? { userId: state.userId, username: state.username, role: state.role, erased: state.erased }
      : undefined;
  }
}
