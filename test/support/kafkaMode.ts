// A service in the Kafka mode against the real servers, for e2e tests: its settings, namespaced for one test file,
// and the removal of what such a test leaves on the servers.

import type { Redis } from 'ioredis';
import { Kafka, logLevel } from 'kafkajs';
import type { RealService } from './realServices.js';
import { deleteKeys } from './redis.js';
import { deleteSubjects, subjectsWithPrefix } from './schemaRegistry.js';

/**
 * A service's settings on the real Kafka, schema registry and Redis (tokens and rate limits in Redis), namespaced
 * for one test file: its own topic, client id, registry subjects and Redis keys.
 */
export function kafkaModeEnv(
  env: (name: RealService) => string,
  names: { topic: string; clientId: string; subjectPrefix: string; keyPrefix: string },
): Record<string, string> {
  return {
    EVENT_LOG: 'kafka',
    KAFKA_BROKERS: env('KAFKA_BROKERS'),
    KAFKA_EVENTS_TOPIC: names.topic,
    KAFKA_CLIENT_ID: names.clientId,
    SCHEMA_REGISTRY: 'confluent',
    SCHEMA_REGISTRY_URL: env('SCHEMA_REGISTRY_URL'),
    SCHEMA_SUBJECT_PREFIX: names.subjectPrefix,
    REDIS_URL: env('REDIS_URL'),
    REDIS_KEY_PREFIX: names.keyPrefix,
    TOKEN_STORE: 'redis',
    RATE_LIMIT_STORE: 'redis',
  };
}

/**
 * Removes what a Kafka-mode test left on the servers: its Redis keys (then quits the client), every topic whose name
 * holds its run id (the events topic and those named after it: commands, replies), and its registry subjects.
 */
export async function removeKafkaModeData(
  env: (name: RealService) => string,
  left: { run: string; keyPrefix: string; subjectPrefix: string; redis: Redis | undefined },
): Promise<void> {
  if (left.redis) {
    await deleteKeys(left.redis, left.keyPrefix);
    await left.redis.quit();
  }
  await deleteTopicsOf(env('KAFKA_BROKERS'), left.run);
  const registry = env('SCHEMA_REGISTRY_URL');
  await deleteSubjects(registry, await subjectsWithPrefix(registry, left.subjectPrefix).catch(() => []));
}

/** Deletes every topic whose name holds `run`: a test's events topic and those named after it (commands, replies). */
export async function deleteTopicsOf(brokers: string, run: string): Promise<void> {
  const admin = new Kafka({ clientId: 'test-cleanup', brokers: brokers.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  const topics = (await admin.listTopics()).filter((name) => name.includes(run));
  await admin.deleteTopics({ topics }).catch(() => undefined);
  await admin.disconnect();
}
