import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import type { CategoryName } from '../streamCategories.js';
import { encodeCommand, type CategoryCommand, type CommandEnvelope, type CommandReply } from './commandMessages.js';
import { commandSideKafka, ensureCommandTopics, type CommandTopicNames } from './commandTopics.js';
import { ReplyTail } from './replyTail.js';

/** No reply came in time: the command may still be decided; a retry with the same command id gets its outcome. */
export class CommandReplyTimeoutError extends UnavailableError {
  constructor(
    readonly commandId: string,
    timeoutMs: number,
  ) {
    super(`no answer from the command processor within ${timeoutMs} ms; retry with the same command id`, {
      reason: 'COMMAND_REPLY_TIMEOUT',
      commandId,
    });
  }
}

/** What the client needs of the process's Kafka event log: where a stream lives, and that it is connected. */
export interface ClientLog {
  readonly partitionCount: number;
  isReady(): boolean;
  partitionOf(streamId: string): number;
}

export interface CommandClientOptions {
  brokers: string[];
  clientId: string;
  topics: CommandTopicNames;
  replicationFactor: number;
  log: ClientLog;
  /** How long a caller waits for the processor's answer. Default 10 s. */
  replyTimeoutMs?: number;
  logger?: Logger;
  /** The process's one reader of the replies topic, shared with its command processor; else the client's own. */
  replies?: ReplyTail;
}

interface Waiter {
  resolve: (reply: CommandReply) => void;
}

interface Outgoing {
  message: Message;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Most commands in one produce request. */
const MAX_SEND_BATCH = 500;

const DEFAULT_REPLY_TIMEOUT_MS = 10_000;
const START_TIMEOUT_MS = 30_000;

/**
 * The api's and gateway's side of the commands topic: produces a command keyed by its stream id to the partition
 * its stream lives in, and waits for the processor's answer on the replies topic (read by this process from the
 * moment it started). Connects on first use; a failed start is tried again by the next command.
 */
export class CommandClient {
  private readonly kafka: Kafka;
  private readonly replyTimeoutMs: number;
  private readonly waiting = new Map<string, Set<Waiter>>();
  private readonly outbox: Outgoing[] = [];
  private flushing = false;
  private producer: Producer | undefined;
  private replies: ReplyTail | undefined;
  private stopListening: () => void = () => undefined;
  private started: Promise<void> | undefined;
  private closed = false;

  constructor(private readonly options: CommandClientOptions) {
    this.replyTimeoutMs = options.replyTimeoutMs ?? DEFAULT_REPLY_TIMEOUT_MS;
    this.kafka = commandSideKafka(options);
  }

  /**
   * Sends one command and resolves with its reply; rejects with CommandReplyTimeoutError if none comes in time.
   * `onQueued` is called once the command is queued behind those sent before it: the commands topic gets them in
   * this order, and the processor decides a partition's commands in the order they are there.
   */
  async send(envelope: CommandEnvelope<CategoryCommand<CategoryName>>, onQueued?: () => void): Promise<CommandReply> {
    if (this.closed) throw new UnavailableError('the command client is closed');
    await this.start();
    const partition = this.options.log.partitionOf(envelope.streamId);
    // Listening before sending: the reply can come back before the produce's acknowledgement does.
    const reply = this.awaitReply(envelope.commandId);
    try {
      const produced = this.produce({
        key: envelope.streamId,
        value: encodeCommand(envelope),
        partition,
        headers: { 'command-id': envelope.commandId },
      });
      onQueued?.();
      await produced;
    } catch (error) {
      reply.cancel();
      throw new UnavailableError('the command could not be sent to Kafka', { commandId: envelope.commandId }, { cause: error });
    }
    return reply.promise;
  }

  /**
   * Group send: every command of this turn (and those queued while a request is out) goes in one produce request.
   * The idempotent producer allows one request in flight, so sending each command on its own would cap a process
   * at one round trip per command.
   */
  private produce(message: Message): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.outbox.push({ message, resolve, reject });
      if (this.flushing) return;
      this.flushing = true;
      setImmediate(() => void this.flush());
    });
  }

  private async flush(): Promise<void> {
    try {
      while (this.outbox.length > 0) {
        const batch = this.outbox.splice(0, MAX_SEND_BATCH);
        const producer = this.producer;
        try {
          if (!producer) throw new UnavailableError('the command client is closed');
          await producer.send({ topic: this.options.topics.commands, acks: -1, messages: batch.map((entry) => entry.message) });
          for (const entry of batch) entry.resolve();
        } catch (error) {
          for (const entry of batch) entry.reject(error);
        }
      }
    } finally {
      this.flushing = false;
    }
  }

  start(): Promise<void> {
    this.started ??= this.startOnce().catch(async (error: unknown) => {
      this.started = undefined;
      await this.disconnect();
      if (error instanceof UnavailableError) throw error;
      const reason = error instanceof Error ? error.message : String(error);
      throw new UnavailableError(`the command client cannot connect to Kafka: ${reason}`, {}, { cause: error });
    });
    return this.started;
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.started?.catch(() => undefined);
    await this.disconnect();
  }

  private async startOnce(): Promise<void> {
    const { log, topics } = this.options;
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!log.isReady()) {
      if (this.closed || Date.now() > deadline) throw new UnavailableError('the event log is not connected to Kafka');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await ensureCommandTopics(this.kafka, topics, log.partitionCount, this.options.replicationFactor);
    const replies =
      this.options.replies ??
      new ReplyTail({ kafka: this.kafka, topic: topics.replies, groupPrefix: this.options.clientId, from: 'end', logger: this.options.logger });
    this.stopListening = replies.listen((_partition, reply) => this.deliver(reply));
    this.replies = replies;
    await replies.acquire();
    const producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      retry: { retries: 10, maxRetryTime: 5000 },
    });
    await producer.connect();
    this.producer = producer;
  }

  private async disconnect(): Promise<void> {
    const { producer, replies } = this;
    this.producer = undefined;
    this.replies = undefined;
    this.stopListening();
    await producer?.disconnect().catch(() => undefined);
    await replies?.release();
  }

  private awaitReply(commandId: string): { promise: Promise<CommandReply>; cancel: () => void } {
    let cancel = (): void => undefined;
    const promise = new Promise<CommandReply>((resolve, reject) => {
      const waiters = this.waiting.get(commandId) ?? new Set<Waiter>();
      this.waiting.set(commandId, waiters);
      const forget = (): void => {
        clearTimeout(timer);
        waiters.delete(waiter);
        if (waiters.size === 0 && this.waiting.get(commandId) === waiters) this.waiting.delete(commandId);
      };
      const waiter: Waiter = {
        resolve: (reply) => {
          forget();
          resolve(reply);
        },
      };
      const timer = setTimeout(() => {
        forget();
        reject(new CommandReplyTimeoutError(commandId, this.replyTimeoutMs));
      }, this.replyTimeoutMs);
      waiters.add(waiter);
      cancel = forget;
    });
    return { promise, cancel };
  }

  private deliver(reply: CommandReply): void {
    const waiters = this.waiting.get(reply.commandId);
    if (!waiters) return;
    for (const waiter of [...waiters]) waiter.resolve(reply);
  }
}
