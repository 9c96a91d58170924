import type { Container } from 'inversify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { READ_FRAMES_PER_SECOND } from '../gateway/frameHandlers.js';
import { InProcessTypingBus } from '../gateway/inProcessTypingBus.js';
import { RedisTypingBus } from '../gateway/redisTypingBus.js';
import { WebSocketGateway } from '../gateway/webSocketGateway.js';
import { RateLimiter } from '../ratelimit/rateLimiter.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { gatewayAssistants } from './assistantBindings.js';
import { historyWait } from './historyWait.js';
import { unknownSelector } from './selectors.js';
import { resolve, TOKENS } from './tokens.js';

/** The WebSocket edge and the typing bus between gateways. */
export function bindGateway(container: Container, config: AppConfig, logger: Logger): void {
  const bind = <T>(key: { id: symbol; type?: T }) => container.bind<T>(key.id);
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
      recheck: (principal) => auth.recheck(principal),
      waitForHistory: await historyWait(context),
      typingLimiter: new RateLimiter('typing', [{ points: 1, durationSeconds: config.ws.typingIntervalMs / 1000 }]),
      typingBus: await resolve(context, TOKENS.typingBus),
      readLimiter: new RateLimiter('read', [{ points: READ_FRAMES_PER_SECOND, durationSeconds: 1 }]),
      receipts: await resolve(context, TOKENS.receiptRecorder),
      receiptCommands: await resolve(context, TOKENS.receiptCommands),
      presence: await resolve(context, TOKENS.presenceService),
      assistants: await gatewayAssistants(context),
    });
  });
}
