import type { Logger } from 'pino';
import { roomStreamId } from '../domain/ids.js';
import type { RoomEvent } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import { asDeliveriesEvent, asReceiptEvent, asRoomEvent } from '../events/eventGuards.js';
import type { EventLog, Subscription } from '../eventlog/eventLog.js';
import type { WaitForHistory } from '../projections/readYourWrites.js';
import type { ReceiptRecorder } from '../receipts/receiptRecorder.js';
import type { CloseCode } from './closeCodes.js';
import { CLOSE_CODES } from './closeCodes.js';
import { chatEventFrame, receiptFrame, receiptMarkers, type ReceiptMarker } from './eventFrames.js';
import { ReceiptAudience } from './receiptAudience.js';
import type { EncodedFrame, FrameRef, ServerFrame, ServerFrameType, UnsubscribeReason } from './protocol.js';
import { encodeFrame, withRef } from './protocol.js';
import { deletedMessageIds, framed, replayRoom, type FramedEvent } from './recovery.js';

// The hub holds the gateway's ONE live subscription to the event log and fans every room event out to that room's
// subscribers. A new subscriber first catches up from the log while the hub buffers the room's live events for
// it; when the replay is done the buffer is flushed (only seqs past what was replayed) and the subscriber goes
// live. Because the subscriber is registered before the room's head is read, every event after that head reaches
// the buffer, and every event up to it is in the replay: no gap, and the seq filter leaves no duplicate.

export interface RoomHubDeps {
  log: EventLog;
  logger: Logger;
  /** Resolves once the history view has applied the log up to this checkpoint. */
  waitForHistory: WaitForHistory;
  /** Where the hub reports what it handed to whom (delivered receipts); a hub without it reports nothing. */
  receipts?: ReceiptRecorder;
  /** Live events buffered for one catching-up subscriber before it counts as a slow consumer. */
  maxCatchUpBuffer?: number;
}

/** What the hub needs of a socket (gateway/connection.ts is the real one). */
export interface HubConnection {
  readonly bufferedAmount: number;
  send(data: EncodedFrame, type: ServerFrameType): void;
  sendFrame(frame: ServerFrame): void;
  /** Resolves once the frame is handed to the operating system, or the connection is gone. */
  sendAndWait(data: EncodedFrame, type: ServerFrameType): Promise<void>;
  close(code: CloseCode, reason: string): void;
  /** Hold writes until uncork (optional: a connection without it just writes each frame at once). */
  cork?(): void;
  uncork?(): void;
}

/** Who is subscribing: the socket and the user it authenticated as. */
export interface HubClient {
  readonly connection: HubConnection;
  readonly userId: string;
}

export interface SubscribeRequest {
  afterSeq: number | undefined;
  ref: FrameRef | undefined;
  /**
   * Checks the user may read the room (throws a ChatError otherwise) and returns the room's seq as the history
   * view showed it then: membership changes after it end the subscription, earlier ones were taken into account.
   */
  authorize(): Promise<number>;
  /** Called as the subscription goes live, with no await before its first live frame (assistants' answers so far). */
  onLive?: () => void;
}

type SubscriptionState = 'catching-up' | 'live' | 'ended';

class RoomSubscription {
  state: SubscriptionState = 'catching-up';
  /** Live events that arrived while catching up, in log order. */
  buffer: RecordedEvent<RoomEvent>[] = [];
  /** The last seq sent (or the client's afterSeq): nothing at or below it is sent again. */
  lastSeq = 0;
  /** Until authorized, no membership change ends the subscription: authorization itself will see it. */
  authorizedAtSeq = Number.POSITIVE_INFINITY;
  onLive: (() => void) | undefined;

  constructor(
    readonly client: HubClient,
    readonly roomId: string,
  ) {}

  // Methods rather than property checks: the state changes across awaits, which narrowing cannot see.
  isEnded(): boolean {
    return this.state === 'ended';
  }

  isCatchingUp(): boolean {
    return this.state === 'catching-up';
  }
}

const DEFAULT_MAX_CATCH_UP_BUFFER = 10_000;

export class RoomHub {
  private readonly rooms = new Map<string, Set<RoomSubscription>>();
  private readonly byConnection = new Map<HubConnection, Map<string, RoomSubscription>>();
  /** Per room and user, the highest seq reported delivered: the recorder hears of each seq once, not per socket. */
  private readonly deliveredMarks = new Map<string, Map<string, number>>();
  private readonly receiptAudience = new ReceiptAudience();
  private logSubscription: Subscription | undefined;
  /** The connections written to during the log batch being dispatched, corked until its end. */
  private corked: Set<HubConnection> | undefined;

  constructor(private readonly deps: RoomHubDeps) {}

  /** Follows the log from its current head: subscribers catch up on anything older from the log itself. */
  async start(): Promise<void> {
    const head = await this.deps.log.headPosition();
    this.logSubscription = this.deps.log.subscribe({
      after: head,
      handler: async (events) => {
        // One writev per socket per batch: every socket written to is corked on its first frame and uncorked
        // once the whole batch is dispatched (still synchronously, so no frame waits for anything but this loop).
        const corked = new Set<HubConnection>();
        this.corked = corked;
        try {
          for (const event of events) this.dispatch(event);
        } finally {
          this.corked = undefined;
          for (const connection of corked) connection.uncork?.();
        }
      },
      onError: (error) => this.deps.logger.error({ err: error }, 'gateway log subscription failed'),
    });
  }

  async stop(): Promise<void> {
    await this.logSubscription?.close();
    this.logSubscription = undefined;
  }

  /** Subscribes (or re-subscribes, replacing the earlier subscription) and runs the catch-up. */
  async subscribe(client: HubClient, roomId: string, request: SubscribeRequest): Promise<void> {
    const previous = this.byConnection.get(client.connection)?.get(roomId);
    if (previous) this.end(previous);
    const subscription = new RoomSubscription(client, roomId);
    subscription.onLive = request.onLive;
    this.register(subscription);
    try {
      // The view must have seen everything the log held when we registered: a membership change before that is
      // then visible to authorize(), and any later one reaches the buffer.
      await this.deps.waitForHistory(await this.deps.log.headPosition());
      const authorizedAtSeq = await request.authorize();
      if (subscription.isEnded()) return;
      subscription.authorizedAtSeq = authorizedAtSeq;
      const headSeq = await this.deps.log.streamVersion(roomStreamId(roomId));
      if (subscription.isEnded()) return;
      client.connection.sendFrame(withRef({ type: 'room.subscribed', roomId, headSeq }, request.ref));
      subscription.lastSeq = request.afterSeq ?? headSeq;
      if (request.afterSeq !== undefined && request.afterSeq < headSeq) {
        const finished = await this.replay(subscription, request.afterSeq + 1, headSeq);
        if (!finished) return;
      }
      this.goLive(subscription);
    } catch (error) {
      this.end(subscription);
      throw error;
    }
  }

  /** Returns whether the connection was subscribed to the room. */
  unsubscribe(connection: HubConnection, roomId: string): boolean {
    const subscription = this.byConnection.get(connection)?.get(roomId);
    if (!subscription) return false;
    this.end(subscription);
    return true;
  }

  /** Drops every subscription of a connection that is closing. */
  removeConnection(connection: HubConnection): void {
    for (const subscription of [...(this.byConnection.get(connection)?.values() ?? [])]) this.end(subscription);
  }

  /** Live subscribers of a room, for ephemeral frames (typing, presence) that have no seq to catch up on. */
  *liveClients(roomId: string): Iterable<HubClient> {
    for (const subscription of this.rooms.get(roomId) ?? []) {
      if (subscription.state === 'live') yield subscription.client;
    }
  }

  get subscriptionCount(): number {
    let count = 0;
    for (const subscriptions of this.rooms.values()) count += subscriptions.size;
    return count;
  }

  private dispatch(event: RecordedEvent): void {
    const roomEvent = asRoomEvent(event);
    if (roomEvent) {
      this.fanOut(roomEvent);
      return;
    }
    // A user's read (receipts stream), or a room's delivery report (deliveries stream, every member's marker in one
    // event; older logs hold a MessagesDelivered per user instead, which still replay).
    const markers = asReceiptEvent(event) ?? asDeliveriesEvent(event);
    if (markers) this.tellSenders(markers.data.roomId, receiptMarkers(markers));
  }

  /** Each marker that moved, as one frame, to the live subscribers among the senders it newly covers. */
  private tellSenders(roomId: string, markers: readonly ReceiptMarker[]): void {
    // Grouped once per event, and only when someone is to hear: a report of many markers costs one pass over the
    // room's subscribers, not one per marker.
    let byUser: Map<string, HubClient[]> | undefined;
    for (const marker of markers) {
      const audience = this.receiptAudience.audience(marker.kind, marker.userId, roomId, marker.seq);
      if (audience.size === 0) continue;
      byUser ??= this.liveClientsByUser(roomId);
      const frame = encodeFrame(receiptFrame(marker));
      for (const userId of audience) {
        for (const client of byUser.get(userId) ?? []) this.hold(client.connection).send(frame, 'chat.receipt');
      }
    }
  }

  private liveClientsByUser(roomId: string): Map<string, HubClient[]> {
    const byUser = new Map<string, HubClient[]>();
    for (const client of this.liveClients(roomId)) {
      const own = byUser.get(client.userId);
      if (own) own.push(client);
      else byUser.set(client.userId, [client]);
    }
    return byUser;
  }

  private fanOut(event: RecordedEvent<RoomEvent>): void {
    if (event.type === 'MessageSent') this.receiptAudience.noteMessage(event.data.roomId, event.streamVersion, event.data.senderId);
    const subscriptions = this.rooms.get(event.data.roomId);
    if (!subscriptions) return;
    let frame: EncodedFrame | undefined;
    // The users this event newly reached, reported once for the room after the loop.
    const reached: string[] = [];
    for (const subscription of [...subscriptions]) {
      if (subscription.state === 'catching-up') {
        this.buffer(subscription, event);
      } else if (subscription.state === 'live') {
        frame ??= encodeFrame(chatEventFrame(event));
        this.deliver(subscription, event, frame, reached);
      }
    }
    if (reached.length > 0) this.deps.receipts?.delivered(event.data.roomId, event.streamVersion, reached);
  }

  /** Corks a connection the first time the batch being dispatched writes to it. */
  private hold(connection: HubConnection): HubConnection {
    if (this.corked && !this.corked.has(connection)) {
      this.corked.add(connection);
      connection.cork?.();
    }
    return connection;
  }

  private buffer(subscription: RoomSubscription, event: RecordedEvent<RoomEvent>): void {
    // A subscriber who left or was removed stops catching up at once: the rest of its replay is not its to see.
    const exit = exitReason(event, subscription.client.userId);
    if (exit && event.streamVersion > subscription.authorizedAtSeq) {
      this.end(subscription, exit);
      return;
    }
    subscription.buffer.push(event);
    if (subscription.buffer.length > (this.deps.maxCatchUpBuffer ?? DEFAULT_MAX_CATCH_UP_BUFFER)) {
      this.end(subscription);
      subscription.client.connection.close(CLOSE_CODES.SLOW_CONSUMER, 'slow consumer');
    }
  }

  /** Sends one event unless already sent; returns false when it ended the subscription (the user left). */
  private deliver(subscription: RoomSubscription, event: RecordedEvent<RoomEvent>, frame: EncodedFrame, reached?: string[]): boolean {
    const seq = event.streamVersion;
    if (seq <= subscription.lastSeq) return true;
    this.hold(subscription.client.connection).send(frame, 'chat.event');
    subscription.lastSeq = seq;
    this.markDelivered(subscription, event, reached);
    const exit = exitReason(event, subscription.client.userId);
    if (exit && seq > subscription.authorizedAtSeq) {
      this.end(subscription, exit);
      return false;
    }
    return true;
  }

  /** Returns false when the subscription ended during the replay. */
  private async replay(subscription: RoomSubscription, fromSeq: number, toSeq: number): Promise<boolean> {
    const connection = subscription.client.connection;
    for await (const page of replayRoom(this.deps.log, subscription.roomId, fromSeq, toSeq)) {
      if (!subscription.isCatchingUp()) return false;
      for (const [index, item] of page.entries()) {
        // Wait for the socket whenever a page has filled its buffer, and at the end of every page, so a replay
        // never queues much more than a page ahead of the reader.
        const wait = index === page.length - 1 || connection.bufferedAmount >= REPLAY_HIGH_WATER_BYTES;
        if (!(await this.deliverReplayed(subscription, item, wait))) return false;
      }
    }
    return subscription.isCatchingUp();
  }

  private async deliverReplayed(subscription: RoomSubscription, item: FramedEvent, wait: boolean): Promise<boolean> {
    if (!subscription.isCatchingUp()) return false;
    const { event, frame } = item;
    if (event.streamVersion <= subscription.lastSeq) return true;
    const connection = subscription.client.connection;
    if (wait) await connection.sendAndWait(frame, 'chat.event');
    else connection.send(frame, 'chat.event');
    subscription.lastSeq = event.streamVersion;
    this.markDelivered(subscription, event);
    const exit = exitReason(event, subscription.client.userId);
    if (exit && event.streamVersion > subscription.authorizedAtSeq) {
      this.end(subscription, exit);
      return false;
    }
    return subscription.isCatchingUp();
  }

  /** Flushes what arrived during the catch-up and switches to live delivery, with no await in between. */
  private goLive(subscription: RoomSubscription): void {
    if (subscription.state !== 'catching-up') return;
    const buffered = subscription.buffer;
    subscription.buffer = [];
    subscription.state = 'live';
    for (const { event, frame } of framed(buffered, deletedMessageIds(buffered))) {
      if (!this.deliver(subscription, event, frame)) return;
    }
    subscription.onLive?.();
  }

  /**
   * Receipts count messages from others only: a sender has nothing to be told about their own message. A user
   * newly reached goes into `reached` (reported by the caller, once for all) or, without it, is reported alone.
   */
  private markDelivered(subscription: RoomSubscription, event: RecordedEvent<RoomEvent>, reached?: string[]): void {
    const receipts = this.deps.receipts;
    if (!receipts || event.type !== 'MessageSent') return;
    const userId = subscription.client.userId;
    if (event.data.senderId === userId) return;
    const { roomId } = subscription;
    let marks = this.deliveredMarks.get(roomId);
    if (!marks) {
      marks = new Map();
      this.deliveredMarks.set(roomId, marks);
    }
    if ((marks.get(userId) ?? 0) >= event.streamVersion) return;
    marks.set(userId, event.streamVersion);
    if (reached) reached.push(userId);
    else receipts.delivered(roomId, event.streamVersion, [userId]);
  }

  private register(subscription: RoomSubscription): void {
    const { roomId, client } = subscription;
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new Set();
      this.rooms.set(roomId, room);
    }
    room.add(subscription);
    let own = this.byConnection.get(client.connection);
    if (!own) {
      own = new Map();
      this.byConnection.set(client.connection, own);
    }
    own.set(roomId, subscription);
  }

  /** Ends a subscription; with a reason the client is told (`room.unsubscribed`), without one it asked or left. */
  private end(subscription: RoomSubscription, reason?: Exclude<UnsubscribeReason, 'requested'>): void {
    if (subscription.isEnded()) return;
    subscription.state = 'ended';
    subscription.buffer = [];
    const { roomId, client } = subscription;
    const room = this.rooms.get(roomId);
    room?.delete(subscription);
    if (room?.size === 0) this.rooms.delete(roomId);
    const own = this.byConnection.get(client.connection);
    if (own?.get(roomId) === subscription) own.delete(roomId);
    if (own?.size === 0) this.byConnection.delete(client.connection);
    const userStillHere = [...(this.rooms.get(roomId) ?? [])].some((other) => other.client.userId === client.userId);
    if (!userStillHere) {
      const marks = this.deliveredMarks.get(roomId);
      marks?.delete(client.userId);
      if (marks?.size === 0) this.deliveredMarks.delete(roomId);
    }
    if (reason) client.connection.sendFrame({ type: 'room.unsubscribed', roomId, reason });
  }
}

/** Bytes queued on a socket after which a replay waits for it to drain. */
const REPLAY_HIGH_WATER_BYTES = 256 * 1024;

function exitReason(event: RecordedEvent<RoomEvent>, userId: string): Exclude<UnsubscribeReason, 'requested'> | undefined {
  if (event.type === 'MemberLeft' && event.data.userId === userId) return 'left';
  if (event.type === 'MemberRemoved' && event.data.userId === userId) return 'removed';
  return undefined;
}
