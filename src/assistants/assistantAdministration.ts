import type { CommandExecutor, CommandResult } from '../commands/commandExecutor.js';
import type { UserCommand, UsernameCommand } from '../commands/commands.js';
import { DEFAULT_LIMITS, type DecisionContext } from '../commands/decider.js';
import type { AssistantConfig } from '../commands/user/assistantConfig.js';
import { userStateOf } from '../commands/user/erasedAccounts.js';
import type { Administrator } from '../commands/user/userAdministration.js';
import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import { NO_PASSWORD_HASH } from '../domain/identities.js';
import { userStreamId } from '../domain/ids.js';
import { usernameClaimStreamIds } from '../domain/usernameSkeleton.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { untilApplied, type WaitForHistory } from '../projections/readYourWrites.js';
import type { IdGenerator } from '../support/clock.js';

// The admin use cases on assistants (issue #19), one implementation for REST (/api/admin/assistants) and the
// command line (`chat assistants ...`). An assistant is an account like any other (username claims, UserRegistered,
// no password: nobody signs in as it) plus AssistantConfigured on its stream, which makes its kind `assistant`.
// Members add it to rooms like anyone; it answers there when mentioned (src/assistants/assistantResponder.ts).

export interface AssistantView {
  userId: string;
  username: string;
  kind: 'assistant';
  systemPrompt: string;
  /** As configured; "" means ASSISTANT_MODEL. */
  model: string;
  /** The model its requests name. */
  effectiveModel: string;
  /** Empty: every room it is a member of. */
  allowedRoomIds: string[];
}

export interface CreateAssistantInput {
  username: string;
  displayName?: string;
  systemPrompt: string;
  model?: string;
  allowedRoomIds?: string[];
}

export type AssistantChange = Partial<AssistantConfig>;

export interface AssistantAdministrationDeps {
  usernames: CommandExecutor<UsernameCommand>;
  users: CommandExecutor<UserCommand>;
  log: Pick<EventLog, 'readStream'>;
  ids: IdGenerator;
  /** ASSISTANT_MODEL, for `effectiveModel`. */
  defaultModel: string;
  /** Read-your-writes for REST; the command line runs no projector and leaves it out. */
  waitForHistory?: WaitForHistory;
  /** The Kafka log's local index of a process that just started fills first (as for UserAdministration). */
  catchUp?: (streamId: string) => Promise<void>;
}

export class AssistantAdministration {
  constructor(private readonly deps: AssistantAdministrationDeps) {}

  /** Registers the account (its username claimed like anyone's) and configures it, in that order. */
  async create(admin: Administrator, input: CreateAssistantInput, correlationId: string): Promise<AssistantView> {
    requireAdmin(admin);
    const userId = this.deps.ids.next();
    const context = contextOf(admin);
    const results: CommandResult[] = [];
    for (const [index, streamId] of usernameClaimStreamIds(input.username).entries()) {
      results.push(
        await this.deps.usernames.execute(streamId, { type: 'ClaimUsername', username: input.username, userId }, context, {
          commandId: `assistant:${userId}/claim${index}`,
          correlationId,
        }),
      );
    }
    results.push(
      await this.deps.users.execute(
        userStreamId(userId),
        {
          type: 'RegisterUser',
          userId,
          username: input.username,
          email: null,
          displayName: input.displayName ?? input.username,
          passwordHash: NO_PASSWORD_HASH,
          role: 'user',
        },
        context,
        { commandId: `assistant:${userId}/register`, correlationId },
      ),
    );
    const config = { systemPrompt: input.systemPrompt, model: input.model ?? '', allowedRoomIds: input.allowedRoomIds ?? [] };
    results.push(await this.configure(admin, userId, config, correlationId));
    await this.settle(results);
    return this.get(userId);
  }

  /** Changes the fields given; the others keep their value. NOT_ASSISTANT for an account that is not one. */
  async update(admin: Administrator, userId: string, change: AssistantChange, correlationId: string): Promise<AssistantView> {
    requireAdmin(admin);
    const current = await this.get(userId);
    const next: AssistantConfig = {
      systemPrompt: change.systemPrompt ?? current.systemPrompt,
      model: change.model ?? current.model,
      allowedRoomIds: change.allowedRoomIds ?? current.allowedRoomIds,
    };
    await this.settle([await this.configure(admin, userId, next, correlationId)]);
    return this.get(userId);
  }

  /** The assistant as its stream says now: NO_USER for no account, NOT_ASSISTANT for a person's. */
  async get(userId: string): Promise<AssistantView> {
    const streamId = userStreamId(userId);
    await this.deps.catchUp?.(streamId);
    const state = userStateOf(await this.deps.log.readStream(streamId));
    if (!state.registered) throw new NotFoundError('NO_USER', `no user ${userId}`, { userId });
    if (state.assistant === null) throw new NotFoundError('NOT_ASSISTANT', `${state.username} is not an assistant`, { userId });
    const { systemPrompt, model, allowedRoomIds } = state.assistant;
    return {
      userId,
      username: state.username,
      kind: 'assistant',
      systemPrompt,
      model,
      effectiveModel: model || this.deps.defaultModel,
      allowedRoomIds: [...allowedRoomIds],
    };
  }

  private configure(admin: Administrator, userId: string, config: AssistantConfig, correlationId: string): Promise<CommandResult> {
    return this.deps.users.execute(
      userStreamId(userId),
      { type: 'ConfigureAssistant', userId, systemPrompt: config.systemPrompt, model: config.model, allowedRoomIds: [...config.allowedRoomIds] },
      contextOf(admin),
      { commandId: `configure-assistant:${this.deps.ids.next()}`, correlationId },
    );
  }

  private async settle(results: CommandResult[]): Promise<void> {
    if (this.deps.waitForHistory) await untilApplied(this.deps.waitForHistory, results.flatMap((result) => result.events));
  }
}

function requireAdmin(admin: Administrator): void {
  if (admin.role !== 'admin') throw new ForbiddenError('FORBIDDEN', 'only an admin manages assistants');
}

function contextOf(admin: Administrator): DecisionContext {
  return { actor: { userId: admin.userId, role: admin.role }, limits: DEFAULT_LIMITS };
}
