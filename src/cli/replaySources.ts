// The log as a replay reads it, for `chat events replay` and its worker threads: events as stored (personal data
// sealed), plus `open`, the container's sealer, which replay() applies to what it writes only, so erased data
// replays as erased and data it filters out is never decrypted. The SQLite log is the adapter under the composed
// one; the Kafka topic is scanned directly (analysis/replay.ts ReplayScan) and decoded with the container's codec.

import type { Container } from 'inversify';
import type { ReplayLog, ReplayScan } from '../analysis/replay.js';
import type { RecordedEvent } from '../events/envelope.js';
import { AnalysisError } from '../analysis/replayErrors.js';
import { get } from '../composition/container.js';
import { PRIVACY_TOKENS } from '../composition/privacyBindings.js';
import { TOKENS } from '../composition/tokens.js';
import type { AppConfig } from '../config/config.js';
import { EventTopicMisconfiguredError } from '../eventlog/kafka/kafkaEventLogErrors.js';
import { KafkaTopicScan } from '../eventlog/kafka/kafkaTopicScan.js';
import { undecorated } from '../eventlog/eventLog.js';
import { toolLogger } from './toolSupport.js';

export interface OpenedTopic {
  /** The topic's events as stored (personal data sealed). */
  source: ReplayScan;
  /** What replay() applies to the events it writes: the sealer's unseal. */
  open: (events: RecordedEvent[]) => Promise<RecordedEvent[]>;
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
      scan: (request) => topic.scan(request),
    },
    open: (events) => sealer.unseal(events),
    close: () => topic.close(),
  };
}

/**
 * The SQLite log as a replay reads it: the adapter under the composed log (events as stored, personal data sealed),
 * with the sealer's unseal as `open`, so only what the replay writes is decrypted.
 */
export async function openReplayLog(container: Container): Promise<{ log: ReplayLog; open: (events: RecordedEvent[]) => Promise<RecordedEvent[]> }> {
  const log = undecorated(await get(container, TOKENS.eventLog));
  const sealer = await get(container, PRIVACY_TOKENS.personalDataSealer);
  return { log, open: (events) => sealer.unseal(events) };
}
