import type { Admin, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaClient } from '../../eventlog/kafka/kafkaClient.js';
import { EventTopicMisconfiguredError } from '../../eventlog/kafka/kafkaEventLogErrors.js';

/** The kafkajs client of the command side: the processor, the client and the replies reader they may share. */
export function commandSideKafka(options: { brokers: string[]; clientId: string; logger?: Logger | undefined }): Kafka {
  const { brokers, clientId, logger } = options;
  return kafkaClient({ brokers, clientId, logger, clientRetry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 } });
}

export interface CommandTopicNames {
  /** Commands, keyed by stream id, partitioned exactly like the events topic. */
  commands: string;
  /** Outcomes, keyed by command id, written to the command's partition in the same transaction as its events. */
  replies: string;
}

/** `<events topic>.commands` and `<events topic>.replies` unless configured otherwise. */
export function commandTopicNames(eventsTopic: string, configured: Partial<CommandTopicNames> = {}): CommandTopicNames {
  return {
    commands: configured.commands ?? `${eventsTopic}.commands`,
    replies: configured.replies ?? `${eventsTopic}.replies`,
  };
}

// Commands are only needed until they are answered: a week covers any outage a retry would still care about.
// Both settings are exported for the AsyncAPI document, which states them.
export const COMMANDS_TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: String(7 * 24 * 60 * 60 * 1000) },
];
// One reply per command id is all that must stay: compaction keeps the last, which is the first outcome again
// (a retry is answered with the same outcome). The processor rebuilds its "already rejected" set from it.
export const REPLIES_TOPIC_CONFIG = [{ name: 'cleanup.policy', value: 'compact' }];

/**
 * Creates the commands and replies topics with the events topic's partition count, or checks existing ones have
 * it: command partition p must be events partition p, or a processor would decide for streams it does not own.
 * Both ends (the processor and every command client) call this at start, through an admin of their own.
 */
export async function ensureCommandTopics(
  kafka: Kafka,
  names: CommandTopicNames,
  partitions: number,
  replicationFactor: number,
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await createOrCheckCommandTopics(admin, names, partitions, replicationFactor);
  } finally {
    await admin.disconnect();
  }
}

async function createOrCheckCommandTopics(
  admin: Admin,
  names: CommandTopicNames,
  partitions: number,
  replicationFactor: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [
    { topic: names.commands, configEntries: COMMANDS_TOPIC_CONFIG },
    { topic: names.replies, configEntries: REPLIES_TOPIC_CONFIG },
  ].filter(({ topic }) => !existing.has(topic));
  if (missing.length > 0) {
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((entry) => ({ ...entry, numPartitions: partitions, replicationFactor })),
      })
      // Another process may have created them between the listing and this request: checked below either way.
      .catch(() => undefined);
  }
  for (const topic of [names.commands, names.replies]) {
    const found = await partitionCount(admin, topic);
    if (found !== partitions) {
      throw new EventTopicMisconfiguredError(
        topic,
        `it has ${found} partitions, the events topic ${partitions}: command partition p must be events partition p`,
      );
    }
  }
}

/** Tries of a metadata request for a topic just created, whose partitions the broker may not list yet. */
const METADATA_ATTEMPTS = 20;

async function partitionCount(admin: Admin, topic: string): Promise<number> {
  for (let attempt = 1; ; attempt++) {
    const found = await admin
      .fetchTopicMetadata({ topics: [topic] })
      .then((metadata) => metadata.topics.find((entry) => entry.name === topic)?.partitions.length ?? 0)
      // An unknown topic (still being created by another process) is asked again; anything else counts as none.
      .catch(() => 0);
    if (found > 0 || attempt >= METADATA_ATTEMPTS) return found;
    await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
  }
}

/**
 * The end offsets of every partition of a topic. kafkajs retries only an unknown topic; a leader just elected (a
 * topic just created) answers NOT_LEADER for a moment, which is retriable too.
 */
export async function topicEndOffsets(admin: Admin, topic: string): Promise<Array<{ partition: number; high: string }>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      const retriable = typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
      if (!retriable || attempt >= METADATA_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }
}
