import { randomUUID } from 'node:crypto';
import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import { parseReply, type CommandReply } from './commandMessages.js';
import { topicEndOffsets } from './commandTopics.js';

export interface ReplyTailOptions {
  kafka: Kafka;
  topic: string;
  /** Names the tail's private consumer group (a fresh one per start, deleted on stop). */
  groupPrefix: string;
  /**
   * 'beginning': every reply the topic holds (the processor rebuilds what it rejected). 'end': only replies written
   * after start() resolves (a caller waiting for answers to the commands it is about to send).
   */
  from: 'beginning' | 'end';
  logger: Logger | undefined;
}

/**
 * Reads every partition of the replies topic, read_committed, in a consumer group of its own (kafkajs has no
 * manual assignment; a group of one gets all partitions). Knows how far it has read each partition, so the
 * processor can wait until it has seen everything committed before it decides.
 *
 * One per process when the process runs both the command processor and the command client (composition:
 * commandExecution.ts): both listen, each reply is read and parsed once. Its users share it with acquire/release.
 */
export class ReplyTail {
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private groupId: string | undefined;
  private healthy = false;
  private readonly consumedThrough = new Map<number, number>();
  private readonly waiters = new Set<() => void>();
  private readonly listeners = new Set<(partition: number, reply: CommandReply) => void>();
  private users = 0;
  private starting: Promise<void> | undefined;

  constructor(private readonly options: ReplyTailOptions) {}

  /** Hands every reply read from now on to `listener`; the function returned stops that. */
  listen(listener: (partition: number, reply: CommandReply) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Starts reading unless a user of the tail already did; resolves once it reads. Match each with release(). */
  acquire(): Promise<void> {
    this.users += 1;
    this.starting ??= this.start().catch(async (error: unknown) => {
      this.starting = undefined;
      await this.stop();
      throw error;
    });
    return this.starting;
  }

  /** One user less; the last one stops the tail. */
  async release(): Promise<void> {
    this.users = Math.max(0, this.users - 1);
    if (this.users > 0) return;
    this.starting = undefined;
    await this.stop();
  }

  get isHealthy(): boolean {
    return this.healthy;
  }

  async start(): Promise<void> {
    const { kafka, topic } = this.options;
    const admin = kafka.admin();
    this.admin = admin;
    await admin.connect();
    const groupId = `${this.options.groupPrefix}.replies.${randomUUID()}`;
    this.groupId = groupId;
    if (this.options.from === 'end') {
      // Seeded rather than left to "latest", which kafkajs resolves at some point after the join: a reply written
      // in between would be skipped, and its caller would wait for nothing.
      const offsets = await topicEndOffsets(admin, topic);
      await admin.setOffsets({ groupId, topic, partitions: offsets.map(({ partition, high }) => ({ partition, offset: high })) });
      for (const { partition, high } of offsets) this.consumedThrough.set(partition, Number(high));
    }
    const consumer = kafka.consumer({ groupId, readUncommitted: false, allowAutoTopicCreation: false, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    consumer.on(consumer.events.GROUP_JOIN, () => {
      this.healthy = true;
      this.wake();
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.healthy = false;
      this.options.logger?.warn({ err: payload.error, restart: payload.restart }, 'the replies consumer failed');
    });
    // Batches filtered out entirely (transaction markers, aborted replies) still move the offset.
    consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) => {
      this.markConsumed(payload.partition, Number(payload.lastOffset) + 1);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ autoCommit: false, partitionsConsumedConcurrently: 4, eachBatch: (payload) => this.consume(payload) });
    await joined;
  }

  /** Resolves once every reply before `offset` of a partition has been handed to onReply. */
  waitConsumed(partition: number, offset: number, timeoutMs: number): Promise<void> {
    if ((this.consumedThrough.get(partition) ?? 0) >= offset) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const check = (): void => {
        if ((this.consumedThrough.get(partition) ?? 0) < offset) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new UnavailableError(`the replies topic was not read up to ${partition}:${offset} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    const { consumer, admin, groupId } = this;
    this.consumer = undefined;
    this.admin = undefined;
    this.healthy = false;
    await consumer?.disconnect().catch(() => undefined);
    // The group was this tail's alone; leaving it would litter the cluster with one per start.
    if (admin && groupId) await admin.deleteGroups([groupId]).catch(() => undefined);
    await admin?.disconnect().catch(() => undefined);
  }

  private async consume({ batch }: EachBatchPayload): Promise<void> {
    for (const message of batch.messages) {
      const reply = parseReply(message.value);
      if (reply) for (const listener of this.listeners) listener(batch.partition, reply);
      else this.options.logger?.warn({ partition: batch.partition, offset: message.offset }, 'not a command reply; skipped');
    }
    this.markConsumed(batch.partition, Number(batch.lastOffset()) + 1);
  }

  private markConsumed(partition: number, next: number): void {
    if (!Number.isSafeInteger(next) || next <= (this.consumedThrough.get(partition) ?? 0)) return;
    this.consumedThrough.set(partition, next);
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}
