import type { Container, ResolutionContext } from 'inversify';
import type { Logger } from 'pino';
import { AssistantAdministration } from '../assistants/assistantAdministration.js';
import { AssistantBudgets } from '../assistants/assistantBudgets.js';
import { AssistantResponder } from '../assistants/assistantResponder.js';
import { MemoryAnswerLocks, RedisAnswerLocks, type AnswerLocks } from '../assistants/answerLocks.js';
import { InProcessAnswerBus, type AnswerBus } from '../assistants/answerSignals.js';
import { OpenAiModelClient, type ModelClient } from '../assistants/modelClient.js';
import { RedisAnswerBus } from '../assistants/redisAnswerBus.js';
import { assistantUsageStreamId } from '../commands/assistantUsage/assistantUsageDecider.js';
import { DEFAULT_LIMITS } from '../commands/decider.js';
import { answersIn } from '../commands/user/assistantConfig.js';
import { userStateOf } from '../commands/user/erasedAccounts.js';
import type { AppConfig } from '../config/config.js';
import { ForbiddenError } from '../domain/errors.js';
import { userStreamId } from '../domain/ids.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import { undecorated } from '../eventlog/eventLog.js';
import { assistantRoutes } from '../http/routes/assistantRoutes.js';
import type { Endpoint } from '../http/route.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { historyWait } from './historyWait.js';
import { limiterFactory } from './rateLimiters.js';
import { unknownSelector } from './selectors.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Assistants (issue #19): the model client, the answer bus between processes, the leases and budgets, the responder
// the gateway runs, and the admin use cases. The bus follows TYPING_BUS (both carry ephemeral frames between
// gateways: in process, or Redis pub/sub), the leases and budgets RATE_LIMIT_STORE (process memory, or Redis shared
// by every process), so RUN_MODE=distributed sets them all to Redis with no setting of their own.

function token<T>(name: string): Token<T> {
  return { id: Symbol.for(`chat.assistants.${name}`) };
}

export const ASSISTANT_TOKENS = {
  model: token<ModelClient>('model'),
  bus: token<AnswerBus>('bus'),
  locks: token<AnswerLocks>('locks'),
  budgets: token<AssistantBudgets>('budgets'),
  responder: token<AssistantResponder>('responder'),
  administration: token<AssistantAdministration>('administration'),
} as const;

export function bindAssistants(container: Container, config: AppConfig, logger: Logger): void {
  const bind = <T>(key: Token<T>) => container.bind<T>(key.id);
  const settings = config.assistants;
  bind(ASSISTANT_TOKENS.model).toConstantValue(new OpenAiModelClient({ baseUrl: settings.baseUrl, apiKey: settings.apiKey }));
  bind(ASSISTANT_TOKENS.bus)
    .toDynamicValue(async (context) => {
      const selector = config.stores.typing;
      switch (selector) {
        case 'memory':
          return new InProcessAnswerBus();
        case 'redis':
          return RedisAnswerBus.open({
            client: await resolve(context, TOKENS.redis),
            channel: `${config.redis.keyPrefix}assistant-answers`,
            logger: logger.child({ component: 'answer-bus' }),
          });
        default:
          return unknownSelector('TYPING_BUS', selector);
      }
    })
    .onDeactivation((bus) => bus.close());
  bind(ASSISTANT_TOKENS.locks).toDynamicValue(async (context) => {
    const selector = config.stores.rateLimit;
    switch (selector) {
      case 'memory':
        return new MemoryAnswerLocks(systemClock);
      case 'redis':
        return new RedisAnswerLocks(await resolve(context, TOKENS.redis), `${config.redis.keyPrefix}assistant:`);
      default:
        return unknownSelector('RATE_LIMIT_STORE', selector);
    }
  });
  bind(ASSISTANT_TOKENS.budgets).toDynamicValue(async (context) => new AssistantBudgets(settings, await limiterFactory(context)));
  bind(ASSISTANT_TOKENS.responder).toDynamicValue(async (context) => {
    const commands = await resolve(context, TOKENS.chatCommands);
    const metrics = await resolve(context, TOKENS.metrics);
    const model = await get(context, ASSISTANT_TOKENS.model);
    const readiness = await resolve(context, TOKENS.readiness);
    const executors = await resolve(context, TOKENS.executors);
    // Reported by /api/health, never failing it: a service without assistants is a healthy service.
    readiness.add({
      name: 'assistants',
      probe: async () =>
        model.configured
          ? `configured: model ${settings.model}${settings.baseUrl === undefined ? '' : ` at ${new URL(settings.baseUrl).host}`}`
          : 'not configured: OPENAI_API_KEY is not set, so no assistant answers',
    });
    return new AssistantResponder({
      log: await resolve(context, TOKENS.eventLog),
      waitForHistory: await historyWait(context),
      history: await resolve(context, TOKENS.historyStore),
      send: async (assistantId, input) => {
        const principal = { userId: assistantId, role: 'user' as const, jti: `assistant:${assistantId}`, familyId: 'assistant', expiresAt: 0, issuedAt: 0 };
        const { message } = await commands.sendMessage(principal, input, uuidGenerator.next());
        return { messageId: message.messageId, seq: message.seq };
      },
      recordUsage: async (usage) => {
        await executors.assistantUsage.execute(
          assistantUsageStreamId(usage.assistantId),
          { type: 'RecordAssistantUsage', ...usage },
          { actor: { userId: usage.assistantId, role: 'user' }, limits: DEFAULT_LIMITS },
          { commandId: `usage:${usage.messageId}`, correlationId: usage.messageId },
        );
      },
      maxMessageLength: commands.maxMessageLength,
      model,
      bus: await get(context, ASSISTANT_TOKENS.bus),
      locks: await get(context, ASSISTANT_TOKENS.locks),
      budgets: await get(context, ASSISTANT_TOKENS.budgets),
      settings: { model: settings.model, timeoutMs: settings.timeoutMs, contextTokens: settings.contextTokens, maxAnswerTokens: settings.maxAnswerTokens },
      metrics: {
        tokens: (kind, modelName, count) => metrics.assistantTokens.inc({ kind, model: modelName }, count),
        outcome: (outcome) => metrics.assistantAnswers.inc({ outcome }),
      },
      logger: logger.child({ component: 'assistants' }),
      clock: systemClock,
      ids: uuidGenerator,
    });
  });
  bind(ASSISTANT_TOKENS.administration).toDynamicValue((context) => administration(context, config));
}

async function administration(context: ResolutionContext, config: AppConfig, waitForHistory?: Awaited<ReturnType<typeof historyWait>>): Promise<AssistantAdministration> {
  const executors = await resolve(context, TOKENS.executors);
  const log = await resolve(context, TOKENS.eventLog);
  const kafka = undecorated(log);
  return new AssistantAdministration({
    usernames: executors.usernames,
    users: executors.users,
    log,
    ids: uuidGenerator,
    defaultModel: config.assistants.model,
    ...(waitForHistory ? { waitForHistory } : {}),
    ...(kafka instanceof KafkaEventLog ? { catchUp: (streamId: string) => kafka.catchUpPartition(kafka.partitionOf(streamId)) } : {}),
  });
}

/** The admin REST routes on assistants, for the api's endpoint list (read-your-writes on the history view). */
export async function assistantEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  const config = await resolve(context, TOKENS.config);
  return assistantRoutes(await administration(context, config, await historyWait(context)));
}

/** What the gateway runs: the bus it relays from and the responder it starts. */
export async function gatewayAssistants(context: ResolutionContext): Promise<{ bus: AnswerBus; responder: AssistantResponder }> {
  return { bus: await get(context, ASSISTANT_TOKENS.bus), responder: await get(context, ASSISTANT_TOKENS.responder) };
}

/** For the CLI: the admin use cases of a built container (no read-your-writes: the command line runs no projector). */
export function assistantAdministrationOf(container: Container): Promise<AssistantAdministration> {
  return container.getAsync<AssistantAdministration>(ASSISTANT_TOKENS.administration.id);
}

function get<T>(context: ResolutionContext, key: Token<T>): Promise<T> {
  return context.getAsync<T>(key.id);
}

/** An assistant may be added only to the rooms its configuration allows (all of them when it lists none). */
export function assistantJoinRules(log: Pick<EventLog, 'readStream'>): { assertMayJoin(roomId: string, userId: string): Promise<void> } {
  return {
    async assertMayJoin(roomId, userId) {
      const state = userStateOf(await log.readStream(userStreamId(userId)));
      if (state.registered && state.assistant !== null && !answersIn(state.assistant, roomId)) {
        throw new ForbiddenError('FORBIDDEN', `${state.username} is an assistant that may not join this room`, { userId, roomId });
      }
    },
  };
}
