// Events topic messages to RecordedEvents: what the index consumer (kafkaEventLog.ts) and a direct scan of the
// topic (kafkaTopicScan.ts) both do with a consumed batch.

import type { KafkaMessage } from 'kafkajs';
import type { RecordedEvent } from '../../events/envelope.js';
import type { EventCodec } from '../../events/eventCodec.js';
import { EventDecodeError } from '../../events/eventCodecErrors.js';

export interface MessageDecoding {
  codec: EventCodec;
  /** Loads schema versions registered after the codec was made (a newer deployment); tried once on an unknown id. */
  refreshCodec?: (() => Promise<unknown>) | undefined;
}

/** One consumed message of a partition with its event decoded, placed at offset + 1. */
export interface DecodedMessage {
  event: RecordedEvent;
  body: Buffer;
}

/**
 * Decodes a batch of one partition in order. Synchronous per message (a batch is thousands of them); only a schema
 * id the codec does not know yet costs a refresh of the codec, once, and a second try of that message.
 */
export async function decodeMessages(partition: number, messages: readonly KafkaMessage[], decoding: MessageDecoding): Promise<DecodedMessage[]> {
  const { codec, refreshCodec } = decoding;
  const decoded: DecodedMessage[] = [];
  for (const message of messages) {
    const body = message.value;
    if (body === null) {
      throw new EventDecodeError(`the message at partition ${partition} offset ${message.offset} has no value`);
    }
    const at = { partition, position: Number(message.offset) + 1 };
    let event: RecordedEvent;
    try {
      event = codec.decode(body, at);
    } catch (error) {
      // A schema version registered after this codec was made (a newer deployment): load it and try once more.
      if (!(error instanceof EventDecodeError) || error.schemaId === undefined || !refreshCodec) throw error;
      await refreshCodec();
      event = codec.decode(body, at);
    }
    decoded.push({ event, body });
  }
  return decoded;
}
