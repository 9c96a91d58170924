import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Container, type ResolutionContext } from 'inversify';
import type { Logger } from 'pino';
import { AnalyticsQueries } from '../projections/analytics/analyticsQueries.js';
import { MemoryAnalyticsStore } from '../projections/analytics/memoryAnalyticsStore.js';
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
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import type { Readiness } from '../eventlog/kafka/kafkaEventTopic.js';
import { SqliteEventLog } from '../eventlog/sqlite/sqliteEventLog.js';
import { createAvroEventCodec } from '../events/avro/avroEventCodec.js';
import { ConfluentSchemaRegistry } from '../events/registry/confluentSchemaRegistry.js';
import { SqliteSchemaRegistry } from '../events/registry/sqliteSchemaRegistry.js';
import { READ_FRAMES_PER_SECOND } from '../gateway/frameHandlers.js';
import { InProcessTypingBus } from '../gateway/inProcessTypingBus.js';
import { RedisTypingBus } from '../gateway/redisTypingBus.js';
import { WebSocketGateway } from '../gateway/webSocketGateway.js';
import { authRoutes } from '../http/routes/authRoutes.js';
import { chatRoutes } from '../http/routes/chatRoutes.js';
import { healthRoutes } from '../http/routes/healthRoutes.js';
import { receiptRoutes } from '../http/routes/receiptRoutes.js';
import { analyticsRoutes } from '../http/routes/analyticsRoutes.js';
import { presenceRoutes } from '../http/routes/presenceRoutes.js';
import { Metrics } from '../observability/metrics.js';
import { ProjectorLagMonitor } from '../observability/projectorLag.js';
import { MemoryPresenceTracker } from '../presence/memoryPresenceTracker.js';
import { PresenceService } from '../presence/presenceService.js';
import { RedisPresenceTracker } from '../presence/redisPresenceTracker.js';
import { openRedisAnalytics } from '../projections/analytics/switchableAnalyticsStore.js';
import { openSqliteHistory } from '../projections/history/switchableHistoryStore.js';
import { openOracleHistoryStore } from '../projections/history/oracle/openOracleHistoryStore.js';
import { Projector } from '../projections/projector.js';
import { StoreCheckpointFollower } from '../projections/storeCheckpointFollower.js';
import { ChatQueries } from '../queries/chatQueries.js';
import { RateLimiter } from '../ratelimit/rateLimiter.js';
import { CoalescingReceiptRecorder } from '../receipts/coalescingReceiptRecorder.js';
import { ReceiptCommands } from '../receipts/receiptCommands.js';
import { connectRedis, createRedisClient } from '../redis/redisClient.js';
import { planProcess } from '../config/processPlan.js';
import { ReadinessChecks } from '../observability/readiness.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { bindCommandExecution } from './commandExecution.js';
import { auditEndpoints, bindAudit } from './auditBindings.js';
import { undecorated } from '../privacy/sealingEventLog.js';
import { adminEndpoints, bindPrivacy, sealPersonalData } from './privacyBindings.js';
import { accountCommandsOf, accountEndpoints, bindAccounts } from './accountBindings.js';
import { bindFriends, friendEndpoints } from './friendBindings.js';
import { historyWait } from './historyWait.js';
import { limiterFactory } from './rateLimiters.js';
import { resolve, TOKENS } from './tokens.js';

/**
 * The composition root: the one place that turns configuration into adapters (DESIGN.md). Everything else
 * receives its collaborators; nothing else reads the environment or picks an implementation.
 */
export function buildContainer(config: AppConfig, logger: Logger): Container {
  const container = new Container({ defaultScope: 'Singleton' });
  const bind = <T>(key: { id: symbol; type?: T }) => container.bind<T>(key.id);
  mkdirSync(config.dataDir, { recursive: true });
  const file = (name: string) => path.join(config.dataDir, name);
  const limits: DomainLimits = {
    ...DEFAULT_LIMITS,
    maxMessageLength: config.limits.maxMessageLength,
    maxRoomMembers: config.limits.maxRoomMembers,
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

  if (config.schemaRegistry.kind === 'confluent') {
    // Registration happens when the codec is created, at start-up: a registry that refuses a schema (or cannot be
    // reached) stops the service with the subject and the registry's reason.
    bind(TOKENS.schemaRegistry).toConstantValue(
      new ConfluentSchemaRegistry({ url: config.schemaRegistry.url, timeoutMs: config.schemaRegistry.timeoutMs }),
    );
  } else {
    // The embedded registry lives beside the events it describes, so ids stay valid as long as the log does.
    const registryDb = new Database(file('events.db'));
    registryDb.pragma('journal_mode = WAL');
    bind(TOKENS.schemaRegistry)
      .toConstantValue(new SqliteSchemaRegistry(registryDb))
      .onDeactivation(() => {
        registryDb.close();
      });
  }
  bind(TOKENS.codec).toDynamicValue(async (context) =>
    createAvroEventCodec(await resolve(context, TOKENS.schemaRegistry), { subjectPrefix: config.schemaSubjectPrefix }),
  );
  bind(TOKENS.eventLog)
    .toDynamicValue(async (context) => {
      const codec = await resolve(context, TOKENS.codec);
      const eventLogger = logger.child({ component: 'event-log' });
      const kind = config.eventLog;
      switch (kind) {
        case 'sqlite':
          return sealPersonalData(
            context,
            SqliteEventLog.open({ file: file('events.db'), codec, logger: eventLogger, synchronous: config.sqliteSynchronous }),
          );
        case 'kafka':
          if (config.kafka === undefined) throw new Error('EVENT_LOG=kafka without its KAFKA_* settings');
          // Connects in the background, retrying while Kafka is away; /api/health says not ready meanwhile.
          return sealPersonalData(context, KafkaEventLog.connecting({
            brokers: config.kafka.brokers,
            clientId: config.kafka.clientId,
            topic: config.kafka.eventsTopic,
            partitions: config.kafka.partitions,
            replicationFactor: config.kafka.replicationFactor,
            codec,
            refreshCodec: () => codec.refresh(),
            // The local read index: a cache of the topic, resumed on restart, rebuilt from the topic if deleted.
            indexFile: config.kafka.indexFile ?? file(`kafka-index.${config.kafka.eventsTopic}.db`),
            logger: eventLogger,
          }));
        default:
          return unknownSelector('EVENT_LOG', kind);
      }
    })
    .onDeactivation((log) => log.close());
  bind(TOKENS.historyStore)
    .toDynamicValue(async (context) => {
      const store = config.historyStore;
      switch (store) {
        case 'sqlite':
          // The file DATA_DIR/history.current names (history.db before any rebuild), followed when a rebuild moves it.
          return openSqliteHistory({ dataDir: config.dataDir, log: await resolve(context, TOKENS.eventLog), logger });
        case 'oracle':
          // loadConfig guarantees the settings with the selector; migrations run (or are checked) before use.
          if (config.oracle === undefined) throw new Error('HISTORY_STORE=oracle without its ORACLE_* settings');
          return openOracleHistoryStore(config.oracle);
        default:
          return unknownSelector('HISTORY_STORE', store);
      }
    })
    .onDeactivation((store) => store.close());
  // This process's roles decide whether it projects the history view or follows a shared store another process
  // projects into (src/config/processPlan.ts); either way callers wait on it for read-your-writes.
  const plan = planProcess(config);
  bind(TOKENS.historyProjector).toDynamicValue(async (context) =>
    plan.historyView === 'follower'
      ? new StoreCheckpointFollower({ name: 'history', store: await resolve(context, TOKENS.historyStore), logger })
      : new Projector({
          name: 'history',
          log: await resolve(context, TOKENS.eventLog),
          store: await resolve(context, TOKENS.historyStore),
          logger,
        }),
  );
  // Analytics counters live in memory in the embedded mode: the projector rebuilds them from position 0 on every
  // start (its checkpoint is the store's, and a fresh memory store's is 0). In Redis they and their checkpoint
  // persist, so the projector goes on from where it stopped.
  bind(TOKENS.analyticsStore)
    .toDynamicValue(async (context) => {
      const store = config.stores.analytics;
      switch (store) {
        case 'memory':
          return new MemoryAnalyticsStore();
        case 'redis':
          // The counters under redisKeys('analytics'), or the prefix a rebuild made live, followed when it moves.
          return openRedisAnalytics({
            client: await resolve(context, TOKENS.redis),
            keyPrefix: config.redis.keyPrefix,
            log: await resolve(context, TOKENS.eventLog),
            logger,
          });
        default:
          return unknownSelector('ANALYTICS_STORE', store);
      }
    })
    .onDeactivation((store) => store.close());
  bind(TOKENS.analyticsProjector).toDynamicValue(
    async (context) =>
      new Projector({
        name: 'analytics',
        log: await resolve(context, TOKENS.eventLog),
        store: await resolve(context, TOKENS.analyticsStore),
        logger,
      }),
  );
  bind(TOKENS.analyticsQueries).toDynamicValue(
    async (context) => new AnalyticsQueries(await resolve(context, TOKENS.analyticsStore), systemClock),
  );
  bind(TOKENS.projectorLagMonitor)
    .toDynamicValue(
      async (context) =>
        new ProjectorLagMonitor(
          await resolve(context, TOKENS.eventLog),
          [
            ...(plan.historyView !== undefined ? [await resolve(context, TOKENS.historyProjector)] : []),
            ...(plan.analyticsProjector ? [await resolve(context, TOKENS.analyticsProjector)] : []),
          ],
          await resolve(context, TOKENS.metrics),
          logger,
        ),
    )
    .onDeactivation((monitor) => monitor.stop());

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
  bind(TOKENS.accessTokens).toConstantValue(
    new AccessTokens({
      secret: config.auth.jwtSecret ?? loadOrCreateDevSecret(config.dataDir, logger),
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
    });
  });
  bind(TOKENS.chatQueries).toDynamicValue(async (context) => new ChatQueries(await resolve(context, TOKENS.historyStore)));
  // Receipts go to each user's own stream through their own single writer; the server flushes the recorder on
  // shutdown before the log closes, and deactivation flushes it for anything else that tears the container down.
  bind(TOKENS.receiptRecorder)
    .toDynamicValue(async (context) => {
      return new CoalescingReceiptRecorder({
        bus: (await resolve(context, TOKENS.executors)).receipts,
        ids: uuidGenerator,
        logger,
        limits,
        flushIntervalMs: config.receipts.flushIntervalMs,
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
    );
  });
  const readiness = new ReadinessChecks();
  bind(TOKENS.readiness).toConstantValue(readiness);
  // Every process answers /api/health (and /metrics) for its roles; only the api role serves the REST API.
  bind(TOKENS.endpoints).toDynamicValue(async (context) => [
    ...healthRoutes({
      log: await resolve(context, TOKENS.eventLog),
      eventLogReadiness: await eventLogReadiness(context),
      checks: () => readiness.list(),
      roles: config.roles,
    }),
    ...(plan.api
      ? [
          ...authRoutes(await resolve(context, TOKENS.authService), await resolve(context, TOKENS.authRateLimiter)),
          ...chatRoutes(await resolve(context, TOKENS.chatCommands), await resolve(context, TOKENS.chatQueries)),
          ...receiptRoutes(await resolve(context, TOKENS.receiptCommands), await resolve(context, TOKENS.chatQueries)),
          ...presenceRoutes(await resolve(context, TOKENS.presenceService), await resolve(context, TOKENS.chatQueries)),
          ...analyticsRoutes(await resolve(context, TOKENS.analyticsQueries)),
          ...(await auditEndpoints(context)),
          ...(await adminEndpoints(context)),
          ...(await friendEndpoints(context)),
          ...(await accountEndpoints(context)),
        ]
      : []),
  ]);
  // Typing reaches the other gateways' sockets through the bus: in process when there is one gateway, over Redis
  // pub/sub when there are several.
  bind(TOKENS.typingBus)
    .toDynamicValue(async (context) => {
      const bus = config.stores.typing;
      switch (bus) {
        case 'memory':
          return new InProcessTypingBus();
        case 'redis':
          return RedisTypingBus.open({
            client: await resolve(context, TOKENS.redis),
            channel: `${config.redis.keyPrefix}typing`,
            logger: logger.child({ component: 'typing-bus' }),
          });
        default:
          return unknownSelector('TYPING_BUS', bus);
      }
    })
    .onDeactivation((bus) => bus.close());
  // The socket edge uses the same use cases, queries and send limiter as REST; only its ephemeral frames
  // (typing, read) have limits of their own.
  bind(TOKENS.webSocketGateway).toDynamicValue(async (context) => {
    const auth = await resolve(context, TOKENS.authService);
    return new WebSocketGateway({
      config: config.ws,
      logger,
      metrics: await resolve(context, TOKENS.metrics),
      clock: systemClock,
      ids: uuidGenerator,
      log: await resolve(context, TOKENS.eventLog),
      history: await resolve(context, TOKENS.historyStore),
      commands: await resolve(context, TOKENS.chatCommands),
      queries: await resolve(context, TOKENS.chatQueries),
      authenticate: (token) => auth.authenticate(token),
      waitForHistory: await historyWait(context),
      typingLimiter: new RateLimiter('typing', [{ points: 1, durationSeconds: config.ws.typingIntervalMs / 1000 }]),
      typingBus: await resolve(context, TOKENS.typingBus),
      readLimiter: new RateLimiter('read', [{ points: READ_FRAMES_PER_SECOND, durationSeconds: 1 }]),
      receipts: await resolve(context, TOKENS.receiptRecorder),
      receiptCommands: await resolve(context, TOKENS.receiptCommands),
      presence: await resolve(context, TOKENS.presenceService),
    });
  });
  return container;
}

/** Kafka's log can be up but not connected; the SQLite log is ready whenever it is open (its reads say so). */
async function eventLogReadiness(context: ResolutionContext): Promise<(() => Readiness) | undefined> {
  const log = undecorated(await resolve(context, TOKENS.eventLog));
  return log instanceof KafkaEventLog ? () => log.readiness() : undefined;
}

/** The `default` of a switch over a store selector: unreachable once configuration is validated. */
function unknownSelector(setting: string, value: never): never {
  throw new Error(`${setting}: no adapter for ${JSON.stringify(value)}`);
}

/** Looks a service up from outside the container (the application's start-up and tests). */
export function get<T>(container: Container, key: { id: symbol; type?: T }): Promise<T> {
  return container.getAsync<T>(key.id);
}
