import type { AccessPrincipal } from '../../auth/accessTokens.js';
import { NotFoundError, ValidationError } from '../../domain/errors.js';
import { friendshipStreamId, userStreamId } from '../../domain/ids.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { HistoryStore, UserView } from '../../projections/history/historyStore.js';
import { untilApplied, type WaitForHistory } from '../../projections/readYourWrites.js';
import type { IdGenerator } from '../../support/clock.js';
import type { CommandExecutor } from '../commandExecutor.js';
import type { FriendCommand } from '../commands.js';
import type { DecisionContext, DomainLimits } from '../decider.js';

// The friends use cases (docs/clients.md "Friends"): each command goes to the pair's stream `friendship-<a>-<b>`
// through its single writer (this process embedded, the command processor on Kafka) and answers once the history view
// shows the result, so the answer and the next GET agree. The lists and the email search are the read side's
// (src/queries/friendQueries.ts).

export interface FriendCommandsDeps {
  /** Whether a user exists: their user stream has events (the view may lag behind a registration elsewhere). */
  log: Pick<EventLog, 'streamVersion'>;
  history: Pick<HistoryStore, 'getUser' | 'getUserByUsername'>;
  friendships: CommandExecutor<FriendCommand>;
  limits: DomainLimits;
  ids: IdGenerator;
  /** Read-your-writes: each command answers once the history view shows what it appended. */
  waitForHistory: WaitForHistory;
}

/** Who a request is for: a user id, or a username (case-insensitive). */
export type FriendTarget = { userId: string } | { username: string };

export interface FriendRequestOutcome {
  /** 'pending': a request was sent; 'accepted': the other user had asked first, so this made the two friends. */
  status: 'pending' | 'accepted';
  user: UserView;
}

export class FriendCommands {
  constructor(private readonly deps: FriendCommandsDeps) {}

  async request(actor: AccessPrincipal, target: FriendTarget, correlationId: string): Promise<FriendRequestOutcome> {
    const other = await this.resolveTarget(target);
    const events = await this.run(actor, { type: 'RequestFriend', userId: actor.userId, otherUserId: other }, correlationId);
    const status = events.some((event) => event === 'FriendRequestAccepted') ? 'accepted' : 'pending';
    return { status, user: await this.user(other) };
  }

  async accept(actor: AccessPrincipal, otherUserId: string, correlationId: string): Promise<UserView> {
    await this.run(actor, { type: 'AcceptFriendRequest', userId: actor.userId, otherUserId }, correlationId);
    return this.user(otherUserId);
  }

  async reject(actor: AccessPrincipal, otherUserId: string, correlationId: string): Promise<void> {
    await this.run(actor, { type: 'RejectFriendRequest', userId: actor.userId, otherUserId }, correlationId);
  }

  async cancel(actor: AccessPrincipal, otherUserId: string, correlationId: string): Promise<void> {
    await this.run(actor, { type: 'CancelFriendRequest', userId: actor.userId, otherUserId }, correlationId);
  }

  async remove(actor: AccessPrincipal, otherUserId: string, correlationId: string): Promise<void> {
    await this.run(actor, { type: 'RemoveFriend', userId: actor.userId, otherUserId }, correlationId);
  }

  private async resolveTarget(target: FriendTarget): Promise<string> {
    if ('username' in target) {
      const user = await this.deps.history.getUserByUsername(target.username);
      if (!user) throw new NotFoundError('NO_USER', `no user ${target.username}`, { username: target.username });
      return user.userId;
    }
    if ((await this.deps.log.streamVersion(userStreamId(target.userId))) === 0) {
      throw new NotFoundError('NO_USER', `no user ${target.userId}`, { userId: target.userId });
    }
    return target.userId;
  }

  /** Runs the command on the pair's stream; returns the types of the events it appended. */
  private async run(actor: AccessPrincipal, command: FriendCommand, correlationId: string): Promise<string[]> {
    // The decider refuses it too, but the pair's stream id is meaningless for one user: answer before routing.
    if (command.otherUserId === actor.userId) {
      throw new ValidationError('you cannot be your own friend', { userId: command.otherUserId });
    }
    const context: DecisionContext = { actor: { userId: actor.userId, role: actor.role }, limits: this.deps.limits };
    const result = await this.deps.friendships.execute(friendshipStreamId(actor.userId, command.otherUserId), command, context, {
      commandId: this.deps.ids.next(),
      correlationId,
    });
    await untilApplied(this.deps.waitForHistory, result.events);
    return result.events.map((event) => event.type);
  }

  private async user(userId: string): Promise<UserView> {
    const user = await this.deps.history.getUser(userId);
    if (!user) throw new NotFoundError('NO_USER', `no user ${userId}`, { userId });
    return user;
  }
}
