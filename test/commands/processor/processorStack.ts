import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import pino from 'pino';
import type { CommandExecutors } from '../../../src/commands/commandExecutors.js';
import { DEFAULT_LIMITS, type DecisionContext } from '../../../src/commands/decider.js';
import { CommandClient } from '../../../src/commands/processor/commandClient.js';
import { CommandProcessor } from '../../../src/commands/processor/commandProcessor.js';
import { commandTopicNames, type CommandTopicNames } from '../../../src/commands/processor/commandTopics.js';
import { remoteExecutors } from '../../../src/commands/processor/remoteCommandExecutor.js';
import type { ReplyTail } from '../../../src/commands/processor/replyTail.js';
import { processorWriters, type BeforeEncode } from '../../../src/commands/processor/streamWriter.js';
import { KafkaEventLog } from '../../../src/eventlog/kafka/kafkaEventLog.js';
import type { EventCodec } from '../../../src/events/eventCodec.js';
import { uuidGenerator } from '../../../src/support/clock.js';

// The pieces commandExecution.ts composes, built directly so a test can run several processors and callers in
// one process, each with its own index of the events topic, on a topic of its own.

export const OPERATION_TIMEOUT_MS = 20_000;

const logger = process.env.KAFKA_TEST_LOG ? pino({ level: process.env.KAFKA_TEST_LOG }) : undefined;

export interface Deployment {
  brokers: string[];
  eventsTopic: string;
  topics: CommandTopicNames;
  partitions: number;
  codec: EventCodec;
}

export function newDeployment(brokers: string[], codec: EventCodec, partitions = 4): Deployment {
  const eventsTopic = `test.processor.${randomUUID()}`;
  return { brokers, eventsTopic, topics: commandTopicNames(eventsTopic), partitions, codec };
}

export function openLog(deployment: Deployment, clientId: string): Promise<KafkaEventLog> {
  return KafkaEventLog.open({
    brokers: deployment.brokers,
    clientId,
    topic: deployment.eventsTopic,
    partitions: deployment.partitions,
    indexFile: ':memory:',
    codec: deployment.codec,
    operationTimeoutMs: OPERATION_TIMEOUT_MS,
    ...(logger ? { logger } : {}),
  });
}

export function newProcessor(
  deployment: Deployment,
  log: KafkaEventLog,
  options: { beforeEncode?: BeforeEncode; maxCommandsPerTransaction?: number; replies?: ReplyTail } = {},
): CommandProcessor {
  const writer = { clock: { now: () => Date.now() }, ids: uuidGenerator, maxCachedStreams: 1000 };
  const name = `${deployment.eventsTopic}.command-processor`;
  return new CommandProcessor({
    brokers: deployment.brokers,
    clientId: 'processor-test',
    topics: deployment.topics,
    groupId: name,
    transactionalIdPrefix: name,
    replicationFactor: 1,
    log,
    codec: deployment.codec,
    writers: (reader) => processorWriters(reader, writer),
    sessionTimeoutMs: 6000,
    operationTimeoutMs: OPERATION_TIMEOUT_MS,
    ...options,
    ...(logger ? { logger } : {}),
  });
}

export interface Caller extends CommandExecutors {
  log: KafkaEventLog;
  client: CommandClient;
}

export function newCaller(deployment: Deployment, log: KafkaEventLog, replyTimeoutMs = 15_000, replies?: ReplyTail): Caller {
  const client = new CommandClient({
    ...(replies ? { replies } : {}),
    brokers: deployment.brokers,
    clientId: 'caller-test',
    topics: deployment.topics,
    replicationFactor: 1,
    log,
    replyTimeoutMs,
    ...(logger ? { logger } : {}),
  });
  return { ...remoteExecutors(client, log), log, client };
}

export function actor(userId: string): DecisionContext {
  return { actor: { userId, role: 'user' }, limits: DEFAULT_LIMITS };
}

export async function deleteTopics(deployment: Deployment): Promise<void> {
  const admin = new Kafka({ clientId: 'processor-test', brokers: deployment.brokers, logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await admin
      .deleteTopics({ topics: [deployment.eventsTopic, deployment.topics.commands, deployment.topics.replies] })
      .catch(() => undefined);
  } finally {
    await admin.disconnect();
  }
}
