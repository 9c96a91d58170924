import type { Container, ResolutionContext } from 'inversify';
import type { AppConfig } from '../config/config.js';
import { planProcess } from '../config/processPlan.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import type { Readiness } from '../eventlog/kafka/kafkaEventTopic.js';
import { analyticsRoutes } from '../http/routes/analyticsRoutes.js';
import { authRoutes } from '../http/routes/authRoutes.js';
import { chatRoutes } from '../http/routes/chatRoutes.js';
import { conversationRoutes } from '../http/routes/conversationRoutes.js';
import { healthRoutes } from '../http/routes/healthRoutes.js';
import { presenceRoutes } from '../http/routes/presenceRoutes.js';
import { receiptRoutes } from '../http/routes/receiptRoutes.js';
import type { ReadinessChecks } from '../observability/readiness.js';
import { undecorated } from '../eventlog/eventLog.js';
import { accountEndpoints } from './accountBindings.js';
import { assistantEndpoints } from './assistantBindings.js';
import { auditEndpoints } from './auditBindings.js';
import { fileEndpoints } from './fileBindings.js';
import { friendEndpoints } from './friendBindings.js';
import { oauthEndpoints } from './oauthBindings.js';
import { searchEndpoints } from './searchBindings.js';
import { adminEndpoints } from './privacyBindings.js';
import { resolve, TOKENS } from './tokens.js';

/** The HTTP routes this process serves: health always, the REST API with the api role. */
export function bindEndpoints(container: Container, config: AppConfig, readiness: ReadinessChecks): void {
  const plan = planProcess(config);
  container.bind(TOKENS.endpoints.id).toDynamicValue(async (context) => [
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
          ...(await oauthEndpoints(context)),
          ...(await fileEndpoints(context)),
          ...(await assistantEndpoints(context)),
          ...conversationRoutes(await resolve(context, TOKENS.chatQueries)),
          ...(await searchEndpoints(context)),
        ]
      : []),
  ]);
}

/** Kafka's log can be up but not connected; the SQLite log is ready whenever it is open (its reads say so). */
async function eventLogReadiness(context: ResolutionContext): Promise<(() => Readiness) | undefined> {
  const log = undecorated(await resolve(context, TOKENS.eventLog));
  return log instanceof KafkaEventLog ? () => log.readiness() : undefined;
}

