import type { Message, Producer, RecordMetadata } from 'kafkajs';
import { UnavailableError } from '../../domain/errors.js';
import { encodeReply, type CommandReply } from './commandMessages.js';
import type { CommandTopicNames } from './commandTopics.js';
import { finalReply, type PlannedReply } from './plannedReply.js';
import type { EncodedEvent } from './streamWriter.js';

/**
 * Retries of a transaction's requests, from 10 ms. A transaction begun right after the previous commit of the same
 * producer meets CONCURRENT_TRANSACTIONS on AddPartitionsToTxn while the coordinator still writes the commit markers
 * (a few ms), and kafkajs retries it after its retry delay: with the client's 200 ms (kept for everything else) a
 * busy partition spent most of every transaction waiting (`npm run bench -- kafka-clients`: 20 vs 183 transactions/s
 * at one partition; the Java client waits 20 ms for this case). Unlimited retries, as kafkajs gives an idempotent
 * producer by default; the delay still doubles up to 5 s for a broker that is really gone.
 */
export const TRANSACTION_RETRY = { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 10, maxRetryTime: 5_000 };

/** One decided chunk of commands partition `partition`, and where it goes. */
export interface DecidedChunk {
  eventsTopic: string;
  topics: CommandTopicNames;
  /** The processors' consumer group, whose offset of the commands topic moves with the transaction. */
  groupId: string;
  partition: number;
  events: EncodedEvent[];
  planned: PlannedReply[];
  /** The commands offset after the chunk's last message; undefined for an empty chunk. */
  nextOffset: number | undefined;
  /**
   * The offset the chunk's first event will take in events partition p, as this processor, its only writer, expects
   * it: after its own last commit. Given, the events and the replies that name their places go in ONE produce
   * request; if Kafka puts the events elsewhere (someone else wrote to p), the transaction is aborted and
   * EventOffsetMismatchError thrown, before anything is visible. Undefined: events first, then the replies.
   */
  expectedBase?: number | undefined;
}

/** The events did not land where the processor expected: its transaction was aborted, nothing of it is visible. */
export class EventOffsetMismatchError extends Error {
  constructor(
    readonly partition: number,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`events partition ${partition}: the chunk's events were expected at offset ${expected}, Kafka put them at ${actual}`);
    this.name = 'EventOffsetMismatchError';
  }
}

/**
 * Writes a chunk in ONE Kafka transaction (commandProcessor.ts says why): its events to events partition p, its
 * replies to replies partition p, and the commands' consumed offset; read_committed readers see all of it or none.
 * Returns the offset of the chunk's first event (its events take consecutive offsets from there) and the replies
 * as sent. On any failure the transaction is aborted and the error thrown.
 */
export async function commitChunk(producer: Producer, chunk: DecidedChunk): Promise<{ base: number; replies: CommandReply[] }> {
  const { partition, events, planned, topics } = chunk;
  const eventMessages = events.map(
    (event): Message => ({
      key: event.streamId,
      value: event.value,
      partition,
      headers: { 'event-type': event.type, 'event-id': event.eventId },
    }),
  );
  const replyMessages = (replies: CommandReply[]) => replies.map((reply): Message => ({ key: reply.commandId, value: encodeReply(reply), partition }));
  const transaction = await producer.transaction();
  let base = 0;
  let replies: CommandReply[];
  try {
    if (events.length > 0 && chunk.expectedBase !== undefined) {
      // One produce (one AddPartitionsToTxn) for both topics: the replies name the places the events are expected at.
      replies = planned.map((reply) => finalReply(reply, partition, chunk.expectedBase ?? 0));
      const written = await transaction.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: chunk.eventsTopic, messages: eventMessages },
          ...(replies.length > 0 ? [{ topic: topics.replies, messages: replyMessages(replies) }] : []),
        ],
      });
      base = baseOffsetOf(written, chunk.eventsTopic, partition);
      if (base !== chunk.expectedBase) throw new EventOffsetMismatchError(partition, chunk.expectedBase, base);
    } else {
      if (events.length > 0) {
        const written = await transaction.send({ topic: chunk.eventsTopic, acks: -1, messages: eventMessages });
        base = baseOffsetOf(written, chunk.eventsTopic, partition);
      }
      replies = planned.map((reply) => finalReply(reply, partition, base));
      if (replies.length > 0) await transaction.send({ topic: topics.replies, acks: -1, messages: replyMessages(replies) });
    }
    if (chunk.nextOffset !== undefined) {
      await transaction.sendOffsets({
        consumerGroupId: chunk.groupId,
        topics: [{ topic: topics.commands, partitions: [{ partition, offset: String(chunk.nextOffset) }] }],
      });
    }
    await transaction.commit();
    return { base, replies };
  } catch (error) {
    await transaction.abort().catch(() => undefined);
    throw error;
  }
}

function baseOffsetOf(written: RecordMetadata[], topic: string, partition: number): number {
  const base = Number(written.find((entry) => entry.topicName === topic && entry.partition === partition)?.baseOffset ?? Number.NaN);
  if (!Number.isSafeInteger(base)) throw new UnavailableError('Kafka acknowledged the events without an offset');
  return base;
}

/**
 * commitChunk at the offset the processor expects its events at. A miss (someone else wrote to events partition p:
 * an admin tool, say) aborted that transaction, nothing of it visible; the same decisions are then committed again,
 * events first and the replies after them. `miss` tells the caller it happened.
 */
export async function commitExpecting(
  producer: Producer,
  chunk: DecidedChunk,
): Promise<{ base: number; replies: CommandReply[]; miss?: EventOffsetMismatchError }> {
  try {
    return await commitChunk(producer, chunk);
  } catch (error) {
    if (!(error instanceof EventOffsetMismatchError)) throw error;
    return { ...(await commitChunk(producer, { ...chunk, expectedBase: undefined })), miss: error };
  }
}
