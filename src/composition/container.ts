import { mkdirSync } from 'node:fs';
import { Container } from 'inversify';
import type { Logger } from 'pino';
import { AccessTokens } from '../auth/accessTokens.js';
import { AuthService } from '../auth/authService.js';
import { loadOrCreateDevSecret } from '../auth/devSecret.js';
import { LoginLockout } from '../auth/loginLockout.js';
import { Argon2PasswordHasher } from '../auth/passwordHasher.js';
import { RedisTokenStore } from '../auth/redis/redisTokenStore.js';
import { SqliteTokenStore } from '../auth/sqlite/sqliteTokenStore.js';
import { ChatCommands } from '../commands/chatCommands.js';
import type { DomainLimits } from '../commands/decider.js';
import { DEFAULT_LIMITS } from '../commands/decider.js';
import type { AppConfig } from '../config/config.js';
import { Metrics } from '../observability/metrics.js';
import { MemoryPresenceTracker } from '../presence/memoryPresenceTracker.js';
import { PresenceService } from '../presence/presenceService.js';
import { RedisPresenceTracker } from '../presence/redisPresenceTracker.js';
import { ChatQueries } from '../queries/chatQueries.js';
import { RateLimiter } from '../ratelimit/rateLimiter.js';
import { CoalescingReceiptRecorder } from '../receipts/coalescingReceiptRecorder.js';
import { ReceiptCommands } from '../receipts/receiptCommands.js';
import { connectRedis, createRedisClient } from '../redis/redisClient.js';
import { ReadinessChecks } from '../observability/readiness.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { bindCommandExecution } from './commandExecution.js';
import { bindAudit } from './auditBindings.js';
import { bindPrivacy } from './privacyBindings.js';
import { accountCommandsOf, bindAccounts, erasedAccountsOf, usernameLookAlikesOf } from './accountBindings.js';
import { bindFriends } from './friendBindings.js';
import { bindSearch } from './searchBindings.js';
import { bindOAuth } from './oauthBindings.js';
import { bindFiles, fileCommandsOf } from './fileBindings.js';
import { historyWait } from './historyWait.js';
import { limiterFactory } from './rateLimiters.js';
import { bindEventLog } from './eventLogBindings.js';
import { bindEndpoints } from './endpointBindings.js';
import { bindGateway } from './gatewayBindings.js';
import { assistantJoinRules, bindAssistants } from './assistantBindings.js';
import { dataFile, unknownSelector } from './selectors.js';
import { resolve, TOKENS } from './tokens.js';
import { bindViews } from './viewBindings.js';

/** Rooms whose delivery reports one flush writes at once through the Kafka command processor (a round trip each). */
const KAFKA_RECEIPT_ROOMS_AT_ONCE = 16;

/**
 * The composition root: the one place that turns configuration into adapters (DESIGN.md). Everything else
 * receives its collaborators; nothing else reads the environment or picks an implementation.
 */
export function buildContainer(config: AppConfig, logger: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = <T>(key: { id: symbol; type?: T }) => container.bind<T>(key.id);
  mkdirSync(config.dataDir, { recursive: true });
  const file = (name: string) => dataFile(config, name);
  const limits: DomainLimits = {
    ...DEFAULT_LIMITS,
    maxMessageLength: config.limits.maxMessageLength,
    maxRoomMembers: config.limits.maxRoomMembers,
    maxAttachments: config.files.maxAttachmentsPerMessage,
  };

  bind(TOKENS.config).toConstantValue(config);
  bind(TOKENS.logger).toConstantValue(logger);
  bind(TOKENS.clock).toConstantValue(systemClock);
  bind(TOKENS.ids).toConstantValue(uuidGenerator);
  // One registry per container: the HTTP edge, the gateway and the projectors all record into it, /metrics serves it.
  bind(TOKENS.metrics).toConstantValue(new Metrics());

  // Redis, when REDIS_URL is set: one connection that every adapter selected as `redis` shares. An unreachable
  // Redis does not stop start-up: rate limits then fail closed and presence degrades until it answers.
  const redisUrl = config.redis.url;
  if (redisUrl !== undefined) {
    bind(TOKENS.redis)
      .toDynamicValue(async () => {
        const client = createRedisClient({ url: redisUrl, logger: logger.child({ component: 'redis' }) });
        await connectRedis(client, logger.child({ component: 'redis' }));
        return client;
      })
      .onDeactivation(async (client) => {
        if (client.status === 'ready') await client.quit();
        else client.disconnect();
      });
  }
  const redisKeys = (name: string) => `${config.redis.keyPrefix}${name}:`;

  // Presence lives in process memory in the embedded mode and in Redis (shared by every gateway) in the
  // distributed one; the server starts the sweeper and stops it first.
  const presenceTtlMs = config.presence.ttlSeconds * 1000;
  bind(TOKENS.presenceTracker)
    .toDynamicValue(async (context) => {
      const store = config.stores.presence;
      switch (store) {
        case 'memory':
          return new MemoryPresenceTracker({ ttlMs: presenceTtlMs, clock: systemClock });
        case 'redis':
          return new RedisPresenceTracker({
            client: await resolve(context, TOKENS.redis),
            keyPrefix: redisKeys('presence'),
            ttlMs: presenceTtlMs,
            clock: systemClock,
          });
        default:
          return unknownSelector('PRESENCE_STORE', store);
      }
    })
    .onDeactivation((tracker) => tracker.close());
  bind(TOKENS.presenceService)
    .toDynamicValue(
      async (context) =>
        new PresenceService({
          tracker: await resolve(context, TOKENS.presenceTracker),
          clock: systemClock,
          ttlMs: presenceTtlMs,
          logger,
        }),
    )
    .onDeactivation((service) => service.stop());

  bindEventLog(container, config, logger);
  bindViews(container, config, logger);
  bind(TOKENS.tokenStore)
    .toDynamicValue(async (context) => {
      const store = config.stores.token;
      switch (store) {
        case 'sqlite':
          return new SqliteTokenStore(file('auth.db'));
        case 'redis':
          return new RedisTokenStore({
            client: await resolve(context, TOKENS.redis),
            keyPrefix: redisKeys('tokens'),
            clock: systemClock,
            // A logout revokes the family; every access token of it must stay refused while any could be valid.
            revokedFamilyRetentionMs: config.auth.refreshTokenTtlSeconds * 1000,
          });
        default:
          return unknownSelector('TOKEN_STORE', store);
      }
    })
    .onDeactivation((store) => store.close());
  bind(TOKENS.passwordHasher).toConstantValue(new Argon2PasswordHasher());
  // The access tokens' secret; the sign-in state cookie's key is derived from it too (oauthBindings.ts).
  const jwtSecret = config.auth.jwtSecret ?? loadOrCreateDevSecret(config.dataDir, logger);
  bind(TOKENS.accessTokens).toConstantValue(
    new AccessTokens({
      secret: jwtSecret,
      issuer: config.auth.issuer,
      ttlSeconds: config.auth.accessTokenTtlSeconds,
    }),
  );
  // The budgets every process must share (logins, auth calls, sends) follow RATE_LIMIT_STORE; in Redis they fail
  // closed (src/composition/rateLimiters.ts). The gateway's typing and read limits stay per process: they only
  // shield that process from floods.
  bind(TOKENS.loginLockout).toDynamicValue(async (context) => {
    const options = { maxFailures: config.auth.loginMaxFailures, lockoutSeconds: config.auth.loginLockoutSeconds };
    const makeLimiter = await limiterFactory(context);
    return new LoginLockout(options, makeLimiter({ points: options.maxFailures, durationSeconds: options.lockoutSeconds }, 'login-failures'));
  });
  bind(TOKENS.authRateLimiter).toDynamicValue(
    async (context) =>
      new RateLimiter(
        'auth',
        [{ points: config.auth.authRateLimitPerMinute, durationSeconds: 60 }],
        'RATE_LIMIT_EXCEEDED',
        await limiterFactory(context),
      ),
  );
  bind(TOKENS.sendRateLimiter).toDynamicValue(
    async (context) =>
      new RateLimiter(
        'send',
        [
          { points: config.limits.sendPerSecond, durationSeconds: 1 },
          { points: config.limits.sendPerMinute, durationSeconds: 60 },
        ],
        'RATE_LIMIT_EXCEEDED',
        await limiterFactory(context),
      ),
  );

  // Where commands are decided (this process, or the Kafka command processor): src/composition/commandExecution.ts.
  bindCommandExecution(container, config, logger);
  bindAudit(container, config);
  bindPrivacy(container, config, logger);
  bindAccounts(container, limits);
  bindFriends(container, limits);
  bindOAuth(container, config, limits, jwtSecret);
  bindFiles(container, config);
  bindSearch(container, config, logger);
  bind(TOKENS.chatCommands).toDynamicValue(async (context) => {
    const executors = await resolve(context, TOKENS.executors);
    return new ChatCommands({
      log: await resolve(context, TOKENS.eventLog),
      history: await resolve(context, TOKENS.historyStore),
      usernames: executors.usernames,
      users: executors.users,
      rooms: executors.rooms,
      sendLimiter: await resolve(context, TOKENS.sendRateLimiter),
      limits,
      ids: uuidGenerator,
      waitForHistory: await historyWait(context),
      lookAlikes: await usernameLookAlikesOf(context),
      joinRules: assistantJoinRules(await resolve(context, TOKENS.eventLog)),
      // Resolved when a send attaches files, so a process that never does opens no file store for it.
      files: { attachmentFacts: async (actor, fileIds) => (await fileCommandsOf(context)).attachmentFacts(actor, fileIds) },
    });
  });
  bind(TOKENS.chatQueries).toDynamicValue(async (context) => new ChatQueries(await resolve(context, TOKENS.historyStore)));
  // Reads go to each user's receipts stream, deliveries to each room's deliveries stream, each through its single
  // writer; the server flushes the recorder on shutdown before the log closes, and deactivation flushes it for
  // anything else that tears the container down.
  bind(TOKENS.receiptRecorder)
    .toDynamicValue(async (context) => {
      const executors = await resolve(context, TOKENS.executors);
      return new CoalescingReceiptRecorder({
        receipts: executors.receipts,
        deliveries: executors.deliveries,
        ids: uuidGenerator,
        logger,
        limits,
        flushIntervalMs: config.receipts.flushIntervalMs,
        // The Kafka command processor is a round trip away: several rooms' reports under way at once.
        roomsAtOnce: config.eventLog === 'kafka' ? KAFKA_RECEIPT_ROOMS_AT_ONCE : 1,
        waitForHistory: await historyWait(context),
      });
    })
    .onDeactivation((recorder) => recorder.flush());
  bind(TOKENS.receiptCommands).toDynamicValue(
    async (context) =>
      new ReceiptCommands({
        history: await resolve(context, TOKENS.historyStore),
        log: await resolve(context, TOKENS.eventLog),
        recorder: await resolve(context, TOKENS.receiptRecorder),
      }),
  );
  bind(TOKENS.authService).toDynamicValue(async (context) => {
    const commands = await resolve(context, TOKENS.chatCommands);
    const accounts = await accountCommandsOf(context);
    const erased = await erasedAccountsOf(context);
    return new AuthService(
      {
        passwordMinLength: config.auth.passwordMinLength,
        accessTokenTtlSeconds: config.auth.accessTokenTtlSeconds,
        refreshTokenTtlSeconds: config.auth.refreshTokenTtlSeconds,
        adminUsernames: config.auth.adminUsernames,
      },
      await resolve(context, TOKENS.historyStore),
      (input) => commands.registerAccount(input),
      await resolve(context, TOKENS.passwordHasher),
      await resolve(context, TOKENS.accessTokens),
      await resolve(context, TOKENS.tokenStore),
      await resolve(context, TOKENS.loginLockout),
      systemClock,
      uuidGenerator,
      (input) => accounts.recordPasswordChange(input),
      (userId) => erased.isErased(userId),
    );
  });
  const readiness = new ReadinessChecks();
  bind(TOKENS.readiness).toConstantValue(readiness);
  bindEndpoints(container, config, readiness);
  bindGateway(container, config, logger);
  bindAssistants(container, config, logger);
  return container;
}

/** Looks a service up from outside the container (the application's start-up and tests). */
export function get<T>(container: Container, key: { id: symbol; type?: T }): Promise<T> {
  return container.getAsync<T>(key.id);
}
