// The events topic as the log needs it: created with settings that keep every event forever, and, when someone
// else created it, checked for settings that would lose events. The topic's own partition count always wins.

import kafkajs, { type Admin } from 'kafkajs';
import type { Logger } from 'pino';
import { EventTopicMisconfiguredError } from './kafkaEventLogErrors.js';

// Node's ESM loader does not see every named export of kafkajs (a CommonJS module): this one comes off the default.
const { ConfigResourceTypes } = kafkajs;

// Topic settings the log relies on: nothing is ever deleted or compacted away (the log is forever). Exported for
// the AsyncAPI document, which states them.
export const EVENTS_TOPIC_CONFIG = [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: '-1' },
  { name: 'retention.bytes', value: '-1' },
];

export interface EventTopicSettings {
  topic: string;
  /** Partitions of a topic this creates. */
  partitions: number;
  replicationFactor: number;
  logger: Logger | undefined;
}

/** Creates the topic if it is missing; returns its partition count as the cluster has it, and whether it was made. */
export async function createOrFindTopic(
  admin: Admin,
  { topic, partitions, replicationFactor, logger }: EventTopicSettings,
): Promise<{ partitions: number; created: boolean }> {
  // Asked first rather than created blindly: kafkajs logs a refused creation of an existing topic as an error.
  const exists = (await admin.listTopics()).includes(topic);
  const created =
    !exists &&
    (await admin.createTopics({
      waitForLeaders: true,
      topics: [{ topic, numPartitions: partitions, replicationFactor, configEntries: EVENTS_TOPIC_CONFIG }],
    }));
  const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
  const found = metadata.topics.find((entry) => entry.name === topic)?.partitions.length ?? 0;
  if (found === 0) throw new Error(`topic ${topic} has no partitions in the cluster metadata`);
  if (!created && found !== partitions) {
    // The topic's count decides where streams live; changing it would move streams between partitions.
    logger?.warn(
      { topic, configured: partitions, actual: found },
      'the events topic exists with another partition count; using the topic’s',
    );
  }
  return { partitions: found, created };
}

/** A topic someone else created must not throw events away: compaction would, a finite retention might. */
export async function checkRetention(admin: Admin, topic: string, logger: Logger | undefined): Promise<void> {
  const described = await admin.describeConfigs({
    includeSynonyms: false,
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy', 'retention.ms'] }],
  });
  const entries = described.resources[0]?.configEntries ?? [];
  const value = (name: string): string | undefined => entries.find((entry) => entry.configName === name)?.configValue;
  if (value('cleanup.policy')?.includes('compact')) {
    throw new EventTopicMisconfiguredError(topic, `cleanup.policy is "${value('cleanup.policy')}": compaction drops events`);
  }
  if (value('retention.ms') !== '-1') {
    logger?.warn(
      { topic, retentionMs: value('retention.ms') },
      'the events topic deletes old events (retention.ms is not -1): the log is meant to be kept forever',
    );
  }
}
