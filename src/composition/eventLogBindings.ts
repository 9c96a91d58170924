import type { Container } from 'inversify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import Database from 'better-sqlite3';
import type { EventLog } from '../eventlog/eventLog.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import { SharedSubscriptionLog } from '../eventlog/sharedSubscriptions.js';
import { SqliteEventLog } from '../eventlog/sqlite/sqliteEventLog.js';
import { createAvroEventCodec, type RefreshableEventCodec } from '../events/avro/avroEventCodec.js';
import { ConfluentSchemaRegistry } from '../events/registry/confluentSchemaRegistry.js';
import { SqliteSchemaRegistry } from '../events/registry/sqliteSchemaRegistry.js';
import { sealPersonalData } from './privacyBindings.js';
import { dataFile, unknownSelector } from './selectors.js';
import { resolve, TOKENS } from './tokens.js';

/** The schema registry, the event codec and the event log (SQLite file or Kafka topic), sealed when configured. */
export function bindEventLog(container: Container, config: AppConfig, logger: Logger): void {
  const bind = <T>(key: { id: symbol; type?: T }) => container.bind<T>(key.id);
  const file = (name: string) => dataFile(config, name);
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
      const eventLogger = logger.child({ component: 'event-log' });
      const adapter = openEventLog(await resolve(context, TOKENS.codec), eventLogger);
      // Sealed on the way in and out; then one subscription per process that the hub and the projectors share,
      // so each event is read, decoded and unsealed once (eventlog/sharedSubscriptions.ts).
      return new SharedSubscriptionLog(await sealPersonalData(context, adapter), { logger: eventLogger });
    })
    .onDeactivation((log) => log.close());

  /** The log adapter EVENT_LOG names: the SQLite file, or the Kafka topic with its local index. */
  function openEventLog(codec: RefreshableEventCodec, eventLogger: Logger): EventLog {
    const kind = config.eventLog;
    switch (kind) {
      case 'sqlite':
        return SqliteEventLog.open({ file: file('events.db'), codec, logger: eventLogger, synchronous: config.sqliteSynchronous });
      case 'kafka':
        if (config.kafka === undefined) throw new Error('EVENT_LOG=kafka without its KAFKA_* settings');
        // Connects in the background, retrying while Kafka is away; /api/health says not ready meanwhile.
        return KafkaEventLog.connecting({
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
        });
      default:
        return unknownSelector('EVENT_LOG', kind);
    }
  }
}
