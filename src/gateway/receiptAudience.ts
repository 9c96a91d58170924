/**
 * Who hears of a receipt: the senders of the messages it newly covers, not the whole room. Broadcasting every
 * delivery marker to every subscriber made receipts outnumber messages 5-10 to 1 in the fan-out benchmark; the
 * person waiting for "delivered" and "read" is the one who sent the message.
 */
export class ReceiptAudience {
  /** Recent messages' senders per room, by seq (bounded per room). */
  private readonly senders = new Map<string, Map<number, string>>();
  /** The last seq each (kind, user, room) receipt covered, so a receipt only names what it adds. */
  private readonly covered = new Map<string, number>();

  constructor(
    private readonly messagesPerRoom = 1000,
    private readonly maxMarkers = 100_000,
  ) {}

  noteMessage(roomId: string, seq: number, senderId: string): void {
    let room = this.senders.get(roomId);
    if (!room) {
      room = new Map();
      this.senders.set(roomId, room);
    }
    room.set(seq, senderId);
    // Seqs arrive in order, so the Map's first key is the oldest.
    if (room.size > this.messagesPerRoom) {
      const oldest = room.keys().next().value;
      if (oldest !== undefined) room.delete(oldest);
    }
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
    for (const [messageSeq, senderId] of this.senders.get(roomId) ?? []) {
      if (messageSeq > previous && messageSeq <= seq && senderId !== userId) result.add(senderId);
    }
    return result;
  }
}

const coveredKey = (kind: 'delivered' | 'read', userId: string, roomId: string): string =>
  `${kind}\u0000${userId}\u0000${roomId}`;
