import type { RecordedEvent } from '../../events/envelope.js';
import type { EventPlace } from './commandMessages.js';
import type { StreamReader } from '../streamCategories.js';

// The processor does not wait, after each transaction, for its own index to read the transaction back (that was
// stop-and-wait: one full round trip through Kafka set the pace of every command behind it). What it wrote that
// the index may not hold yet is covered in two ways instead, so every decision still sees everything written:
//   - streams: a read of a stream in a partition whose index is behind what this processor wrote there waits for
//     the index first (the fence). The writers' caches hold the streams just written, so this is rare: a stream
//     evicted from a cache, a new stream, or an older message a reaction names.
//   - command ids: the commands this processor accepted in transactions the index may not have read are
//     remembered with their events' places (recent commands), so a retry is answered with them as before.
// Both forget a partition the processor lets go: its next owner catches up from Kafka before deciding.
// Transactions still on their way (commitPipeline.ts: decided, not yet committed) are covered too: a read of a
// stream they write, or a retry of a command they hold, waits until the transaction has settled.

/** What the fence needs of the processor's index. */
export interface FencedLog extends StreamReader {
  partitionOf(streamId: string): number;
  hasConsumed(partition: number, nextOffset: number): boolean;
  waitForConsumed(partition: number, nextOffset: number): Promise<void>;
}

interface RecentTransaction {
  /** The offset after the transaction's last event. */
  through: number;
  commands: Map<string, EventPlace[]>;
}

export class WrittenFence {
  /** Per partition: the offset after the last event this processor wrote there. */
  private readonly writtenThrough = new Map<number, number>();
  /** Per partition: transactions with events, oldest first, until the index has read them. */
  private readonly recent = new Map<number, RecentTransaction[]>();
  /** Streams and command ids of transactions on their way, with the promise each settles by. */
  private readonly writingStreams = new Map<string, Promise<void>>();
  private readonly writingCommands = new Map<string, Promise<void>>();

  constructor(private readonly log: FencedLog) {}

  /** A transaction of `partition` committed, its events ending before `through`, accepting these commands. */
  wrote(partition: number, through: number, accepted: ReadonlyMap<string, EventPlace[]>): void {
    this.writtenThrough.set(partition, Math.max(through, this.writtenThrough.get(partition) ?? 0));
    const list = this.recent.get(partition) ?? [];
    list.push({ through, commands: new Map(accepted) });
    this.recent.set(partition, list);
    this.prune(partition);
  }

  /** A transaction on its way writes these streams and answers these commands; it is over once `settled` is. */
  writing(streamIds: readonly string[], commandIds: readonly string[], settled: Promise<void>): void {
    holdUntil(this.writingStreams, streamIds, settled);
    holdUntil(this.writingCommands, commandIds, settled);
  }

  /**
   * When a transaction on its way answers the command: a promise that settles with it, after which `recentPlaces`,
   * the processor's rejections or the index know the outcome. Undefined when none does.
   */
  commandSettled(commandId: string): Promise<void> | undefined {
    return this.writingCommands.get(commandId)?.catch(() => undefined);
  }

  /** The places of a command accepted in a transaction the index may not hold yet; undefined if none is known. */
  recentPlaces(partition: number, commandId: string): EventPlace[] | undefined {
    this.prune(partition);
    for (const transaction of this.recent.get(partition) ?? []) {
      const places = transaction.commands.get(commandId);
      if (places) return places;
    }
    return undefined;
  }

  /** Waits until the index holds everything this processor wrote to the partition. */
  async settled(partition: number): Promise<void> {
    const through = this.writtenThrough.get(partition);
    if (through !== undefined && !this.log.hasConsumed(partition, through)) await this.log.waitForConsumed(partition, through);
  }

  /** Forgets a partition this processor no longer owns (or must take over again). */
  forget(partition: number): void {
    this.writtenThrough.delete(partition);
    this.recent.delete(partition);
  }

  /** `log` for the writers: a stream's read waits until its partition's index holds this processor's writes. */
  reader(): StreamReader {
    return {
      readStream: async (streamId, options): Promise<RecordedEvent[]> => {
        await this.writingStreams.get(streamId)?.catch(() => undefined);
        await this.settled(this.log.partitionOf(streamId));
        return this.log.readStream(streamId, options);
      },
    };
  }

  /** Drops the transactions the index has read: from then on it answers for their commands itself. */
  private prune(partition: number): void {
    const list = this.recent.get(partition);
    if (!list) return;
    while (list.length > 0 && this.log.hasConsumed(partition, list[0]?.through ?? 0)) list.shift();
    if (list.length === 0) this.recent.delete(partition);
  }
}

/** Maps each key to `settled` until it settles (unless a later transaction took the key over meanwhile). */
function holdUntil(held: Map<string, Promise<void>>, keys: readonly string[], settled: Promise<void>): void {
  for (const key of keys) held.set(key, settled);
  const over = (): void => {
    for (const key of keys) if (held.get(key) === settled) held.delete(key);
  };
  settled.then(over, over);
}
