// Snapshots of a stream's decided state, so that loading a long stream (a room of a million messages) starts from
// its latest snapshot instead of its first event. A cache of what the log already says: losing one, or the whole
// store, only makes the next load read more of the log. A snapshot names the event it was taken after, and is used
// only when the log holds that very event at that version, in a format the code still reads.

/** A stream's state as of one of its events. */
export interface StreamSnapshot {
  /** The version of the last event folded into the state. */
  version: number;
  /** That event's id: a log that holds another event there (a restored backup, a new DATA_DIR) is not this one. */
  eventId: string;
  /** The codec's format, e.g. 'room-state/1': a snapshot in another format is ignored. */
  format: string;
  /** The state as the codec encoded it (JSON-compatible). */
  state: unknown;
}

export interface StreamSnapshots {
  read(streamId: string): Promise<StreamSnapshot | undefined>;
  /** Replaces the stream's snapshot. */
  write(streamId: string, snapshot: StreamSnapshot): Promise<void>;
  close(): Promise<void>;
}

/**
 * How one category's state is snapshotted. Bump `format` whenever the state's shape or what its evolve derives
 * changes: a snapshot of the old format is then ignored, and the stream is folded from its first event again.
 */
export interface SnapshotCodec<S> {
  format: string;
  encode(state: S): unknown;
  /** The state, or undefined when `value` is not one this codec wrote for a decider configured like `initial`. */
  decode(value: unknown, initial: S): S | undefined;
}

/** Events folded since the stream's last snapshot before the bus takes a new one. */
export const SNAPSHOT_EVERY_EVENTS = 10_000;
