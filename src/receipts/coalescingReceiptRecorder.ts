import type { Logger } from 'pino';
import type { CommandExecutor } from '../commands/commandExecutor.js';
import { MAX_MARKERS_PER_COMMAND, type DeliveriesCommand, type ReceiptCommand } from '../commands/commands.js';
import type { DecisionContext, DomainLimits } from '../commands/decider.js';
import { DEFAULT_LIMITS } from '../commands/decider.js';
import { GATEWAY_REPORTER } from '../commands/deliveries/gatewayReporter.js';
import { deliveriesStreamId, receiptsStreamId } from '../domain/ids.js';
import type { DeliveryMarker } from '../events/chatEvents.js';
import { untilApplied, type WaitForHistory } from '../projections/readYourWrites.js';
import type { IdGenerator } from '../support/clock.js';
import type { ReceiptRecorder } from './receiptRecorder.js';

/** The receipts streams' single writer (embedded bus or Kafka command processor; tests hand in a failing one). */
export type ReceiptCommandBus = CommandExecutor<ReceiptCommand>;
/** The deliveries streams' single writer, likewise. */
export type DeliveriesCommandBus = CommandExecutor<DeliveriesCommand>;

export interface CoalescingReceiptRecorderOptions {
  /** Where reads go: each user's receipts stream. */
  receipts: ReceiptCommandBus;
  /** Where deliveries go: each room's deliveries stream. */
  deliveries: DeliveriesCommandBus;
  ids: IdGenerator;
  logger: Logger;
  /** How long delivery reports gather before they are written. Default 250 ms. */
  flushIntervalMs?: number;
  limits?: DomainLimits;
  /**
   * Read-your-writes for read(): resolves once the history view has applied the log up to a checkpoint, so the
   * next room list already shows the new unread count. Without it read() resolves on the append.
   */
  waitForHistory?: WaitForHistory;
  /** How many (user, room) markers are remembered to drop reports that are no news. Default 100 000. */
  maxRememberedMarkers?: number;
  /**
   * How many rooms' reports of one flush are written at once. Default 1, for a writer in this process: each room
   * is then its own append, so the room hub, the history view and everything else get their turns in between (see
   * write). A writer one round trip away (the Kafka command processor) wants several under way.
   */
  roomsAtOnce?: number;
}

export const DEFAULT_RECEIPT_FLUSH_INTERVAL_MS = 250;
const DEFAULT_MAX_REMEMBERED = 100_000;

/** Per room, per user: a seq. Nested rather than keyed by a joined string: a report costs no string per user. */
type MarkersByRoom<T> = Map<string, Map<string, T>>;

/** What the receipts stream is known to hold at least (it may hold more: another process, or a lost answer). */
interface KnownMarkers {
  deliveredSeq: number;
  readSeq: number;
}

/**
 * Receipts from the gateway: deliveries to each room's deliveries stream, reads to each user's receipts stream.
 *
 * Deliveries are many (every event fanned out to every connection) and only the highest seq per user and room
 * matters, so they gather in memory and are written together every `flushIntervalMs`: one command per room that
 * had any, carrying every member's new marker (split at MAX_MARKERS_PER_COMMAND), so a flush costs what the rooms
 * with traffic cost, not what the users online cost (docs/architecture.md "Delivery markers"). Reports that are no
 * news (at or below what the user has already had delivered or read) are dropped before they cost a command.
 * Markers are cumulative, so a delivery that fails to be written is logged and dropped: the next report for that
 * room carries a higher seq and covers it.
 *
 * Reads are few and the reader wants to see the result (REST answers 204 and the next room list must show it), so
 * read() skips the gathering and resolves once its command is appended (and the history view shows it, when
 * `waitForHistory` is given). It rejects when the write fails, so its caller can answer with an error.
 */
export class CoalescingReceiptRecorder implements ReceiptRecorder {
  private readonly receipts: ReceiptCommandBus;
  private readonly deliveries: DeliveriesCommandBus;
  private readonly ids: IdGenerator;
  private readonly logger: Logger;
  private readonly flushIntervalMs: number;
  private readonly limits: DomainLimits;
  private readonly waitForHistory: WaitForHistory | undefined;
  private readonly maxRemembered: number;
  private readonly roomsAtOnce: number;

  private pending: MarkersByRoom<number> = new Map();
  private pendingMarkers = 0;
  /** Rooms least recently written first (Map order), so the oldest rooms' markers go when it is full. */
  private readonly known: MarkersByRoom<KnownMarkers> = new Map();
  private knownMarkers = 0;
  private readonly writing = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(options: CoalescingReceiptRecorderOptions) {
    this.receipts = options.receipts;
    this.deliveries = options.deliveries;
    this.ids = options.ids;
    this.logger = options.logger.child({ component: 'receipt-recorder' });
    this.flushIntervalMs = options.flushIntervalMs ?? DEFAULT_RECEIPT_FLUSH_INTERVAL_MS;
    this.limits = options.limits ?? DEFAULT_LIMITS;
    this.waitForHistory = options.waitForHistory;
    this.maxRemembered = options.maxRememberedMarkers ?? DEFAULT_MAX_REMEMBERED;
    this.roomsAtOnce = options.roomsAtOnce ?? 1;
    if (!Number.isSafeInteger(this.roomsAtOnce) || this.roomsAtOnce < 1) {
      throw new RangeError(`roomsAtOnce must be a positive integer, got ${this.roomsAtOnce}`);
    }
    if (!Number.isFinite(this.flushIntervalMs) || this.flushIntervalMs <= 0) {
      throw new RangeError(`flushIntervalMs must be positive, got ${this.flushIntervalMs}`);
    }
  }

  /** Delivery reports waiting for the next flush (one per user and room). */
  get pendingCount(): number {
    return this.pendingMarkers;
  }

  delivered(roomId: string, seq: number, userIds: readonly string[]): void {
    // Called for every event the gateway fans out: never throws, never awaits.
    if (this.closed || !Number.isSafeInteger(seq) || seq < 1) return;
    const known = this.known.get(roomId);
    let waiting = this.pending.get(roomId);
    for (const userId of userIds) {
      const had = known?.get(userId);
      if (had && seq <= Math.max(had.deliveredSeq, had.readSeq)) continue;
      if (!waiting) {
        waiting = new Map();
        this.pending.set(roomId, waiting);
      }
      const before = waiting.get(userId);
      if (before !== undefined && before >= seq) continue;
      if (before === undefined) this.pendingMarkers += 1;
      waiting.set(userId, seq);
    }
    if (this.pendingMarkers > 0) this.schedule();
  }

  async read(userId: string, roomId: string, seq: number): Promise<void> {
    const commandId = `receipts:read:${this.ids.next()}`;
    const result = await this.receipts.execute(
      receiptsStreamId(userId),
      { type: 'AdvanceReadMarker', userId, roomId, seq },
      this.readerContext(userId),
      { commandId, correlationId: commandId },
    );
    // No events also means the stream already holds this much: remember it either way.
    this.remember(userId, roomId, { deliveredSeq: seq, readSeq: seq });
    const waiting = this.pending.get(roomId);
    const before = waiting?.get(userId);
    if (waiting && before !== undefined && before <= seq) {
      waiting.delete(userId);
      this.pendingMarkers -= 1;
      if (waiting.size === 0) this.pending.delete(roomId);
    }
    await untilApplied(this.waitForHistory, result.events);
  }

  /** Writes every gathered delivery now, and waits for writes already under way. Never rejects. */
  async flush(): Promise<void> {
    this.unschedule();
    if (this.pending.size > 0) {
      const batch = this.pending;
      this.pending = new Map();
      this.pendingMarkers = 0;
      const writing = this.write(batch);
      this.writing.add(writing);
      void writing.finally(() => this.writing.delete(writing));
    }
    await Promise.all([...this.writing]);
  }

  /** Flushes and stops: later delivery reports are ignored (the service is shutting down). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private schedule(): void {
    if (this.timer !== undefined) return;
    // One timer per batch rather than a standing interval: an idle recorder wakes nobody.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, this.flushIntervalMs);
    // Shutdown flushes explicitly; a pending batch must not keep the process alive by itself.
    this.timer.unref();
  }

  private unschedule(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async write(batch: MarkersByRoom<number>): Promise<void> {
    // One id per flush: a command id names one decision, and the next flush is a new one for the same markers.
    const flushId = this.ids.next();
    // roomsAtOnce rooms at a time (one, in this process): written all together, every room's report was one append,
    // one batch for the room hub (receipts to the senders) and one history transaction, a 15-30 ms stall once a
    // second at 10 rooms × 100 members that delayed the messages arriving meanwhile (fan-out p99). Apart, other work
    // runs between them.
    // One iterator shared by the writers: each takes the next room when it is done with its last.
    const rooms = batch.entries();
    const writeNext = async (): Promise<void> => {
      for (let next = rooms.next(); !next.done; next = rooms.next()) {
        const [roomId, seqs] = next.value;
        await this.writeRoom(
          flushId,
          roomId,
          [...seqs].map(([userId, seq]) => ({ userId, seq })),
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.roomsAtOnce, batch.size) }, writeNext));
  }

  /** One room's markers, a command per MAX_MARKERS_PER_COMMAND; its parts one after the other, as its stream takes them. */
  private async writeRoom(flushId: string, roomId: string, markers: readonly DeliveryMarker[]): Promise<void> {
    for (let start = 0, part = 0; start < markers.length; start += MAX_MARKERS_PER_COMMAND, part += 1) {
      const chunk = markers.slice(start, start + MAX_MARKERS_PER_COMMAND);
      try {
        await this.deliveries.execute(
          deliveriesStreamId(roomId),
          { type: 'RecordDeliveries', roomId, markers: chunk },
          { actor: GATEWAY_REPORTER, limits: this.limits },
          { commandId: `deliveries:${flushId}:${roomId}:${part}`, correlationId: flushId },
        );
      } catch (error) {
        this.logger.warn({ err: error, roomId, markers: chunk.length }, 'delivery receipts not recorded');
        continue;
      }
      for (const { userId, seq } of chunk) this.remember(userId, roomId, { deliveredSeq: seq, readSeq: 0 });
    }
  }

  private remember(userId: string, roomId: string, markers: KnownMarkers): void {
    let room = this.known.get(roomId);
    // Re-inserting moves the room to the end of the Map's order (most recently written).
    if (room) this.known.delete(roomId);
    else room = new Map();
    this.known.set(roomId, room);
    const before = room.get(userId);
    if (before === undefined) this.knownMarkers += 1;
    room.set(userId, {
      deliveredSeq: Math.max(before?.deliveredSeq ?? 0, markers.deliveredSeq),
      readSeq: Math.max(before?.readSeq ?? 0, markers.readSeq),
    });
    // Over the bound, the least recently written rooms are forgotten whole (never the one just written).
    for (const [oldestId, oldest] of this.known) {
      if (this.knownMarkers <= this.maxRemembered || oldestId === roomId) break;
      this.known.delete(oldestId);
      this.knownMarkers -= oldest.size;
    }
  }

  /**
   * A reader speaks for themself (the receipts decider refuses anyone else; deliveries are the gateway's to report,
   * GATEWAY_REPORTER). The receipts decider does not look at the global role, so the least privileged one stands in.
   */
  private readerContext(userId: string): DecisionContext {
    return { actor: { userId, role: 'user' }, limits: this.limits };
  }
}
