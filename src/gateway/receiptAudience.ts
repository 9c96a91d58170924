/**
 * Who hears of a receipt: the senders of the messages it newly covers, not the whole room. Broadcasting every
 * delivery marker to every subscriber made receipts outnumber messages 5-10 to 1 in the fan-out benchmark; the
 * person waiting for "delivered" and "read" is the one who sent the message.
 */
export class ReceiptAudience {
  /** Recent messages' senders per room, in seq order (the latest messagesPerRoom, up to a quarter more). */
  private readonly rooms = new Map<string, RecentSenders>();
  /** The last seq each (kind, user, room) receipt covered, so a receipt only names what it adds. */
  private readonly covered = new Map<string, number>();

  constructor(
    private readonly messagesPerRoom = 1000,
    private readonly maxMarkers = 100_000,
  ) {}

  noteMessage(roomId: string, seq: number, senderId: string): void {
    let room = this.rooms.get(roomId);
    if (!room) {
      room = new RecentSenders(this.messagesPerRoom);
      this.rooms.set(roomId, room);
    }
    room.add(seq, senderId);
  }

  /**
   * The senders (other than the reader) of messages in (previously covered, seq], and remembers seq as covered.
   * Without a previous marker (a fresh gateway), every tracked message up to seq counts: a few extra frames once.
   * Reading implies delivery, so a delivery covers nothing the user's read marker already covered: deliveries are
   * recorded per room and reads per user, in two streams that cannot drop one for the other.
   */
  audience(kind: 'delivered' | 'read', userId: string, roomId: string, seq: number): Set<string> {
    const key = coveredKey(kind, userId, roomId);
    const read = kind === 'delivered' ? (this.covered.get(coveredKey('read', userId, roomId)) ?? 0) : 0;
    const previous = Math.max(this.covered.get(key) ?? 0, read);
    const result = new Set<string>();
    if (seq <= previous) return result;
    this.covered.delete(key);
    this.covered.set(key, seq);
    if (this.covered.size > this.maxMarkers) {
      const oldest = this.covered.keys().next().value;
      if (oldest !== undefined) this.covered.delete(oldest);
    }
    this.rooms.get(roomId)?.sendersIn(previous, seq, userId, result);
    return result;
  }
}

/**
 * One room's recent (seq, sender) pairs in seq order: a receipt finds the messages it newly covers by binary
 * search, so its cost follows what it covers, not the size of the window (a delivery report names many markers).
 */
class RecentSenders {
  private seqs: number[] = [];
  private senders: string[] = [];

  constructor(private readonly capacity: number) {}

  add(seq: number, senderId: string): void {
    // Seqs arrive in order; one that does not (a replayed batch) is already here or older than the window.
    const last = this.seqs.at(-1);
    if (last !== undefined && seq <= last) return;
    this.seqs.push(seq);
    this.senders.push(senderId);
    // Trimmed in steps of a quarter, so the copy is paid once per many messages.
    if (this.seqs.length > this.capacity * 1.25) {
      const excess = this.seqs.length - this.capacity;
      this.seqs = this.seqs.slice(excess);
      this.senders = this.senders.slice(excess);
    }
  }

  /** Adds to `into` the senders other than `reader` of the messages with seq in (after, upTo]. */
  sendersIn(after: number, upTo: number, reader: string, into: Set<string>): void {
    for (let i = this.firstAbove(after); i < this.seqs.length; i++) {
      const seq = this.seqs[i] ?? Number.POSITIVE_INFINITY;
      if (seq > upTo) break;
      const sender = this.senders[i];
      if (sender !== undefined && sender !== reader) into.add(sender);
    }
  }

  /** The index of the first seq above `seq` (binary search). */
  private firstAbove(seq: number): number {
    let low = 0;
    let high = this.seqs.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.seqs[middle] ?? Number.POSITIVE_INFINITY) <= seq) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}

const coveredKey = (kind: 'delivered' | 'read', userId: string, roomId: string): string =>
  `${kind}\u0000${userId}\u0000${roomId}`;
