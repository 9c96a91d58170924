import path from 'node:path';
import type { Container, ResolutionContext } from 'inversify';
import { UserAdministration } from '../commands/user/userAdministration.js';
import { adminRoutes } from '../http/routes/adminRoutes.js';
import type { Endpoint } from '../http/route.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { PersonalDataKeys } from '../privacy/personalDataKeys.js';
import { PersonalDataSealer } from '../privacy/personalDataSealer.js';
import { RedisPersonalDataKeys } from '../privacy/redisPersonalDataKeys.js';
import { undecorated } from '../eventlog/eventLog.js';
import { SealingEventLog } from '../privacy/sealingEventLog.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import { SqlitePersonalDataKeys } from '../privacy/sqlitePersonalDataKeys.js';
import type { WaitForHistory } from '../projections/readYourWrites.js';
import { uploaderPrefix } from '../files/fileKeys.js';
import { fileStoreOf } from './fileBindings.js';
import { historyWait } from './historyWait.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Crypto-shredding (issue #7): the key store PERSONAL_DATA_KEYS selects, the sealer, and the two places sealing
// plugs in: the event log binding (sealPersonalData, one call in container.ts) and the Kafka command processor's
// beforeEncode hook, since the processor encodes its events itself.

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const PRIVACY_TOKENS = {
  personalDataKeys: token<PersonalDataKeys>('personalDataKeys'),
  personalDataSealer: token<PersonalDataSealer>('personalDataSealer'),
  /** The admin use cases without read-your-writes (the command line's; the REST route waits for the view). */
  userAdministration: token<UserAdministration>('userAdministration'),
};

export function bindPrivacy(container: Container, config: AppConfig, logger: Logger): void {
  container
    .bind<PersonalDataKeys>(PRIVACY_TOKENS.personalDataKeys.id)
    .toDynamicValue(async (context) => {
      const store = config.stores.personalDataKeys;
      switch (store) {
        case 'sqlite':
          // Its own file, never the log's: a copy of events.db carries no key.
          return new SqlitePersonalDataKeys(path.join(config.dataDir, 'keys.db'));
        case 'redis':
          logger.debug({ keyPrefix: `${config.redis.keyPrefix}keys:` }, 'personal data keys in Redis');
          return new RedisPersonalDataKeys({ client: await resolve(context, TOKENS.redis), keyPrefix: `${config.redis.keyPrefix}keys:` });
        default: {
          const unknown: never = store;
          throw new Error(`PERSONAL_DATA_KEYS: no adapter for ${JSON.stringify(unknown)}`);
        }
      }
    })
    .onDeactivation((keys) => keys.close());
  container
    .bind<PersonalDataSealer>(PRIVACY_TOKENS.personalDataSealer.id)
    .toDynamicValue(async (context) => new PersonalDataSealer(await keysOf(context)));
  // The command line's: it runs no projector, so it does not wait for the history view (the server catches up).
  container.bind<UserAdministration>(PRIVACY_TOKENS.userAdministration.id).toDynamicValue((context) => administration(context));
  container.bind(TOKENS.beforeEncode.id).toDynamicValue(async (context) => {
    const sealer = await sealerOf(context);
    return (events: Parameters<PersonalDataSealer['seal']>[0]) => sealer.seal(events);
  });
  // The processor's chunks: every actor's key asked for at once (one Redis round trip per chunk, not per command).
  container.bind(TOKENS.beforeEncodeFor.id).toDynamicValue(async (context) => {
    const sealer = await sealerOf(context);
    return (actorIds: readonly string[]) => sealer.sealerFor(actorIds);
  });
}

/** The log every reader and writer of the service uses: personal data sealed on append, unsealed on every read. */
export async function sealPersonalData(context: ResolutionContext, log: EventLog): Promise<EventLog> {
  return new SealingEventLog(log, await sealerOf(context));
}

function keysOf(context: ResolutionContext): Promise<PersonalDataKeys> {
  return context.getAsync<PersonalDataKeys>(PRIVACY_TOKENS.personalDataKeys.id);
}

function sealerOf(context: ResolutionContext): Promise<PersonalDataSealer> {
  return context.getAsync<PersonalDataSealer>(PRIVACY_TOKENS.personalDataSealer.id);
}

/** The admin REST routes (roles), for the api's endpoint list. */
export async function adminEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return adminRoutes(await administration(context, await historyWait(context)));
}

async function administration(
  context: ResolutionContext,
  waitForHistory?: WaitForHistory,
): Promise<UserAdministration> {
  const log = await resolve(context, TOKENS.eventLog);
  const kafka = undecorated(log);
  return new UserAdministration({
    users: (await resolve(context, TOKENS.executors)).users,
    log,
    keys: await keysOf(context),
    tokens: await resolve(context, TOKENS.tokenStore),
    clock: systemClock,
    ids: uuidGenerator,
    ...(waitForHistory ? { waitForHistory } : {}),
    // The store alone, resolved at the erasure: the command line erases without a history view or a projector.
    files: { eraseUploadsOf: async (userId: string) => (await fileStoreOf(context)).deletePrefix(uploaderPrefix(userId)) },
    // A process's Kafka index may still be filling (the command line's starts empty): read users once it holds
    // what the topic has.
    ...(kafka instanceof KafkaEventLog ? { catchUp: (streamId: string) => kafka.catchUpPartition(kafka.partitionOf(streamId)) } : {}),
  });
}

/** For the CLI: the admin use cases of a built container. */
export function userAdministrationOf(container: Container): Promise<UserAdministration> {
  return container.getAsync<UserAdministration>(PRIVACY_TOKENS.userAdministration.id);
}

/** For the CLI: the key store of a built container. */
export function personalDataKeysOf(container: Container): Promise<PersonalDataKeys> {
  return container.getAsync<PersonalDataKeys>(PRIVACY_TOKENS.personalDataKeys.id);
}
