// The SQLite or Kafka event log: the reference's "Event log" section (CONFIG_GROUPS.eventLog), in the order it
// lists them.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { positiveInt } from './settingValues.js';

export const eventLogSettings = {
  EVENT_LOG: z
    .enum(['sqlite', 'kafka'])
    .default('sqlite')
    .meta(
      doc(
        'eventLog',
        '`sqlite`: the embedded log in `DATA_DIR/events.db` (one process); `kafka`: a Kafka topic, which needs ' +
          '`KAFKA_BROKERS`.',
      ),
    ),
  // Only EVENT_LOG switches the service to Kafka (loadConfig): scripts/services exports KAFKA_BROKERS for the tests.
  KAFKA_BROKERS: z
    .string()
    .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0))
    .pipe(z.array(z.string().regex(/^[^\s:/,]+:\d{1,5}$/, 'must be host:port, comma-separated')).min(1))
    .optional()
    .meta(
      doc(
        'eventLog',
        '`host:port`, comma-separated; required for `EVENT_LOG=kafka`, ignored otherwise (so the `KAFKA_BROKERS` ' +
          'that `scripts/services env` exports does not switch `npm start`).',
      ),
    ),
  KAFKA_CLIENT_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,100}$/, 'must be 1-100 letters, digits, dots, dashes or underscores')
    .default('chat-service')
    .meta(doc('eventLog', "kafkajs client id; it also names the local index consumer's group.")),
  KAFKA_EVENTS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .default('chat.events')
    .meta(
      doc(
        'eventLog',
        'The events topic; created at start if missing, kept forever (`cleanup.policy=delete`, `retention.ms=-1`). ' +
          "It also names the local index file, the command processor's topics and its consumer group.",
      ),
    ),
  KAFKA_PARTITIONS: positiveInt
    .max(10_000)
    .default(12)
    .meta(
      doc(
        'eventLog',
        'Partitions of a topic the service creates (an existing topic keeps its own, with a warning). Never add ' +
          'partitions to an existing events topic: streams would move.',
      ),
    ),
  KAFKA_COMMANDS_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .optional()
    .meta(
      doc(
        'eventLog',
        'Commands to the command processor, keyed by stream id; created with the events topic\'s partition count ' +
          '(a topic with another count is refused at start).',
        '`<KAFKA_EVENTS_TOPIC>.commands`',
      ),
    ),
  KAFKA_REPLIES_TOPIC: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,249}$/, 'must be a Kafka topic name: 1-249 letters, digits, dots, dashes or underscores')
    .optional()
    .meta(
      doc(
        'eventLog',
        "The command processor's answers, keyed by command id (compacted).",
        '`<KAFKA_EVENTS_TOPIC>.replies`',
      ),
    ),
  KAFKA_COMMAND_TIMEOUT_MS: positiveInt
    .default(10_000)
    .meta(
      doc(
        'eventLog',
        "How long an api or gateway waits for the command processor's answer before `503 UNAVAILABLE` " +
          '(`details.reason: COMMAND_REPLY_TIMEOUT`); a retry with the same command id gets the first outcome.',
      ),
    ),
  KAFKA_REPLICATION_FACTOR: positiveInt
    .max(32)
    .default(1)
    .meta(doc('eventLog', 'Replicas of a topic the service creates.')),
};
