import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { Account, AccountRegistration } from '../auth/authService.js';
import { ForbiddenError, NotFoundError, UnavailableError } from '../domain/errors.js';
import { directRoomId, messageIdOf, parseMessageId, roomStreamId, userStreamId } from '../domain/ids.js';
import { mentionedUsernames } from '../domain/mentions.js';
import { normaliseMessageText } from '../domain/messageText.js';
import { looksAlike, usernameClaimStreamIds } from '../domain/usernameSkeleton.js';
import type { RoomKind, RoomRole, UserRole } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { EventLog } from '../eventlog/eventLog.js';
import type { HistoryStore, MessageView, RoomView } from '../projections/history/historyStore.js';
import { untilApplied, type WaitForHistory } from '../projections/readYourWrites.js';
import { sentMessageView } from '../projections/history/messageViews.js';
import type { RateLimiter } from '../ratelimit/rateLimiter.js';
import type { IdGenerator } from '../support/clock.js';
import type { CommandExecutor, CommandMetadata, CommandResult } from './commandExecutor.js';
import type { RoomCommand, UserCommand, UsernameCommand } from './commands.js';
import type { DecisionContext, DomainLimits } from './decider.js';
import type { UsernameLookAlikes } from './username/usernameLookAlikes.js';
import type { FileCommands } from './files/fileCommands.js';

export interface ChatCommandsDeps {
  log: EventLog;
  history: HistoryStore;
  /** Each stream category's single writer: this process (embedded) or the Kafka command processor. */
  usernames: CommandExecutor<UsernameCommand>;
  users: CommandExecutor<UserCommand>;
  rooms: CommandExecutor<RoomCommand>;
  sendLimiter: RateLimiter;
  limits: DomainLimits;
  ids: IdGenerator;
  /** Read-your-writes: each use case answers once the history view shows what it appended. */
  waitForHistory: WaitForHistory;
  /** Whose username a new name looks like: accounts from before skeletons, and for display names anyone's. */
  lookAlikes: Pick<UsernameLookAlikes, 'assertNoLookAlike' | 'assertDisplayNameOf'>;
  /** The facts a send needs about the files it attaches (issue #16); without it, attachments are refused. */
  files?: Pick<FileCommands, 'attachmentFacts'>;
  /** Who may be added to which room beyond the room's own rules: an assistant only to its allowed rooms (#19). */
  joinRules?: { assertMayJoin(roomId: string, userId: string): Promise<void> };
}

export interface CreateRoomInput {
  name: string | undefined;
  kind: RoomKind;
  memberIds: string[];
}

/** What a caller gets back from a room command: the room as the history view now shows it. */
export interface SendMessageInput {
  roomId: string;
  text: string;
  clientMessageId: string;
  attachments?: string[];
  replyTo?: string;
}

/** A message in the log, not yet necessarily in the history view (ChatCommands.acceptMessage). */
export interface AcceptedMessage {
  roomId: string;
  seq: number;
  messageId: string;
  /** A retry of a send already recorded: the first message's place. */
  replayed: boolean;
  /** Resolves once the history view shows the message; rejects (UNAVAILABLE) if it does not in time. */
  visible: Promise<void>;
  /** The MessageSent as recorded (the first one, for a retry). */
  sent: RecordedEvent;
}

/** A send handed to its room's writer (ChatCommands.submitMessage); `accepted` is its outcome. */
export interface SubmittedMessage {
  accepted: Promise<AcceptedMessage>;
}

export interface RoomOutcome {
  room: RoomView;
  /** False when the command changed nothing (joining a room one is already in, reopening a direct room). */
  changed: boolean;
}

/**
 * The write side's use cases, shared by REST and WebSocket: build the command, route it to its stream's single
 * writer, then wait until the history view shows the result so the caller can read its own writes.
 */
export class ChatCommands {
  constructor(private readonly deps: ChatCommandsDeps) {}

  /** The longest message text the room decider takes, for the edge to document (MAX_MESSAGE_LENGTH). */
  get maxMessageLength(): number {
    return this.deps.limits.maxMessageLength;
  }

  /**
   * Claims the name, then registers the user. The name is claimed under its look-alike keys
   * (domain/usernameSkeleton.ts: its UTS #39 skeleton, case-folded and as written), so a look-alike of an account
   * meets it at one single writer and is refused there, race-free, and under its normalised form, the key every
   * account from before skeletons holds. The keys are looked up first, in the claims and among those older accounts
   * (username/usernameLookAlikes.ts says why that is needed and enough), so a refusal claims nothing; so is a display
   * name other than the username, which must not look like anybody's username.
   */
  async registerAccount(input: AccountRegistration): Promise<Account> {
    await this.deps.lookAlikes.assertNoLookAlike(input.username);
    const userId = input.userId ?? this.deps.ids.next();
    if (!looksAlike(input.displayName, input.username)) {
      await this.deps.lookAlikes.assertDisplayNameOf(userId, input.displayName);
    }
    const context = this.context({ userId, role: input.role });
    const claims: CommandResult[] = [];
    for (const [index, streamId] of usernameClaimStreamIds(input.username).entries()) {
      // Each stream needs its own idempotency key; the first keeps the one a single claim always had.
      const commandId = index === 0 ? input.commandId : `${input.commandId}/claim${index}`;
      claims.push(
        await this.deps.usernames.execute(streamId, { type: 'ClaimUsername', username: input.username, userId }, context, {
          commandId,
          correlationId: input.correlationId,
        }),
      );
    }
    // The claims and the registration are different streams, so they need different idempotency keys.
    const registered = await this.deps.users.execute(
      userStreamId(userId),
      {
        type: 'RegisterUser',
        userId,
        username: input.username,
        email: input.email,
        displayName: input.displayName,
        passwordHash: input.passwordHash,
        role: input.role,
        ...(input.identity === undefined ? {} : { identity: input.identity }),
      },
      context,
      { commandId: `${input.commandId}/register`, correlationId: input.correlationId },
    );
    await this.settle(...claims, registered);
    const account = await this.deps.history.getUser(userId);
    if (!account) throw new UnavailableError('the new account is not readable yet');
    return account;
  }

  async createRoom(actor: AccessPrincipal, input: CreateRoomInput, correlationId: string): Promise<RoomOutcome> {
    await this.assertUsersExist(input.memberIds);
    const roomId = input.kind === 'direct' ? this.directRoomFor(actor.userId, input.memberIds) : this.deps.ids.next();
    if (input.kind === 'direct') {
      await this.assertNotBlocked(actor.userId, input.memberIds);
      // Opening a conversation that already exists is not an error for the two people in it: it is the same room.
      const existing = await this.deps.log.streamVersion(roomStreamId(roomId));
      if (existing > 0) {
        const role = await this.deps.history.getMemberRole(roomId, actor.userId);
        if (role) return { room: await this.room(roomId), changed: false };
      }
    }
    const result = await this.roomCommand(
      actor,
      { type: 'CreateRoom', roomId, name: input.name ?? '', kind: input.kind, memberIds: input.memberIds },
      correlationId,
    );
    return { room: await this.room(roomId), changed: result.events.length > 0 };
  }

  async joinRoom(actor: AccessPrincipal, roomId: string, correlationId: string): Promise<RoomOutcome> {
    return this.roomOutcome(actor, { type: 'JoinRoom', roomId }, correlationId);
  }

  async leaveRoom(actor: AccessPrincipal, roomId: string, correlationId: string): Promise<void> {
    await this.roomCommand(actor, { type: 'LeaveRoom', roomId }, correlationId);
  }

  async addMember(actor: AccessPrincipal, roomId: string, userId: string, correlationId: string): Promise<RoomOutcome> {
    await this.assertUsersExist([userId]);
    await this.deps.joinRules?.assertMayJoin(roomId, userId);
    return this.roomOutcome(actor, { type: 'AddMember', roomId, userId }, correlationId);
  }

  async removeMember(actor: AccessPrincipal, roomId: string, userId: string, correlationId: string): Promise<void> {
    await this.roomCommand(actor, { type: 'RemoveMember', roomId, userId }, correlationId);
  }

  async changeMemberRole(
    actor: AccessPrincipal,
    roomId: string,
    userId: string,
    role: Exclude<RoomRole, 'owner'>,
    correlationId: string,
  ): Promise<RoomOutcome> {
    return this.roomOutcome(actor, { type: 'ChangeMemberRole', roomId, userId, role }, correlationId);
  }

  /**
   * The idempotency key is the sender's clientMessageId: a retry returns the first message, whatever it carries,
   * and is not charged against the rate limit again. Only a text no message could have been sent with is refused
   * as it would be the first time: a retry repeats a request that was valid, and answering 200 to one that is not
   * told the client its text was fine.
   */
  async sendMessage(
    actor: AccessPrincipal,
    input: SendMessageInput,
    correlationId: string,
  ): Promise<{ message: MessageView; replayed: boolean }> {
    const accepted = await this.acceptMessage(actor, input, correlationId);
    await accepted.visible;
    // A first send of a plain message is answered from its event, as the view now shows it (a read-back was 2.5 % of
    // a send's CPU under perf); a retry, a reply, mentions or files are read from the view, which adds what it keeps.
    const answered = accepted.replayed ? undefined : sentMessageView(accepted.sent);
    return { message: answered ?? (await this.message(accepted.roomId, accepted.seq)), replayed: accepted.replayed };
  }

  /**
   * sendMessage's first step: the message is in the log once this resolves, and `visible` resolves once the
   * history view shows it (read-your-writes).
   */
  async acceptMessage(actor: AccessPrincipal, input: SendMessageInput, correlationId: string): Promise<AcceptedMessage> {
    return (await this.submitMessage(actor, input, correlationId)).accepted;
  }

  /**
   * Checks a send and hands it to its room's single writer. Resolves once the message's place among the room's
   * commands is fixed: when it waits in line for the room's writer (embedded), or when it is queued for the
   * commands topic in order (distributed), while `accepted` still waits for the writer's answer. The gateway
   * takes a connection's next frame then and answers a `chat.send` once `accepted.visible` resolves, so one
   * client's sends follow each other at the pace of the writer's queue, neither a view update nor a Kafka round
   * trip apart, and keep their order.
   */
  async submitMessage(actor: AccessPrincipal, input: SendMessageInput, correlationId: string): Promise<SubmittedMessage> {
    const commandId = `send:${actor.userId}:${input.clientMessageId}`;
    const earlier = await this.deps.log.findByCommandId(commandId);
    if (earlier.length === 0) await this.deps.sendLimiter.consume(actor.userId);
    const fileIds = input.attachments ?? [];
    // A retry returns the first message whatever it carries: its files were checked the first time.
    const attachments = fileIds.length === 0 || earlier.length > 0 ? [] : await this.attachmentFacts(actor, fileIds);
    // So is the message it answers; a message id names its room, and only one of this room can be answered.
    const replyTo = input.replyTo === undefined || earlier.length > 0 ? undefined : this.seqIn(input.roomId, input.replyTo);
    const mentions = earlier.length > 0 ? [] : await this.mentionedUserIds(input.text);
    let queued!: () => void;
    const inQueue = new Promise<void>((resolve) => (queued = resolve));
    const accepted = this.deps.rooms
      .execute(
        roomStreamId(input.roomId),
        {
          type: 'SendMessage',
          roomId: input.roomId,
          text: input.text,
          clientMessageId: input.clientMessageId,
          ...(attachments.length > 0 ? { attachments } : {}),
          ...(replyTo === undefined ? {} : { replyTo }),
          ...(mentions.length > 0 ? { mentions } : {}),
        },
        this.context(actor),
        { commandId, correlationId, onQueued: queued },
      )
      .then((result) => this.accepted(result, input));
    // Whichever comes first: an executor that decides at once never calls onQueued, and a failure is the answer.
    await Promise.race([inQueue, accepted]);
    // Awaited by the caller, maybe after it fails: not unhandled meanwhile.
    accepted.catch(() => undefined);
    return { accepted };
  }

  private accepted(result: CommandResult, input: SendMessageInput): AcceptedMessage {
    // The decider did not see a replayed command, so its text rule is applied here, with the decider's own codes.
    if (result.replayed) normaliseMessageText(input.text, this.deps.limits.maxMessageLength, { allowEmpty: (input.attachments ?? []).length > 0 });
    const sent = result.events.find((event) => event.type === 'MessageSent');
    if (!sent || sent.type !== 'MessageSent') throw new UnavailableError('the message was not recorded');
    const visible = this.settle(result);
    // Awaited by the caller, maybe later than it fails (a view that does not catch up in time): not unhandled.
    visible.catch(() => undefined);
    const { roomId } = sent.data;
    const seq = sent.streamVersion;
    return { roomId, seq, messageId: messageIdOf(roomId, seq), replayed: result.replayed, visible, sent };
  }

  private async attachmentFacts(actor: AccessPrincipal, fileIds: string[]) {
    if (!this.deps.files) throw new NotFoundError('NO_FILE', 'this process takes no files', { fileId: fileIds[0] });
    return this.deps.files.attachmentFacts(actor, fileIds);
  }

  async editMessage(actor: AccessPrincipal, messageId: string, text: string, correlationId: string): Promise<MessageView> {
    const { roomId, seq } = this.locate(messageId);
    await this.roomCommand(actor, { type: 'EditMessage', roomId, seq, text }, correlationId);
    return this.message(roomId, seq);
  }

  async deleteMessage(actor: AccessPrincipal, messageId: string, correlationId: string): Promise<void> {
    const { roomId, seq } = this.locate(messageId);
    await this.roomCommand(actor, { type: 'DeleteMessage', roomId, seq }, correlationId);
  }

  /** Renames a group room and/or sets its topic (owner, moderator); `changed` is false when neither changed. */
  async updateRoomSettings(
    actor: AccessPrincipal,
    roomId: string,
    settings: { name?: string; topic?: string },
    correlationId: string,
  ): Promise<RoomOutcome> {
    return this.roomOutcome(actor, { type: 'UpdateRoomSettings', roomId, ...settings }, correlationId);
  }

  /** Pins (or, `pinned` false, unpins) a message of the room; the message id must name a message of that room. */
  async setPinned(actor: AccessPrincipal, roomId: string, messageId: string, pinned: boolean, correlationId: string): Promise<void> {
    const location = this.locate(messageId);
    if (location.roomId !== roomId) throw new NotFoundError('NO_MESSAGE', `room ${roomId} has no message ${messageId}`, { roomId, messageId });
    const command: RoomCommand = pinned
      ? { type: 'PinMessage', roomId, seq: location.seq }
      : { type: 'UnpinMessage', roomId, seq: location.seq };
    await this.roomCommand(actor, command, correlationId);
  }

  /** Adds the actor's reaction; one they already have appends nothing. */
  async addReaction(actor: AccessPrincipal, messageId: string, emoji: string, correlationId: string): Promise<void> {
    const { roomId, seq } = this.locate(messageId);
    await this.roomCommand(actor, { type: 'AddReaction', roomId, seq, emoji }, correlationId);
  }

  /** Takes back the actor's reaction; one they do not have appends nothing. */
  async removeReaction(actor: AccessPrincipal, messageId: string, emoji: string, correlationId: string): Promise<void> {
    const { roomId, seq } = this.locate(messageId);
    await this.roomCommand(actor, { type: 'RemoveReaction', roomId, seq, emoji }, correlationId);
  }

  private async roomOutcome(actor: AccessPrincipal, command: RoomCommand, correlationId: string): Promise<RoomOutcome> {
    const result = await this.roomCommand(actor, command, correlationId);
    return { room: await this.room(command.roomId), changed: result.events.length > 0 };
  }

  private async roomCommand(actor: AccessPrincipal, command: RoomCommand, correlationId: string): Promise<CommandResult> {
    const metadata: CommandMetadata = { commandId: this.deps.ids.next(), correlationId };
    // An edit or delete of a message older than the room state's window has its facts looked up by the writer
    // (room/oldMessageFacts.ts), from the log.
    const result = await this.deps.rooms.execute(roomStreamId(command.roomId), command, this.context(actor), metadata);
    await this.settle(result);
    return result;
  }

  /** Read-your-writes over every one of the results. */
  private settle(...results: CommandResult[]): Promise<void> {
    return untilApplied(this.deps.waitForHistory, results.flatMap((result) => result.events));
  }

  private context(actor: { userId: string; role: UserRole }): DecisionContext {
    return { actor: { userId: actor.userId, role: actor.role }, limits: this.deps.limits };
  }

  /**
   * Someone who blocked the caller cannot be reached with a direct room (#17): BLOCKED, the one place a block is
   * told, since a refusal of some other kind would only hide the reason. Read from the history view, which shows a
   * block once it is answered (read-your-writes on the blocker's side).
   */
  private async assertNotBlocked(actorId: string, others: readonly string[]): Promise<void> {
    for (const other of new Set(others)) {
      if (other === actorId) continue;
      const blocks = await this.deps.history.listBlocks(other);
      if (blocks.some((block) => block.userId === actorId)) {
        throw new ForbiddenError('BLOCKED', 'this user does not take direct messages from you', { userId: other });
      }
    }
  }

  private directRoomFor(actorId: string, memberIds: string[]): string {
    const others = [...new Set(memberIds)].filter((id) => id !== actorId);
    const [other] = others;
    // An invalid list still goes to the decider, which owns the rule and its error; this only picks the id.
    return other !== undefined && others.length === 1 ? directRoomId(actorId, other) : `dm_invalid_${actorId}`;
  }

  private async assertUsersExist(userIds: string[]): Promise<void> {
    for (const userId of new Set(userIds)) {
      if ((await this.deps.log.streamVersion(userStreamId(userId))) === 0) {
        throw new NotFoundError('NO_USER', `no user ${userId}`, { userId });
      }
    }
  }

  /**
   * The accounts the text `@mentions` by username (case-insensitive, domain/mentions.ts). The room decider keeps
   * those who are members when it decides, so the membership that counts is the one the message is sent into.
   */
  private async mentionedUserIds(text: string): Promise<string[]> {
    const userIds: string[] = [];
    for (const name of mentionedUsernames(text)) {
      const user = await this.deps.history.getUserByUsername(name);
      if (user) userIds.push(user.userId);
    }
    return userIds;
  }

  /** The seq of a message of room `roomId`; a message of another room is NO_MESSAGE, as one that does not exist. */
  private seqIn(roomId: string, messageId: string): number {
    const location = this.locate(messageId);
    if (location.roomId !== roomId) throw new NotFoundError('NO_MESSAGE', `room ${roomId} has no message ${messageId}`, { roomId, messageId });
    return location.seq;
  }

  private locate(messageId: string): { roomId: string; seq: number } {
    const location = parseMessageId(messageId);
    if (!location) throw new NotFoundError('NO_MESSAGE', `no message ${messageId}`, { messageId });
    return location;
  }

  private async room(roomId: string): Promise<RoomView> {
    const room = await this.deps.history.getRoom(roomId);
    if (!room) throw new NotFoundError('NO_ROOM', `no room ${roomId}`, { roomId });
    return room;
  }

  private async message(roomId: string, seq: number): Promise<MessageView> {
    const message = await this.deps.history.getMessage(roomId, seq);
    if (!message) throw new NotFoundError('NO_MESSAGE', `no message ${roomId}.${seq}`);
    return message;
  }
}
