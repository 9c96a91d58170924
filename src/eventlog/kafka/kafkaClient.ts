// The kafkajs pieces both readers of the events topic use, the live topic (kafkaEventTopic.ts) and the one-off
// scan (kafkaTopicScan.ts): a client that logs through the service's logger, the offsets ask that survives a moving
// leader, and the text of a failure for an operator.

import { Kafka, type Admin, type RetryOptions } from 'kafkajs';
import type { Logger } from 'pino';
import { kafkaLogCreator } from './kafkaLogger.js';

/** Tries of one offsets request against a leader that is moving (50 ms, 100 ms, ... apart: under 3 s in all). */
const OFFSET_ATTEMPTS = 10;

/** A kafkajs client that logs through the service's logger (kafkajs' own lines as a `kafkajs` child). */
export function kafkaClient(options: {
  brokers: string[];
  clientId: string;
  /** kafkajs' own default (1 s) when not given. */
  connectionTimeoutMs?: number;
  clientRetry: RetryOptions;
  logger: Logger | undefined;
}): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    ...(options.connectionTimeoutMs === undefined ? {} : { connectionTimeout: options.connectionTimeoutMs }),
    retry: options.clientRetry,
    logCreator: kafkaLogCreator(options.logger?.child({ component: 'kafkajs' })),
  });
}

/**
 * The offset after the last readable record of each partition of a topic. Under read_committed (kafkajs' admin asks
 * ListOffsets with READ_COMMITTED, its default) that is the last stable offset: records of open transactions lie
 * beyond it. kafkajs' fetchTopicOffsets retries only an unknown topic; a leader that just moved (or was just elected,
 * on a new topic) is retriable too, and asked again after a metadata refresh, until `stop` says to give up.
 */
export async function fetchStableOffsets(admin: Admin, topic: string, stop: () => boolean = () => false): Promise<Map<number, number>> {
  for (let attempt = 1; ; attempt++) {
    try {
      const offsets = await admin.fetchTopicOffsets(topic);
      return new Map(offsets.map(({ partition, offset }) => [partition, Number(offset)]));
    } catch (error) {
      if (!isRetriable(error) || attempt >= OFFSET_ATTEMPTS || stop()) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

function isRetriable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'retriable' in error && error.retriable === true;
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
