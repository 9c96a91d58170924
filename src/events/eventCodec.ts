import type { EventPosition, RecordedEvent } from './envelope.js';

/** An event ready to be written: everything but its place in the log, which the log assigns. */
export type EventToEncode = Omit<RecordedEvent, 'partition' | 'position'>;

/**
 * Turns events into bytes and back. The Avro codec writes the Confluent wire format (magic byte 0, the 4-byte
 * schema id, the Avro body) so embedded and Kafka modes store the same bytes. Both directions are synchronous:
 * every schema a reader may meet is loaded when the codec is created.
 */
export interface EventCodec {
  encode(event: EventToEncode): Buffer;
  /**
   * Decodes bytes written with any registered version of the type's schema into the current shape, placed where
   * the log holds them (the place is not part of the bytes: the log knows it).
   */
  decode(bytes: Buffer, at: EventPosition): RecordedEvent;
}
