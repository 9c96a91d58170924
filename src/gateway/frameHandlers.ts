import type { AnswerBus } from '../assistants/answerSignals.js';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { ChatCommands } from '../commands/chatCommands.js';
import { UnavailableError } from '../domain/errors.js';
import { parseMessageId } from '../domain/ids.js';
import type { HistoryStore } from '../projections/history/historyStore.js';
import type { ChatQueries } from '../queries/chatQueries.js';
import { roomUse, type RoomUse } from '../queries/roomAccess.js';
import type { RateLimiter } from '../ratelimit/rateLimiter.js';
import type { ReceiptCommands } from '../receipts/receiptCommands.js';
import type { IdGenerator } from '../support/clock.js';
import type { AnswerRelay } from './answerRelay.js';
import type { Connection } from './connection.js';
import type { GatewayPresence } from './presenceRelay.js';
import type { ClientFrame, FrameRef, ServerFrame } from './protocol.js';
import { withRef } from './protocol.js';
import type { RoomHub } from './roomHub.js';
import type { TypingBus } from './typingBus.js';

/** How long a client shows "typing…" after a `chat.typing`, unless another one renews it. */
export const TYPING_EXPIRES_MS = 5000;

/** `chat.read` frames per user and room per second: far above what a reading client sends, far below a flood. */
export const READ_FRAMES_PER_SECOND = 10;

/** Typing is acting in the room: members only, in a public room too. */
const TYPING: RoomUse = { publicRoomsOpenTo: 'members', action: 'do this in the room' };

export interface FrameHandlerDeps {
  hub: RoomHub;
  commands: ChatCommands;
  queries: ChatQueries;
  history: HistoryStore;
  ids: IdGenerator;
  /** Per user and room: one `chat.typing` per WS_TYPING_INTERVAL_MS. */
  typingLimiter: RateLimiter;
  /** Carries `chat.typing` to every gateway's subscribers (this one's included), which relay it to their sockets. */
  typing: Pick<TypingBus, 'publish'>;
  /** Per user and room: bounds `chat.read` floods (each one is a membership look-up). */
  readLimiter: RateLimiter;
  /** Marks rooms read: the same use case as REST's POST /rooms/:roomId/read. */
  receiptCommands: Pick<ReceiptCommands, 'markRead'>;
  presence: GatewayPresence;
  /** Assistants' streaming answers (issue #19): the relay catches new subscribers up; cancels go on the bus. */
  answers?: { relay: AnswerRelay; bus: Pick<AnswerBus, 'publish'> };
}

/** An authenticated socket. */
export interface SessionClient {
  readonly connection: Connection;
  readonly principal: AccessPrincipal;
  readonly userId: string;
}

/**
 * The rest of a frame's handling, for when its answer waits on something (a send's ack on the history view): the
 * session sends it in the order of the frames (orderedAnswers.ts) and takes the next frame meanwhile.
 */
export interface LaterAnswer {
  ready: Promise<void>;
  send(): void;
}

/** The frames an authenticated client may send besides `auth`. */
export type SessionFrame = Exclude<ClientFrame, { type: 'auth' }>;

/**
 * What each frame of an authenticated client does. Writes go through ChatCommands, the same use cases (and rate
 * limits) as REST; reads are authorized by ChatQueries, the same rules as REST. A handler throws a ChatError to
 * refuse; the session turns it into `chat.error` with the frame's ref.
 */
export class FrameHandlers {
  constructor(private readonly deps: FrameHandlerDeps) {}

  async handle(client: SessionClient, frame: SessionFrame, ref: FrameRef | undefined): Promise<LaterAnswer | void> {
    switch (frame.type) {
      case 'room.subscribe':
        return this.subscribe(client, frame.roomId, frame.afterSeq, ref);
      case 'room.unsubscribe':
        this.deps.hub.unsubscribe(client.connection, frame.roomId);
        // Answered even when there was no subscription: the client's state is what it asked for either way.
        client.connection.sendFrame(withRef({ type: 'room.unsubscribed', roomId: frame.roomId, reason: 'requested' }, ref));
        return;
      case 'chat.send':
        return this.send(client, frame);
      case 'chat.edit':
        return this.edit(client, frame.messageId, frame.text, ref);
      case 'chat.delete':
        return this.delete(client, frame.messageId, ref);
      case 'chat.typing':
        return this.typing(client, frame.roomId);
      case 'chat.read':
        return this.read(client, frame.roomId, frame.seq);
      case 'pong':
        await this.deps.presence?.heartbeat(client.userId, client.connection.id);
        return;
      case 'chat.stream.cancel':
        return this.cancelAnswer(client, frame.roomId, frame.streamId);
      default: {
        const unknownFrame: never = frame;
        return unknownFrame;
      }
    }
  }

  private subscribe(client: SessionClient, roomId: string, afterSeq: number | undefined, ref: FrameRef | undefined): Promise<void> {
    const relay = this.deps.answers?.relay;
    return this.deps.hub.subscribe(client, roomId, {
      afterSeq,
      ref,
      authorize: async () => {
        const { room } = await this.deps.queries.getRoom(client.principal, roomId);
        return room.headSeq;
      },
      // An answer streaming in the room reaches the new subscriber whole: its text so far, then its next pieces.
      ...(relay ? { onLive: () => relay.caughtUp(client, roomId) } : {}),
    });
  }

  /** Only the asker's own answers stop: the process answering (any gateway) hears the cancel on the bus. */
  private async cancelAnswer(client: SessionClient, roomId: string, streamId: string | undefined): Promise<void> {
    const answers = this.deps.answers;
    if (!answers) throw new UnavailableError('assistants are not available on this server');
    await answers.bus.publish({ kind: 'cancel', roomId, userId: client.userId, ...(streamId === undefined ? {} : { streamId }) });
  }

  /**
   * Hands the message to its room's writer now; the ack waits for the writer's answer and then until the history
   * view shows the message, so the client's next read agrees. The session takes the next frame as soon as this
   * resolves (ChatCommands.submitMessage says when), and sends the answers in the order of the frames.
   */
  private async send(client: SessionClient, frame: Extract<SessionFrame, { type: 'chat.send' }>): Promise<LaterAnswer> {
    const { accepted } = await this.deps.commands.submitMessage(
      client.principal,
      {
        roomId: frame.roomId,
        text: frame.text,
        clientMessageId: frame.clientMessageId,
        ...(frame.attachments ? { attachments: frame.attachments } : {}),
        ...(frame.replyTo === undefined ? {} : { replyTo: frame.replyTo }),
      },
      this.deps.ids.next(),
    );
    const { clientMessageId } = frame;
    let ack: Extract<ServerFrame, { type: 'chat.ack' }> | undefined;
    const ready = accepted.then(async (message) => {
      ack = { type: 'chat.ack', clientMessageId, messageId: message.messageId, seq: message.seq };
      await message.visible;
    });
    return {
      ready,
      send: () => {
        // Set once `ready` resolved, which is when the session calls this.
        if (ack) client.connection.sendFrame(withRef(ack, clientMessageId));
      },
    };
  }

  private async edit(client: SessionClient, messageId: string, text: string, ref: FrameRef | undefined): Promise<void> {
    const message = await this.deps.commands.editMessage(client.principal, messageId, text, this.deps.ids.next());
    client.connection.sendFrame(withRef({ type: 'chat.ack', messageId: message.messageId, seq: message.seq }, ref));
  }

  private async delete(client: SessionClient, messageId: string, ref: FrameRef | undefined): Promise<void> {
    await this.deps.commands.deleteMessage(client.principal, messageId, this.deps.ids.next());
    // deleteMessage has already refused an id it cannot parse, so this always finds the seq.
    const seq = parseMessageId(messageId)?.seq ?? 0;
    client.connection.sendFrame(withRef({ type: 'chat.ack', messageId, seq }, ref));
  }

  /**
   * Ephemeral: never in the log, only to the room's other live subscribers (on every gateway, through the typing
   * bus; typingRelay.ts), and the sender's own sockets skip it.
   */
  private async typing(client: SessionClient, roomId: string): Promise<void> {
    // Limited before the membership look-ups, so a flood costs a counter, not queries per frame.
    await this.deps.typingLimiter.consume(limitKey(client.userId, roomId));
    await roomUse(this.deps.history, roomId, client.userId, TYPING);
    await this.deps.typing.publish(roomId, client.userId);
  }

  private async read(client: SessionClient, roomId: string, seq: number): Promise<void> {
    const receipts = this.deps.receiptCommands;
    if (!receipts) throw new UnavailableError('read receipts are not available on this server');
    // Limited before markRead's look-ups, so a flood costs a counter, not queries.
    await this.deps.readLimiter.consume(limitKey(client.userId, roomId));
    await receipts.markRead(client.principal, roomId, seq);
  }
}

function limitKey(userId: string, roomId: string): string {
  return `${userId}:${roomId}`;
}
