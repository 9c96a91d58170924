// The Kafka topic as a replay reads it (analysis/replay.ts ReplayScan): scanned directly, decoded with the
// container's codec (its schema registry) and unsealed with its sealer, as the composed log would hand the events
// over, so erased data replays as erased. Shared by `chat events replay` and its worker threads.

import type { Container } from 'inversify';
import type { ReplayScan } from '../analysis/replay.js';
import { AnalysisError } from '../analysis/replayErrors.js';
import { get } from '../composition/container.js';
import { PRIVACY_TOKENS } from '../composition/privacyBindings.js';
import { TOKENS } from '../composition/tokens.js';
import type { AppConfig } from '../config/config.js';
import { EventTopicMisconfiguredError } from '../eventlog/kafka/kafkaEventLogErrors.js';
import { KafkaTopicScan } from '../eventlog/kafka/kafkaTopicScan.js';
import { toolLogger } from './toolSupport.js';

export interface OpenedTopic {
  source: ReplayScan;
  close(): Promise<void>;
}

/**
 * Never resolves TOKENS.eventLog: in Kafka mode that starts the index consumer, which reads the whole topic into
 * SQLite first (most of a replay's time, for reads a replay never makes). A missing topic is NO_EVENT_LOG.
 */
export async function openReplayTopic(container: Container, config: AppConfig): Promise<OpenedTopic> {
  const kafka = config.kafka;
  if (kafka === undefined) throw new Error('EVENT_LOG=kafka without its KAFKA_* settings');
  const codec = await get(container, TOKENS.codec);
  const sealer = await get(container, PRIVACY_TOKENS.personalDataSealer);
  let topic: KafkaTopicScan;
  try {
    topic = await KafkaTopicScan.open({
      brokers: kafka.brokers,
      clientId: kafka.clientId,
      topic: kafka.eventsTopic,
      codec,
      refreshCodec: () => codec.refresh(),
      logger: toolLogger(config).child({ component: 'topic-scan' }),
    });
  } catch (error) {
    if (error instanceof EventTopicMisconfiguredError) throw new AnalysisError('NO_EVENT_LOG', error.message);
    throw error;
  }
  return {
    source: {
      head: () => topic.head(),
      partitionOf: (streamId) => topic.partitionOf(streamId),
      scan: (request) => topic.scan({ ...request, onEvents: async (events) => request.onEvents(await sealer.unseal(events)) }),
    },
    close: () => topic.close(),
  };
}
