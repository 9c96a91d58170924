// A message must be stored once, and never lost without the sender knowing. Two things make that hold:
//   - A socket send is done when the server acknowledges it (chat.ack), not when the frame is written: a frame
//     written to a socket that died under it is never answered, and is then sent over REST with the same
//     clientMessageId, which the server answers with the stored message if the frame did arrive after all.
//   - A send whose outcome is unknown (no answer: the network, a 5xx) keeps its clientMessageId for the same text
//     sent again to the same room, so the retry cannot store it twice. A refusal (a 4xx) is an answer: nothing was
//     stored, and the next attempt is a new message.

/** How long a socket send waits for its chat.ack before it is sent over REST instead. */
export const ACK_TIMEOUT_MS = 5_000;

export type AckOutcome = 'acked' | 'refused' | 'unanswered';

interface Unsettled {
  roomId: string;
  text: string;
  clientMessageId: string;
}

export class PendingSends {
  private readonly awaiting = new Map<string, (outcome: AckOutcome) => void>();
  private unsettled: Unsettled | null = null;

  constructor(
    private readonly newId: () => string,
    private readonly ackTimeoutMs: number = ACK_TIMEOUT_MS,
  ) {}

  /** The id for sending `text` to `roomId`: the unsettled send's when it is that one again, else a new one. */
  idFor(roomId: string, text: string): string {
    const previous = this.unsettled;
    if (previous && previous.roomId === roomId && previous.text === text) return previous.clientMessageId;
    return this.newId();
  }

  /** Resolves when the server acknowledges or refuses the socket send, or 'unanswered' after the time limit. */
  answerOf(clientMessageId: string): Promise<AckOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle('unanswered'), this.ackTimeoutMs);
      const settle = (outcome: AckOutcome) => {
        clearTimeout(timer);
        this.awaiting.delete(clientMessageId);
        resolve(outcome);
      };
      this.awaiting.set(clientMessageId, settle);
    });
  }

  /** chat.ack, or chat.error whose ref is the send's (the client sends clientMessageId as the frame's id). */
  answered(clientMessageId: string | undefined, outcome: 'acked' | 'refused'): void {
    if (clientMessageId !== undefined) this.awaiting.get(clientMessageId)?.(outcome);
  }

  /**
   * The socket went away: its sends still waiting will never be answered (an ack comes on the connection the frame
   * went on), so they are 'unanswered' now and go over REST at once, not after the time limit. Waiting the limit
   * out let a later message from another tab be stored first, out of the order the user sent them.
   */
  socketLost(): void {
    for (const settle of [...this.awaiting.values()]) settle('unanswered');
  }

  /** How a send ended: stored, refused (an answer: nothing stored), or unknown (kept, so a retry reuses its id). */
  settled(send: Unsettled, outcome: 'stored' | 'refused' | 'unknown'): void {
    this.unsettled = outcome === 'unknown' ? send : null;
  }
}
