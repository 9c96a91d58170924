import type { ResolutionContext } from 'inversify';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { AnalyticsQueries } from '../projections/analytics/analyticsQueries.js';
import type { AnalyticsStore } from '../projections/analytics/analyticsStore.js';
import type { AccessTokens } from '../auth/accessTokens.js';
import type { AuthService } from '../auth/authService.js';
import type { LoginLockout } from '../auth/loginLockout.js';
import type { PasswordHasher } from '../auth/passwordHasher.js';
import type { TokenStore } from '../auth/tokenStore.js';
import type { ChatCommands } from '../commands/chatCommands.js';
import type { CommandProcessor } from '../commands/processor/commandProcessor.js';
import type { BeforeEncode, BeforeEncodeFor } from '../commands/processor/streamWriter.js';
import type { AppConfig } from '../config/config.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { RefreshableEventCodec } from '../events/avro/avroEventCodec.js';
import type { SchemaRegistry } from '../events/registry/schemaRegistry.js';
import type { TypingBus } from '../gateway/typingBus.js';
import type { WebSocketGateway } from '../gateway/webSocketGateway.js';
import type { Endpoint } from '../http/route.js';
import type { Metrics } from '../observability/metrics.js';
import type { ProjectorLagMonitor } from '../observability/projectorLag.js';
import type { PresenceService } from '../presence/presenceService.js';
import type { PresenceTracker } from '../presence/presenceTracker.js';
import type { HistoryStore } from '../projections/history/historyStore.js';
import type { ProjectionProgress } from '../projections/storeCheckpointFollower.js';
import type { ChatQueries } from '../queries/chatQueries.js';
import type { RateLimiter } from '../ratelimit/rateLimiter.js';
import type { ReceiptCommands } from '../receipts/receiptCommands.js';
import type { ReceiptRecorder } from '../receipts/receiptRecorder.js';
import type { ReadinessChecks } from '../observability/readiness.js';
import type { Clock, IdGenerator } from '../support/clock.js';
import type { CommandExecutors } from '../commands/commandExecutors.js';

/** A service identifier that remembers the type bound to it, so look-ups need no type arguments. */
export interface Token<T> {
  readonly id: symbol;
  /** Never set: carries T for the compiler only. */
  readonly type?: T;
}

function token<T>(name: string): Token<T> {
  return { id: Symbol.for(`chat.${name}`) };
}

export const TOKENS = {
  config: token<AppConfig>('config'),
  logger: token<Logger>('logger'),
  clock: token<Clock>('clock'),
  ids: token<IdGenerator>('ids'),
  schemaRegistry: token<SchemaRegistry>('schemaRegistry'),
  codec: token<RefreshableEventCodec>('codec'),
  eventLog: token<EventLog>('eventLog'),
  historyStore: token<HistoryStore>('historyStore'),
  /**
   * What this process waits on for read-your-writes of the history view: the history projector, or where another
   * process projects into a shared store, a follower of that store's checkpoint (src/config/processPlan.ts).
   */
  historyProjector: token<ProjectionProgress>('historyProjector'),
  analyticsStore: token<AnalyticsStore>('analyticsStore'),
  analyticsProjector: token<ProjectionProgress>('analyticsProjector'),
  analyticsQueries: token<AnalyticsQueries>('analyticsQueries'),
  projectorLagMonitor: token<ProjectorLagMonitor>('projectorLagMonitor'),
  tokenStore: token<TokenStore>('tokenStore'),
  passwordHasher: token<PasswordHasher>('passwordHasher'),
  accessTokens: token<AccessTokens>('accessTokens'),
  loginLockout: token<LoginLockout>('loginLockout'),
  authRateLimiter: token<RateLimiter>('authRateLimiter'),
  sendRateLimiter: token<RateLimiter>('sendRateLimiter'),
  authService: token<AuthService>('authService'),
  chatCommands: token<ChatCommands>('chatCommands'),
  chatQueries: token<ChatQueries>('chatQueries'),
  receiptRecorder: token<ReceiptRecorder>('receiptRecorder'),
  receiptCommands: token<ReceiptCommands>('receiptCommands'),
  endpoints: token<Endpoint[]>('endpoints'),
  metrics: token<Metrics>('metrics'),
  presenceTracker: token<PresenceTracker>('presenceTracker'),
  presenceService: token<PresenceService>('presenceService'),
  webSocketGateway: token<WebSocketGateway>('webSocketGateway'),
  /** The one Redis connection the Redis adapters share; bound only when REDIS_URL is set. */
  redis: token<Redis>('redis'),
  typingBus: token<TypingBus>('typingBus'),
  /** Each stream category's single writer: CommandBus (embedded) or the Kafka command processor's client. */
  executors: token<CommandExecutors>('executors'),
  /** The Kafka command processor (EVENT_LOG=kafka only): the `command-processor` role starts and stops it. */
  commandProcessor: token<CommandProcessor>('commandProcessor'),
  /** Optional: runs on the processor's events before encoding (crypto-shredding seals personal data here). */
  beforeEncode: token<BeforeEncode>('beforeEncode'),
  /** Optional: beforeEncode for a whole chunk of the processor, its actors' keys fetched at once. */
  beforeEncodeFor: token<BeforeEncodeFor>('beforeEncodeFor'),
  /** The health checks of the roles this process runs; /api/health asks them. */
  readiness: token<ReadinessChecks>('readiness'),
} as const;

/** Resolves a token inside a binding's factory (async: some adapters open files or connect first). */
export function resolve<T>(context: ResolutionContext, key: Token<T>): Promise<T> {
  return context.getAsync<T>(key.id);
}
