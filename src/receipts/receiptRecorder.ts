/**
 * Where the gateway reports receipts. Implementations coalesce per user and room (many deliveries in a second
 * become one marker move) and append deliveries to the room's deliveries stream, reads to the user's receipts
 * stream; markers only move forward.
 */
export interface ReceiptRecorder {
  /**
   * The gateway handed the room's events up to `seq` to a connection of each of `userIds`: one call per event and
   * room, however many users it reached, so the report costs per room, not per recipient.
   */
  delivered(roomId: string, seq: number, userIds: readonly string[]): void;
  /** The user has read the room up to `seq` (a `chat.read` frame or the REST call). */
  read(userId: string, roomId: string, seq: number): Promise<void>;
  /** Writes whatever is still coalescing (on shutdown). */
  flush(): Promise<void>;
}
