import type { Logger } from 'pino';
import { answersIn, type AssistantConfig } from '../commands/user/assistantConfig.js';
import { userStateOf } from '../commands/user/erasedAccounts.js';
import { ChatError, RateLimitedError } from '../domain/errors.js';
import { parseMessageId, userStreamId } from '../domain/ids.js';
import type { MessageSent, RoomKind } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import { asRoomEvent } from '../events/eventGuards.js';
import type { EventLog, Subscription } from '../eventlog/eventLog.js';
import type { HistoryStore, MessageView } from '../projections/history/historyStore.js';
import type { WaitForHistory } from '../projections/readYourWrites.js';
import type { Clock, IdGenerator } from '../support/clock.js';
import type { AnswerLocks } from './answerLocks.js';
import type { AnswerBus, AnswerRef, AnswerSignal, AskerError, AskerErrorCode } from './answerSignals.js';
import { addressedMembers } from './answerTriggers.js';
import type { AssistantBudgets } from './assistantBudgets.js';
import { buildPrompt, type ContextMessage } from './conversationContext.js';
import { ModelError, type ModelClient, type ModelUsage } from './modelClient.js';

// Answers the questions put to assistants (issue #19). It follows the log from its head (the process's shared
// subscription), and for each MessageSent that addresses an assistant member (answerTriggers.ts) it takes the
// question's lease (so of several gateways one answers), the asker's lease in the room (ALREADY_PROCESSING), the
// daily budgets, then streams the model's answer over the answer bus and appends it, once complete, as the
// assistant's ordinary MessageSent. Nothing is appended before the answer is whole: a cancel, a timeout, a provider
// error or a crash leaves no half message. The model request runs outside the log handler, so a slow model never
// holds back the subscription.

/** How many recent messages of the room are read for the context (then cut to the token budget). */
const CONTEXT_MESSAGES = 50;
/** Rooms whose kind is remembered; past this the memory starts over (it is only a shortcut). */
const ROOM_KINDS_KEPT = 100_000;
/** How much longer than the answer's timeout a lease lives: the append after the last piece, a slow store. */
const LEASE_MARGIN_MS = 30_000;

export interface ResponderSettings {
  model: string;
  timeoutMs: number;
  contextTokens: number;
  maxAnswerTokens: number;
}

export interface ResponderMetrics {
  tokens(kind: 'prompt' | 'completion', model: string, count: number): void;
  outcome(outcome: 'answered' | AskerErrorCode): void;
}

/** Appends the finished answer as the assistant's message; the use case REST and WebSocket send with. */
export type SendAnswer = (
  assistantId: string,
  input: { roomId: string; text: string; clientMessageId: string; replyTo: string },
) => Promise<{ messageId: string; seq: number }>;

/** Records what a stored answer cost, in the assistant's usage stream (the analytics projection sums it). */
export type RecordUsage = (usage: {
  assistantId: string;
  roomId: string;
  messageId: string;
  askerId: string;
  model: string;
  promptTokens: number;
  completionTokens: number;
}) => Promise<void>;

export interface AssistantResponderDeps {
  log: Pick<EventLog, 'subscribe' | 'headPosition' | 'readStream'>;
  waitForHistory: WaitForHistory;
  history: Pick<HistoryStore, 'getRoom' | 'getMembers' | 'getMessages' | 'getMessage' | 'getThread' | 'getUsers'>;
  send: SendAnswer;
  recordUsage: RecordUsage;
  maxMessageLength: number;
  model: ModelClient;
  bus: AnswerBus;
  locks: AnswerLocks;
  budgets: AssistantBudgets;
  settings: ResponderSettings;
  metrics?: ResponderMetrics;
  logger: Logger;
  clock: Clock;
  ids: IdGenerator;
}

interface Assistant {
  userId: string;
  config: AssistantConfig;
}

interface InFlight {
  answer: AnswerRef;
  controller: AbortController;
}

/** Why an answer's request was aborted. */
type StopReason = 'cancel' | 'timeout' | 'full' | 'shutdown';

export class AssistantResponder {
  private subscription: Subscription | undefined;
  private stopBus: (() => void) | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  private readonly running = new Set<Promise<void>>();
  private readonly roomKinds = new Map<string, RoomKind>();

  constructor(private readonly deps: AssistantResponderDeps) {}

  async start(): Promise<void> {
    if (!this.deps.model.configured) {
      this.deps.logger.warn('assistants will not answer: OPENAI_API_KEY is not set (askers get AI_ERROR not-configured)');
    }
    this.stopBus = this.deps.bus.subscribe((signal) => this.onSignal(signal));
    const head = await this.deps.log.headPosition();
    this.subscription = this.deps.log.subscribe({
      after: head,
      handler: async (events) => {
        for (const event of events) this.consider(event);
      },
      onError: (error) => this.deps.logger.error({ err: error }, 'assistant log subscription failed'),
    });
  }

  /** Stops taking questions and aborts the answers under way; none of them is appended. */
  async stop(): Promise<void> {
    await this.subscription?.close();
    this.subscription = undefined;
    for (const flight of this.inFlight.values()) flight.controller.abort('shutdown' satisfies StopReason);
    await Promise.allSettled([...this.running]);
    this.stopBus?.();
  }

  private onSignal(signal: AnswerSignal): void {
    if (signal.kind !== 'cancel') return;
    for (const flight of this.inFlight.values()) {
      const { answer } = flight;
      const mine = answer.roomId === signal.roomId && answer.askerId === signal.userId;
      if (mine && (signal.streamId === undefined || signal.streamId === answer.streamId)) {
        flight.controller.abort('cancel' satisfies StopReason);
      }
    }
  }

  private consider(event: RecordedEvent): void {
    const roomEvent = asRoomEvent(event);
    if (roomEvent?.type !== 'MessageSent') return;
    const task = this.questionAsked(roomEvent).catch((error: unknown) =>
      this.deps.logger.error({ err: error, messageId: roomEvent.data.messageId }, 'assistant could not consider a message'),
    );
    this.running.add(task);
    void task.finally(() => this.running.delete(task));
  }

  /**
   * Every gateway sees every message, so the common case (a group room, nobody mentioned) must cost nothing: a room's
   * kind never changes, and once known it is kept, so such a message needs no read at all.
   */
  private async questionAsked(question: RecordedEvent<MessageSent>): Promise<void> {
    const { roomId, senderId, text, mentions } = question.data;
    const mentionsSomebody = mentions !== undefined && mentions.length > 0;
    if (text.length === 0 || (this.roomKinds.get(roomId) !== 'direct' && this.roomKinds.has(roomId) && !mentionsSomebody)) return;
    // The view must show the room as of this message: its members, its kind, the messages before it.
    await this.deps.waitForHistory(await this.deps.log.headPosition());
    const room = await this.deps.history.getRoom(roomId);
    if (!room) return;
    if (this.roomKinds.size >= ROOM_KINDS_KEPT) this.roomKinds.clear();
    this.roomKinds.set(roomId, room.kind);
    if (room.kind !== 'direct' && !mentionsSomebody) return;
    const members = await this.deps.history.getMembers(roomId);
    const addressed = addressedMembers({ roomKind: room.kind, senderId, mentions, members });
    if (addressed.length === 0 || (await this.assistant(senderId)) !== undefined) return;
    for (const userId of addressed) {
      const assistant = await this.assistant(userId);
      if (assistant && answersIn(assistant.config, roomId)) await this.answer(question, assistant);
    }
  }

  /** The account's assistant configuration from its own stream, or undefined for a person. */
  private async assistant(userId: string): Promise<Assistant | undefined> {
    const state = userStateOf(await this.deps.log.readStream(userStreamId(userId)));
    if (!state.registered || state.erased || state.assistant === null) return undefined;
    return { userId, config: state.assistant };
  }

  private async answer(question: RecordedEvent<MessageSent>, assistant: Assistant): Promise<void> {
    const { roomId, senderId: askerId, messageId, clientMessageId } = question.data;
    const leaseMs = this.deps.settings.timeoutMs + LEASE_MARGIN_MS;
    // Every gateway sees the question; the one that takes its lease answers it, and the others stop here.
    const claimed = await this.deps.locks.acquire(`question:${messageId}:${assistant.userId}`, leaseMs);
    if (!claimed) return;
    const refuse = (error: Omit<AskerError, 'ref'>) =>
      this.publish({ kind: 'refused', roomId, askerId, error: { ...error, ref: clientMessageId } }, error.code);
    if (!this.deps.model.configured) {
      return refuse({
        code: 'AI_ERROR',
        message: 'assistants are not configured on this server (no OPENAI_API_KEY)',
        details: { reason: 'not-configured', messageId },
      });
    }
    const release = await this.deps.locks.acquire(`asking:${roomId}:${askerId}`, leaseMs);
    if (!release) {
      return refuse({
        code: 'ALREADY_PROCESSING',
        message: 'an assistant is still answering your previous question in this room',
        details: { messageId },
      });
    }
    try {
      await this.deps.budgets.admit(askerId, roomId);
    } catch (error) {
      await release();
      if (!(error instanceof RateLimitedError)) throw error;
      const code = error.code === 'RATE_LIMIT_UNAVAILABLE' ? 'RATE_LIMIT_UNAVAILABLE' : 'RATE_LIMIT_EXCEEDED';
      return refuse({ code, message: error.message, details: { ...error.details, messageId } });
    }
    try {
      await this.stream(question, assistant);
    } finally {
      await release();
    }
  }

  private async stream(question: RecordedEvent<MessageSent>, assistant: Assistant): Promise<void> {
    const { roomId, senderId: askerId, messageId, clientMessageId } = question.data;
    const { settings } = this.deps;
    const model = assistant.config.model || settings.model;
    const answer: AnswerRef = { streamId: this.deps.ids.next(), roomId, replyTo: messageId, senderId: assistant.userId, askerId };
    const messages = buildPrompt({
      systemPrompt: assistant.config.systemPrompt,
      assistantId: assistant.userId,
      conversation: await this.conversation(roomId, question.streamVersion, question.data.threadId),
      budgetTokens: settings.contextTokens,
    });
    const controller = new AbortController();
    const flight: InFlight = { answer, controller };
    this.inFlight.set(answer.streamId, flight);
    const timer = setTimeout(() => controller.abort('timeout' satisfies StopReason), settings.timeoutMs);
    await this.publish({ kind: 'started', answer, deadline: this.deps.clock.now() + settings.timeoutMs });
    // Pieces go out in order without waiting for each other: the bus keeps one publisher's order.
    let index = 0;
    let text = '';
    const onPiece = (delta: string) => {
      const room = this.deps.maxMessageLength - [...text].length;
      const piece = [...delta].slice(0, Math.max(0, room)).join('');
      if (piece.length > 0) {
        text += piece;
        void this.publish({ kind: 'piece', answer, index: index++, delta: piece });
      }
      // A message holds at most MAX_MESSAGE_LENGTH: the answer stops there, and what was streamed is what is stored.
      if ([...text].length >= this.deps.maxMessageLength) controller.abort('full' satisfies StopReason);
    };
    const fail = (error: Omit<AskerError, 'ref'>) =>
      this.publish({ kind: 'failed', answer, error: { ...error, ref: clientMessageId } }, error.code);
    try {
      let usage: ModelUsage | undefined;
      try {
        const result = await this.deps.model.complete({ model, messages, maxAnswerTokens: settings.maxAnswerTokens, signal: controller.signal, onPiece });
        usage = result.usage;
      } catch (error) {
        if (!(controller.signal.reason === 'full' && text.trim().length > 0)) throw error;
      }
      // A reply to the question: it joins the question's thread, or starts one (#17).
      const stored = await this.deps.send(assistant.userId, { roomId, text, clientMessageId: `answer:${messageId}`, replyTo: messageId });
      await this.publish({ kind: 'done', answer, messageId: stored.messageId, seq: stored.seq }, 'answered');
      const spent = usage ?? { promptTokens: messages.reduce((sum, m) => sum + Math.ceil(m.content.length / 4), 0), completionTokens: Math.ceil(text.length / 4) };
      this.deps.metrics?.tokens('prompt', model, spent.promptTokens);
      this.deps.metrics?.tokens('completion', model, spent.completionTokens);
      await this.deps.budgets.spend(askerId, roomId, spent.promptTokens + spent.completionTokens);
      // The answer is stored whatever happens here: a usage that cannot be recorded is logged, not the asker's problem.
      await this.deps
        .recordUsage({ assistantId: assistant.userId, roomId, messageId: stored.messageId, askerId, model, ...spent })
        .catch((error: unknown) => this.deps.logger.warn({ err: error, messageId: stored.messageId }, 'assistant usage not recorded'));
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      if (reason === 'timeout') {
        await fail({ code: 'AI_TIMEOUT', message: `the answer took longer than ${settings.timeoutMs} ms`, details: { messageId, timeoutMs: settings.timeoutMs } });
      } else if (reason === 'cancel' || reason === 'shutdown') {
        await fail({ code: 'AI_ERROR', message: reason === 'cancel' ? 'the answer was cancelled' : 'the server is shutting down', details: { messageId, reason: reason === 'cancel' ? 'cancelled' : 'shutdown' } });
      } else if (error instanceof ModelError) {
        await fail({ code: 'AI_ERROR', message: error.message, details: { ...error.details, messageId } });
      } else {
        this.deps.logger.error({ err: error, messageId }, 'assistant answer failed');
        const details = error instanceof ChatError ? { reason: 'not-stored', code: error.code, messageId } : { reason: 'not-stored', messageId };
        await fail({ code: 'AI_ERROR', message: 'the answer could not be stored', details });
      }
    } finally {
      clearTimeout(timer);
      this.inFlight.delete(answer.streamId);
    }
  }

  /**
   * What the question belongs to, oldest first, with the senders' names: its thread (the root and the replies up to
   * the question) when it is a reply, otherwise the room's messages up to it.
   */
  private async conversation(roomId: string, questionSeq: number, threadId: string | undefined): Promise<ContextMessage[]> {
    const messages = await this.contextMessages(roomId, questionSeq, threadId);
    const senders = await this.deps.history.getUsers([...new Set(messages.map((message) => message.senderId))]);
    const names = new Map(senders.map((user) => [user.userId, user.displayName || user.username]));
    return messages.map((message: MessageView) => ({
      senderId: message.senderId,
      senderName: names.get(message.senderId) ?? message.senderId,
      text: message.text,
      erased: message.erased,
      deleted: message.deleted,
    }));
  }

  private async contextMessages(roomId: string, questionSeq: number, threadId: string | undefined): Promise<MessageView[]> {
    const rootSeq = threadId === undefined ? undefined : parseMessageId(threadId)?.seq;
    if (rootSeq === undefined) {
      return (await this.deps.history.getMessages(roomId, { before: questionSeq + 1, limit: CONTEXT_MESSAGES })).messages;
    }
    const root = await this.deps.history.getMessage(roomId, rootSeq);
    const replies: MessageView[] = [];
    let after: number | undefined;
    // Oldest first, in pages; a thread's replies up to the question, the newest CONTEXT_MESSAGES of them kept.
    for (;;) {
      const page = await this.deps.history.getThread(roomId, rootSeq, { limit: 100, ...(after === undefined ? {} : { after }) });
      const upToQuestion = page.messages.filter((message) => message.seq !== rootSeq && message.seq <= questionSeq);
      replies.push(...upToQuestion);
      const last = page.messages.at(-1);
      if (!page.hasMore || last === undefined || last.seq >= questionSeq) break;
      after = last.seq;
    }
    return [...(root ? [root] : []), ...replies.slice(-CONTEXT_MESSAGES)];
  }

  private async publish(signal: AnswerSignal, outcome?: 'answered' | AskerErrorCode): Promise<void> {
    if (outcome) this.deps.metrics?.outcome(outcome);
    try {
      await this.deps.bus.publish(signal);
    } catch (error) {
      this.deps.logger.warn({ err: error, kind: signal.kind }, 'answer signal not relayed');
    }
  }
}
