import type { Admin } from 'kafkajs';
import { EventTopicMisconfiguredError } from '../../eventlog/kafka/kafkaEventLogErrors.js';

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
const COMMANDS_CONFIG = [
  { name: 'cleanup.policy', value: 'delete' },
  { name: 'retention.ms', value: String(7 * 24 * 60 * 60 * 1000) },
];
// One reply per command id is all that must stay: compaction keeps the last, which is the first outcome again
// (a retry is answered with the same outcome). The processor rebuilds its "already rejected" set from it.
const REPLIES_CONFIG = [{ name: 'cleanup.policy', value: 'compact' }];

/**
 * Creates the commands and replies topics with the events topic's partition count, or checks existing ones have
 * it: command partition p must be events partition p, or a processor would decide for streams it does not own.
 */
export async function ensureCommandTopics(
  admin: Admin,
  names: CommandTopicNames,
  partitions: number,
  replicationFactor: number,
): Promise<void> {
  const existing = new Set(await admin.listTopics());
  const missing = [
    { topic: names.commands, configEntries: COMMANDS_CONFIG },
    { topic: names.replies, configEntries: REPLIES_CONFIG },
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
  const metadata = await admin.fetchTopicMetadata({ topics: [names.commands, names.replies] });
  for (const topic of [names.commands, names.replies]) {
    const found = metadata.topics.find((entry) => entry.name === topic)?.partitions.length ?? 0;
    if (found !== partitions) {
      throw new EventTopicMisconfiguredError(
        topic,
        `it has ${found} partitions, the events topic ${partitions}: command partition p must be events partition p`,
      );
    }
  }
}
