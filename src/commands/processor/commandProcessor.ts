// The single writer per stream on Kafka (DESIGN.md "Single writer per stream"): a consumer group on the commands
// topic. Commands partition p carries exactly the streams of events partition p (same count, same partitioner),
// so the group member that owns commands partition p is the only process that decides for those streams and the
// only one that writes events partition p.
//
// Exactly once: each batch of commands of p becomes ONE Kafka transaction holding the events (to events partition
// p), the replies (to replies partition p) and the commands' consumed offset; read_committed readers see all of it
// or none. kafkajs 2.2 has no KIP-447 (fencing by consumer group generation), so the transactional id is per input
// partition, `<prefix>-<p>`: whoever takes p over initialises that id, which aborts the previous owner's open
// transaction and fences its producer (a zombie that still believes it owns p can no longer commit anything).
// Only then does the new owner read events partition p up to its last stable offset, and decide.
//
// One file of some 470 lines on purpose: the group's life cycle, partition take-over and the chunk loop
// share the owned partitions and the fencing order above, and read best together. A chunk's transaction
// (chunkTransaction.ts), its reply planning (plannedReply.ts) and the options (processorOptions.ts) stand apart.
// Where it would split next: partition ownership (own, takeOver, release, OwnedPartition) into a module of its own.

import { Kafka, type Consumer, type EachBatchPayload, type KafkaMessage, type Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { ChatError, UnavailableError, type ErrorCode } from '../../domain/errors.js';
import type { Readiness } from '../../eventlog/kafka/kafkaEventTopic.js';
import { kafkaLogCreator } from '../../eventlog/kafka/kafkaLogger.js';
import type { CommandObserver } from '../commandExecutor.js';
import type { CategoryName } from '../streamCategories.js';
import { parseCommand, type CategoryCommand, type CommandEnvelope, type CommandReply, type EventPlace } from './commandMessages.js';
import { ensureCommandTopics, topicEndOffsets } from './commandTopics.js';
import { commitExpecting, TRANSACTION_RETRY, type DecidedChunk } from './chunkTransaction.js';
import { plannedOf, type PlannedReply } from './plannedReply.js';
import type { CommandProcessorOptions, CommandProcessorStats } from './processorOptions.js';
import { ReplyTail } from './replyTail.js';
import type { BeforeEncode, EncodeEvent, EncodedEvent, ProcessorWriters, WriterLog } from './streamWriter.js';
import { WrittenFence } from './writtenFence.js';

interface OwnedPartition {
  partition: number;
  producer: Producer;
  ready: Promise<void>;
  /**
   * Where the next event of events partition p will land when this processor, its only writer, is the one who
   * writes it: the partition's end at take-over, then after each commit its events and its commit marker (one
   * offset). The replies of a chunk name their events' places by it, so both go in one produce request
   * (chunkTransaction.ts: a miss commits the chunk again in two sends, whose offsets set it right); undefined, or
   * NaN, when the take-over could not tell the end: then every chunk goes in two sends until a commit tells it.
   */
  nextEventOffset: number | undefined;
}

type State = 'idle' | 'starting' | 'running' | 'stopped';

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PER_TRANSACTION = 500;
const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;

export class CommandProcessor {
  private readonly kafka: Kafka;
  private readonly logger: Logger | undefined;
  private readonly beforeEncode: BeforeEncode;
  private readonly observe: CommandObserver;
  private readonly encode: EncodeEvent;
  private readonly maxPerTransaction: number;
  private readonly operationTimeoutMs: number;
  /** What this processor wrote that its index may not have read yet (writtenFence.ts). */
  private readonly fence: WrittenFence;
  private readonly writers: ProcessorWriters;
  /** The index as the writers read it: behind the fence. */
  private readonly writerLog: WriterLog;
  private consumer: Consumer | undefined;
  private replies: ReplyTail | undefined;
  private readonly owned = new Map<number, OwnedPartition>();
  /** The first rejection of every command id (rebuilt from the replies topic at start, kept up to date after). */
  private readonly rejected = new Map<string, CommandReply>();
  private state: State = 'idle';
  private joined = false;
  private lastError: string | undefined;
  private started: Promise<void> | undefined;
  private readonly counters: CommandProcessorStats = {
    commands: 0,
    accepted: 0,
    rejected: 0,
    replayed: 0,
    transactions: 0,
    events: 0,
    aborted: 0,
    takeovers: 0,
    offsetMisses: 0,
  };

  constructor(private readonly options: CommandProcessorOptions) {
    this.logger = options.logger;
    this.beforeEncode = options.beforeEncode ?? ((events) => Promise.resolve(events));
    this.observe = options.observe ?? ((_type, run) => run());
    this.maxPerTransaction = options.maxCommandsPerTransaction ?? DEFAULT_MAX_PER_TRANSACTION;
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.fence = new WrittenFence(options.log);
    const fenced = this.fence.reader();
    this.writers = options.writers(fenced);
    this.writerLog = { readStream: fenced.readStream, lastStoredBody: (streamId) => options.log.lastStoredBody(streamId) };
    this.encode = (event, streamId, streamVersion, previousHash) =>
      options.codec.encode({ ...event, streamId, streamVersion, previousHash });
    this.kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      retry: { retries: 5, initialRetryTime: 200, maxRetryTime: 5000 },
      logCreator: kafkaLogCreator(options.logger?.child({ component: 'kafkajs' })),
    });
  }

  /** Joins the processors' group and starts deciding; resolves once the group has been joined. */
  start(): Promise<void> {
    this.started ??= this.startOnce().catch(async (error: unknown) => {
      this.lastError = error instanceof Error ? error.message : String(error);
      await this.stop();
      throw error;
    });
    return this.started;
  }

  /** Ready: in the group, consuming, with the replies topic being read. */
  readiness(): Readiness {
    if (this.state === 'running' && this.joined && this.replies?.isHealthy === true) return { ready: true };
    if (this.state === 'stopped') return { ready: false, reason: 'the command processor is stopped' };
    return { ready: false, reason: this.lastError ?? 'the command processor is starting' };
  }

  stats(): CommandProcessorStats {
    return { ...this.counters };
  }

  /** The partitions this processor owns right now (its producers are initialised). */
  ownedPartitions(): number[] {
    return [...this.owned.keys()].sort((a, b) => a - b);
  }

  /** Leaves the group (its partitions move to the other processors) and disconnects. */
  async stop(): Promise<void> {
    if (this.state === 'stopped') return;
    this.state = 'stopped';
    this.joined = false;
    await this.consumer?.disconnect().catch(() => undefined);
    this.consumer = undefined;
    await Promise.all([...this.owned.keys()].map((partition) => this.release(partition)));
    await this.replies?.stop();
    this.replies = undefined;
  }

  private async startOnce(): Promise<void> {
    this.state = 'starting';
    const { log, topics } = this.options;
    await this.whenLogReady();
    await ensureCommandTopics(this.kafka, topics, log.partitionCount, this.options.replicationFactor);
    const replies = new ReplyTail({
      kafka: this.kafka,
      topic: topics.replies,
      groupPrefix: this.options.groupId,
      from: 'beginning',
      onReply: (_partition, reply) => this.rememberRejection(reply),
      logger: this.logger,
    });
    this.replies = replies;
    await replies.start();
    if (this.isStopped()) return;

    const consumer = this.kafka.consumer({
      groupId: this.options.groupId,
      readUncommitted: false,
      allowAutoTopicCreation: false,
      sessionTimeout: this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.max(500, Math.floor((this.options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS) / 5)),
      maxWaitTimeInMs: 500,
    });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    consumer.on(consumer.events.GROUP_JOIN, ({ payload }) => {
      this.joined = true;
      const assigned = new Set(payload.memberAssignment[topics.commands] ?? []);
      this.logger?.info({ partitions: [...assigned].sort((a, b) => a - b) }, 'command processor assigned partitions');
      // A partition that went elsewhere: its next owner fences our producer anyway; dropping it now frees the
      // state and makes sure a later return of the partition starts with a fresh take-over.
      for (const partition of this.owned.keys()) if (!assigned.has(partition)) void this.release(partition);
    });
    consumer.on(consumer.events.CRASH, ({ payload }) => {
      this.joined = false;
      this.lastError = `the command processor's consumer failed: ${payload.error.message}`;
      this.logger?.warn({ err: payload.error, restart: payload.restart }, this.lastError);
    });
    await consumer.connect();
    await consumer.subscribe({ topics: [topics.commands], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: log.partitionCount,
      eachBatch: (payload) => this.onBatch(payload),
    });
    await joined;
    if (!this.isStopped()) this.state = 'running';
    this.logger?.info({ groupId: this.options.groupId, topics }, 'command processor running');
  }

  private isStopped(): boolean {
    return this.state === 'stopped';
  }

  private async whenLogReady(): Promise<void> {
    const deadline = Date.now() + this.operationTimeoutMs;
    while (!this.options.log.isReady()) {
      if (this.isStopped()) throw new UnavailableError('the command processor was stopped while starting');
      if (Date.now() > deadline) throw new UnavailableError('the event log did not connect to Kafka in time');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private rememberRejection(reply: CommandReply): void {
    if (reply.outcome.status === 'rejected' && !this.rejected.has(reply.commandId)) this.rejected.set(reply.commandId, reply);
  }

  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    if (batch.messages.length === 0 || this.isStopped()) return;
    let owned: OwnedPartition;
    try {
      owned = await this.own(partition);
    } catch (error) {
      this.logger?.warn({ err: error, partition }, 'command partition could not be taken over; trying again');
      throw new BatchRetryError(partition);
    }
    for (let start = 0; start < batch.messages.length; start += this.maxPerTransaction) {
      if (!payload.isRunning() || payload.isStale() || this.isStopped()) return;
      const chunk = batch.messages.slice(start, start + this.maxPerTransaction);
      try {
        await this.processChunk(owned, chunk);
      } catch (error) {
        this.counters.aborted += 1;
        this.logger?.warn({ err: error, partition }, 'command batch not committed; its partition will be taken over again');
        // Whatever happened (fenced, broker away, a failed read), the cached state of p may be ahead of Kafka:
        // forget it all, and take p over again before the next batch (new init, catch-up).
        await this.release(partition);
        throw new BatchRetryError(partition);
      }
      const last = chunk[chunk.length - 1];
      if (last) payload.resolveOffset(last.offset);
      await payload.heartbeat();
    }
  }

  /** This process's ownership of p: producer initialised (previous owner fenced) and the index caught up. */
  private async own(partition: number): Promise<OwnedPartition> {
    const existing = this.owned.get(partition);
    if (existing) {
      await existing.ready;
      return existing;
    }
    const producer = this.kafka.producer({
      transactionalId: `${this.options.transactionalIdPrefix}-${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      transactionTimeout: 30_000,
      retry: TRANSACTION_RETRY,
    });
    const owned: OwnedPartition = { partition, producer, ready: Promise.resolve(), nextEventOffset: undefined };
    owned.ready = this.takeOver(partition, producer).then((eventsEnd) => {
      owned.nextEventOffset = eventsEnd;
    });
    this.owned.set(partition, owned);
    try {
      await owned.ready;
    } catch (error) {
      await this.release(partition);
      throw error;
    }
    return owned;
  }

  /** Resolves with the end of events partition p once this process may decide its commands. */
  private async takeOver(partition: number, producer: Producer): Promise<number> {
    await producer.connect();
    // Initialises the transactional id: aborts the previous owner's open transaction and fences its producer.
    // (An empty transaction sends nothing; only the initialisation reaches the broker.)
    await (await producer.transaction()).abort();
    // Everything the previous owners committed, events and replies, must be read before the first decision.
    await this.options.log.catchUpPartition(partition);
    const replies = this.replies;
    if (!replies) throw new UnavailableError('the command processor is stopped');
    const admin = this.kafka.admin();
    await admin.connect();
    let eventsEnd: number;
    try {
      const offsets = await topicEndOffsets(admin, this.options.topics.replies);
      const end = Number(offsets.find((entry) => entry.partition === partition)?.high ?? 0);
      await replies.waitConsumed(partition, end, this.operationTimeoutMs);
      // The previous owner's open transaction was aborted by the initialisation above, markers written: the end
      // is where our first event goes, unless another writer appends meanwhile (then the first commit tells).
      const events = await topicEndOffsets(admin, this.options.log.topicName);
      eventsEnd = Number(events.find((entry) => entry.partition === partition)?.high ?? Number.NaN);
    } finally {
      await admin.disconnect();
    }
    this.counters.takeovers += 1;
    this.logger?.info({ partition }, 'command partition taken over');
    return eventsEnd;
  }

  private async release(partition: number): Promise<void> {
    const owned = this.owned.get(partition);
    if (!owned) return;
    this.owned.delete(partition);
    this.fence.forget(partition);
    for (const writer of Object.values(this.writers)) writer.dropPartition(partition);
    await owned.ready.catch(() => undefined);
    await owned.producer.disconnect().catch(() => undefined);
  }

  /**
   * Decides a chunk of commands of one partition and commits the outcome in one transaction. It does not wait for
   * the index to read the previous transaction back: the fence answers for what the index may not hold yet.
   */
  private async processChunk(owned: OwnedPartition, messages: KafkaMessage[]): Promise<void> {
    const { log, topics } = this.options;
    const { partition } = owned;

    const events: EncodedEvent[] = [];
    const planned: PlannedReply[] = [];
    const inChunk = new Map<string, PlannedReply>();
    const parsed = messages.map((message) => ({ message, command: parseCommand(message.value) }));
    const beforeEncode = await this.beforeEncodeOf(parsed.flatMap(({ command }) => (command.ok ? [command.envelope.context.actor.userId] : [])));
    for (const { message, command } of parsed) {
      const reply = await this.decideOne(partition, message, command, events, inChunk, beforeEncode);
      if (reply) planned.push(reply);
    }

    const last = messages[messages.length - 1];
    const chunk: DecidedChunk = {
      eventsTopic: log.topicName,
      topics,
      groupId: this.options.groupId,
      partition,
      events,
      planned,
      nextOffset: last === undefined ? undefined : Number(last.offset) + 1,
      expectedBase: Number.isSafeInteger(owned.nextEventOffset) ? owned.nextEventOffset : undefined,
    };
    const { base, replies, miss } = await commitExpecting(owned.producer, chunk);
    if (miss) {
      this.counters.offsetMisses += 1;
      this.logger?.info({ partition, expected: miss.expected, actual: miss.actual }, 'events partition moved under the processor; chunk committed in two sends');
    }
    // Its events, then the commit marker, which takes one offset too.
    if (events.length > 0) owned.nextEventOffset = base + events.length + 1;
    const accepted = new Map<string, EventPlace[]>();
    for (const reply of replies) {
      this.rememberRejection(reply);
      if (!reply.replayed && reply.outcome.status === 'accepted') accepted.set(reply.commandId, reply.outcome.events);
    }
    if (events.length > 0) this.fence.wrote(partition, base + events.length, accepted);
    this.counters.transactions += 1;
    this.counters.events += events.length;
  }

  /** The chunk's beforeEncode: with its actors' keys fetched at once when the deployment can (beforeEncodeFor). */
  private async beforeEncodeOf(actorIds: string[]): Promise<BeforeEncode> {
    const { beforeEncodeFor } = this.options;
    return beforeEncodeFor && actorIds.length > 0 ? beforeEncodeFor(actorIds) : this.beforeEncode;
  }

  /** One command: its reply (or none for a message that cannot even be answered); its events join `events`. */
  private async decideOne(
    partition: number,
    message: KafkaMessage,
    parsed: ReturnType<typeof parseCommand>,
    events: EncodedEvent[],
    inChunk: Map<string, PlannedReply>,
    beforeEncode: BeforeEncode,
  ): Promise<PlannedReply | undefined> {
    this.counters.commands += 1;
    if (!parsed.ok) {
      this.logger?.warn({ partition, offset: message.offset, problem: parsed.problem }, 'malformed command');
      if (parsed.commandId === undefined) return undefined;
      const streamId = message.key?.toString('utf8') || 'unknown';
      return this.rejection(parsed.commandId, streamId, 'VALIDATION_FAILED', `malformed command: ${parsed.problem}`);
    }
    const { envelope } = parsed;
    const { commandId, streamId } = envelope;

    const first = inChunk.get(commandId);
    if (first) return this.replayOf(first);
    const rejected = this.rejected.get(commandId);
    if (rejected) return this.replayOf(plannedOf(rejected));
    // Accepted in a transaction of ours the index may not have read yet; else the index knows (take-over caught up).
    const recent = this.fence.recentPlaces(partition, commandId);
    if (recent) return this.replayOf({ commandId, streamId, replayed: true, outcome: { status: 'accepted', places: recent } });
    const earlier = await this.options.log.findByCommandId(commandId);
    if (earlier.length > 0) {
      this.counters.replayed += 1;
      const places = earlier.map(({ partition: p, position }) => ({ partition: p, position }));
      return { commandId, streamId, replayed: true, outcome: { status: 'accepted', places } };
    }
    if (this.options.log.partitionOf(streamId) !== partition) {
      // Only the owner of a stream's partition may decide for it: a command elsewhere was sent with another
      // partition count or partitioner, and deciding it here would make two writers.
      return this.rejection(commandId, streamId, 'VALIDATION_FAILED', `stream ${streamId} does not live in partition ${partition}`);
    }

    let reply: PlannedReply;
    try {
      const encoded = await this.decide(partition, envelope, beforeEncode);
      reply = { commandId, streamId, replayed: false, outcome: { status: 'written', first: events.length, count: encoded.length } };
      events.push(...encoded);
      this.counters.accepted += 1;
    } catch (error) {
      // A log that cannot be read right now is no answer: the whole chunk is retried. Anything else is this
      // command's answer, even a bug (a stream the decider cannot fold): answering it INTERNAL_ERROR keeps one
      // command from stalling every stream of its partition behind it forever.
      if (error instanceof UnavailableError) throw error;
      if (error instanceof ChatError) {
        reply = this.rejection(commandId, streamId, error.code, error.message, error.details);
      } else {
        this.logger?.error({ err: error, commandId, streamId }, 'a command failed unexpectedly; answered INTERNAL_ERROR');
        reply = this.rejection(commandId, streamId, 'INTERNAL_ERROR', 'the command could not be decided');
      }
    }
    inChunk.set(commandId, reply);
    return reply;
  }

  private decide(partition: number, envelope: CommandEnvelope, beforeEncode: BeforeEncode): Promise<EncodedEvent[]> {
    return this.observe(envelope.body.command.type, () => this.decideWith(partition, envelope, envelope.body, beforeEncode));
  }

  /** The category's own writer decides: the body's category and command type go together (commandMessages.ts). */
  private decideWith<K extends CategoryName>(
    partition: number,
    envelope: CommandEnvelope,
    body: CategoryCommand<K>,
    beforeEncode: BeforeEncode,
  ): Promise<EncodedEvent[]> {
    const metadata = { commandId: envelope.commandId, correlationId: envelope.correlationId };
    const writer: ProcessorWriters[K] = this.writers[body.category];
    return writer.decide(this.writerLog, partition, envelope.streamId, body.command, envelope.context, metadata, beforeEncode, this.encode);
  }

  private rejection(
    commandId: string,
    streamId: string,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ): PlannedReply {
    this.counters.rejected += 1;
    return { commandId, streamId, replayed: false, outcome: { status: 'rejected', code, message, ...(details ? { details } : {}) } };
  }

  private replayOf(first: PlannedReply): PlannedReply {
    this.counters.replayed += 1;
    return { ...first, replayed: true };
  }

}

/**
 * Thrown to kafkajs when a batch was not committed, whatever the cause (logged before): retriable, so kafkajs
 * consumes the batch again from the last committed offset instead of stopping the consumer for good, as it does
 * for a non-retriable cause such as a fenced producer. Carries no cause on purpose: kafkajs judges an error by its
 * innermost cause.
 */
class BatchRetryError extends Error {
  readonly retriable = true;

  constructor(readonly partition: number) {
    super(`the command batch of partition ${partition} was not committed; it is consumed again`);
    this.name = 'BatchRetryError';
  }
}
