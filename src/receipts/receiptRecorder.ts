/**
 * Where the gateway reports receipts. Implementations coalesce per user and room (many deliveries in a second
 * become one marker move) and append deliveries to the room's deliveries stream, reads to the user's receipts
 * stream; markers only move forward.
 */
export interface ReceiptRecorder {
  /** The gateway handed room events up to `seq` to one of the user's connections. */
  delivered(userId: string, roomId: string, seq: number): void;
  /** The user has read the room up to `seq` (a `chat.read` frame or the REST call). */
  read(userId: string, roomId: string, seq: number): Promise<void>;
  /** Writes whatever is still coalescing (on shutdown). */
  flush(): Promise<void>;
}
