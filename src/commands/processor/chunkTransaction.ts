import type { Message, Producer } from 'kafkajs';
import { UnavailableError } from '../../domain/errors.js';
import { encodeReply, type CommandReply } from './commandMessages.js';
import type { CommandTopicNames } from './commandTopics.js';
import { finalReply, type PlannedReply } from './plannedReply.js';
import type { EncodedEvent } from './streamWriter.js';

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
}

/**
 * Writes a chunk in ONE Kafka transaction (commandProcessor.ts says why): its events to events partition p, its
 * replies to replies partition p, and the commands' consumed offset; read_committed readers see all of it or none.
 * Returns the offset of the chunk's first event (its events take consecutive offsets from there) and the replies
 * as sent. On any failure the transaction is aborted and the error thrown.
 */
export async function commitChunk(producer: Producer, chunk: DecidedChunk): Promise<{ base: number; replies: CommandReply[] }> {
  const { partition, events, planned, topics } = chunk;
  const transaction = await producer.transaction();
  let base = 0;
  try {
    if (events.length > 0) {
      const written = await transaction.send({
        topic: chunk.eventsTopic,
        acks: -1,
        messages: events.map(
          (event): Message => ({
            key: event.streamId,
            value: event.value,
            partition,
            headers: { 'event-type': event.type, 'event-id': event.eventId },
          }),
        ),
      });
      base = Number(written.find((entry) => entry.partition === partition)?.baseOffset ?? Number.NaN);
      if (!Number.isSafeInteger(base)) throw new UnavailableError('Kafka acknowledged the events without an offset');
    }
    const replies = planned.map((reply) => finalReply(reply, partition, base));
    if (replies.length > 0) {
      await transaction.send({
        topic: topics.replies,
        acks: -1,
        messages: replies.map((reply): Message => ({ key: reply.commandId, value: encodeReply(reply), partition })),
      });
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
