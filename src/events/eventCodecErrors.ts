import { ChatError } from '../domain/errors.js';

/** Bytes that are not an event this codec can read: wrong magic byte, unknown schema id, truncated or corrupt. */
export class EventDecodeError extends ChatError {
  constructor(
    readonly reason: string,
    readonly schemaId?: number,
  ) {
    super('EVENT_DECODE_FAILED', `cannot decode event: ${reason}`, { reason, schemaId });
  }
}

/** An event whose values do not fit its schema; a bug upstream, since the types should have prevented it. */
export class EventEncodeError extends ChatError {
  constructor(
    readonly eventType: string,
    readonly reason: string,
  ) {
    super('EVENT_ENCODE_FAILED', `cannot encode ${eventType}: ${reason}`, { eventType, reason });
  }
}
