import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { commandBuses } from '../commands/commandBus.js';
import type { CommandExecutors } from '../commands/commandExecutors.js';
import type { CommandObserver } from '../commands/commandExecutor.js';
import { CommandClient } from '../commands/processor/commandClient.js';
import { CommandProcessor } from '../commands/processor/commandProcessor.js';
import { commandSideKafka, commandTopicNames, type CommandTopicNames } from '../commands/processor/commandTopics.js';
import { ReplyTail } from '../commands/processor/replyTail.js';
import { remoteExecutors, type PlacedEventReader } from '../commands/processor/remoteCommandExecutor.js';
import { processorWriters, type BeforeEncode, type BeforeEncodeFor } from '../commands/processor/streamWriter.js';
import type { AppConfig } from '../config/config.js';
import type { EventLog } from '../eventlog/eventLog.js';
import { installCoordinatorCache } from '../eventlog/kafka/coordinatorCache.js';
import { KafkaEventLog } from '../eventlog/kafka/kafkaEventLog.js';
import { SqliteStreamSnapshots } from '../commands/snapshots/sqliteStreamSnapshots.js';
import { systemClock, uuidGenerator } from '../support/clock.js';
import { dataFile } from './selectors.js';
import { resolve, TOKENS } from './tokens.js';
import { undecorated } from '../eventlog/eventLog.js';

/** Streams whose state the processor keeps folded, per category. */
const MAX_CACHED_STREAMS = 10_000;

/**
 * Where commands are decided (DESIGN.md "Single writer per stream"):
 * - EVENT_LOG=sqlite: in this process, by a CommandBus per category appending with an expected version;
 * - EVENT_LOG=kafka: by the command processor that owns the stream's partition, reached through the commands
 *   topic (RemoteCommandExecutor). TOKENS.commandProcessor is bound then too; the `command-processor` role starts
 *   it (start()/stop(), readiness()). Every process that sends commands needs one running somewhere.
 * An optional TOKENS.beforeEncode binding runs on the processor's events before they are encoded.
 */
export function bindCommandExecution(container: Container, config: AppConfig, logger: Logger): void {
  const observer = async (context: Parameters<typeof resolve>[0]): Promise<CommandObserver> => {
    const metrics = await resolve(context, TOKENS.metrics);
    return (type, run) => metrics.timeCommand(type, run);
  };

  // One reader of the replies topic per process: a process that runs the command processor and sends commands
  // shares one between them (from the beginning, which the processor needs), instead of reading every reply twice.
  let sharedReplies: ReplyTail | undefined;
  const repliesOfProcess = (): { replies?: ReplyTail } => {
    const kafka = config.kafka;
    if (kafka === undefined || !config.roles.includes('command-processor')) return {};
    const repliesLogger = logger.child({ component: 'command-replies' });
    sharedReplies ??= new ReplyTail({
      kafka: commandSideKafka({ brokers: kafka.brokers, clientId: kafka.clientId, logger: repliesLogger }),
      topic: topicsOf(kafka).replies,
      groupPrefix: processorNameOf(kafka),
      from: 'beginning',
      logger: repliesLogger,
    });
    return { replies: sharedReplies };
  };

  const processorObserver = async (context: Parameters<typeof resolve>[0]): Promise<CommandObserver> => {
    const metrics = await resolve(context, TOKENS.metrics);
    return (type, run) => metrics.timeCommand(`processor:${type}`, run);
  };

  container
    .bind<CommandExecutors>(TOKENS.executors.id)
    .toDynamicValue(async (context) => {
      const log = await resolve(context, TOKENS.eventLog);
      const observe = await observer(context);
      const kafka = config.kafka;
      if (config.eventLog === 'kafka' && kafka !== undefined) {
        const kafkaLog = kafkaLogOf(log);
        const client = new CommandClient({
          brokers: kafka.brokers,
          clientId: kafka.clientId,
          topics: topicsOf(kafka),
          replicationFactor: kafka.replicationFactor,
          log: kafkaLog,
          replyTimeoutMs: kafka.commandTimeoutMs,
          logger: logger.child({ component: 'command-client' }),
          ...repliesOfProcess(),
        });
        return remoteExecutors(client, composedReader(kafkaLog, log), observe);
      }
      return commandBuses({
        log,
        clock: systemClock,
        ids: uuidGenerator,
        logger: logger.child({ component: 'command-bus' }),
        observe,
        // Beside the log, so a long room loads from its latest snapshot after a start (commands/snapshots).
        snapshots: new SqliteStreamSnapshots(dataFile(config, 'snapshots.db')),
      });
    })
    .onDeactivation((executors) => executors.close());

  const kafka = config.kafka;
  if (config.eventLog !== 'kafka' || kafka === undefined) return;
  // Four of a transaction's nine Kafka requests asked for a coordinator the process already knew.
  installCoordinatorCache();
  container
    .bind<CommandProcessor>(TOKENS.commandProcessor.id)
    .toDynamicValue(async (context) => {
      const log = kafkaLogOf(await resolve(context, TOKENS.eventLog));
      const beforeEncode: BeforeEncode | undefined = await context.getAsync<BeforeEncode>(TOKENS.beforeEncode.id, { optional: true });
      const beforeEncodeFor = await context.getAsync<BeforeEncodeFor>(TOKENS.beforeEncodeFor.id, { optional: true });
      const processorName = processorNameOf(kafka);
      return new CommandProcessor({
        brokers: kafka.brokers,
        clientId: kafka.clientId,
        topics: topicsOf(kafka),
        groupId: processorName,
        transactionalIdPrefix: processorName,
        replicationFactor: kafka.replicationFactor,
        log,
        codec: await resolve(context, TOKENS.codec),
        writers: (reader) => processorWriters(reader, { clock: systemClock, ids: uuidGenerator, maxCachedStreams: MAX_CACHED_STREAMS }),
        ...(beforeEncode ? { beforeEncode } : {}),
        ...(beforeEncodeFor ? { beforeEncodeFor } : {}),
        // Labelled apart from the edge's timing of the same command (which includes the round trip), so a process
        // running both counts each command once per label.
        observe: await processorObserver(context),
        logger: logger.child({ component: 'command-processor' }),
        ...repliesOfProcess(),
      });
    })
    .onDeactivation((processor) => processor.stop());
}

/**
 * Where a remote command's caller reads the events the processor wrote: the Kafka index finds them by place (and
 * waits until it has consumed them); they are then read again through the composed log, so the caller sees them
 * exactly as the embedded CommandBus would have returned them (unsealed by a crypto-shredding decorator, say).
 */
function composedReader(kafkaLog: KafkaEventLog, composed: EventLog): PlacedEventReader {
  return {
    async eventsAt(places) {
      const raw = await kafkaLog.eventsAt(places);
      const [first] = raw;
      if (composed === kafkaLog || first === undefined) return raw;
      // One command writes to one stream, in consecutive versions.
      const read = await composed.readStream(first.streamId, { fromVersion: first.streamVersion, limit: raw.length });
      const same = read.length === raw.length && read.every((event, i) => event.eventId === raw[i]?.eventId);
      if (!same) throw new Error(`the composed log does not show the events of ${first.streamId} the index holds`);
      return read;
    },
  };
}

/** The processor and the remote executors read the Kafka log's own index (places, stored bytes). */
function kafkaLogOf(decorated: EventLog): KafkaEventLog {
  // Under the crypto-shredding decorator (src/privacy): the processor seals through TOKENS.beforeEncode instead.
  const log = undecorated(decorated);
  if (log instanceof KafkaEventLog) return log;
  throw new Error('EVENT_LOG=kafka: command execution needs the KafkaEventLog itself (is TOKENS.eventLog decorated?)');
}

type KafkaSettings = NonNullable<AppConfig['kafka']>;

/** The commands and replies topics of the deployment's events topic, as configured. */
function topicsOf(kafka: KafkaSettings): CommandTopicNames {
  return commandTopicNames(kafka.eventsTopic, { commands: kafka.commandsTopic, replies: kafka.repliesTopic });
}

/**
 * The processor's group and transactional ids are named after the events topic: one deployment (one log) has one
 * processor group, whatever the client ids of its processes.
 */
function processorNameOf(kafka: KafkaSettings): string {
  return `${kafka.eventsTopic}.command-processor`;
}
