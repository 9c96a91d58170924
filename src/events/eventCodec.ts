import type { RecordedEvent } from './envelope.js';

/** An event ready to be written: everything but the global position, which the log assigns. */
export type EventToEncode = Omit<RecordedEvent, 'globalPosition'>;

/**
 * Turns events into bytes and back. The Avro codec writes the Confluent wire format (magic byte 0, the 4-byte
 * schema id, the Avro body) so embedded and Kafka modes store the same bytes. Both directions are synchronous:
 * every schema a reader may meet is loaded when the codec is created.
 */
export interface EventCodec {
  encode(event: EventToEncode): Buffer;
  /** Decodes bytes written with any registered version of the type's schema into the current shape. */
  decode(bytes: Buffer, globalPosition: number): RecordedEvent;
}
