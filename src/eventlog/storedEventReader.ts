// Raw access to what the log stores, for auditors (issue #7): the bytes each event was appended as, which the hash
// chain is computed over (events/hashChain.ts). Decoded reads (EventLog) cannot serve verification: decoding
// upgrades old schema versions and drops unknown fields, so it does not show exactly what was stored.
//
// Read-only by design: there is no way to change or remove an event through this port or any other.

/** One event as stored: its place in the log, and its bytes exactly as written (Confluent wire format). */
export interface StoredEvent {
  readonly streamId: string;
  /** The stream version the log filed the event under (the body holds its own copy; verification compares them). */
  readonly streamVersion: number;
  readonly partition: number;
  readonly position: number;
  readonly body: Buffer;
}

export interface StoredEventPage {
  events: StoredEvent[];
  /** Pass as `after` to read the next page; opaque, meaningful only to the reader that returned it. */
  cursor: number;
}

export interface ReadStoredOptions {
  /** The cursor of the previous page; 0 for the first. */
  after: number;
  limit: number;
  /** Only this stream's events. */
  streamId?: string;
}

export interface StoredEventReader {
  /** One stream's stored events from `fromVersion` (1-based), in version order, at most `limit`. */
  readStoredStream(streamId: string, fromVersion: number, limit: number): Promise<StoredEvent[]>;
  /**
   * A page of stored events in log order: each partition in position order (partitions may interleave), so every
   * stream's events come in the order they were appended. An empty page means the end.
   */
  readStoredPage(options: ReadStoredOptions): Promise<StoredEventPage>;
}

/** Every stored event (of one stream, or all), page by page, in log order. */
export async function* allStoredEvents(
  reader: StoredEventReader,
  options: { streamId?: string; pageSize?: number } = {},
): AsyncGenerator<StoredEvent> {
  let after = 0;
  for (;;) {
    const page = await reader.readStoredPage({
      after,
      limit: options.pageSize ?? 1000,
      ...(options.streamId === undefined ? {} : { streamId: options.streamId }),
    });
    if (page.events.length === 0) return;
    yield* page.events;
    after = page.cursor;
  }
}
