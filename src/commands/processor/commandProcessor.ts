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
// Pipelined: a partition's next commands are decided while its previous transaction commits, and its transactions
// commit in order (commitPipeline.ts). A failed transaction drops what was decided after it; the partition is read
// again from its last committed offset and taken over again.
//
// This file: the group's life cycle, partition take-over and the batch loop, which share the owned partitions and
// the fencing order above. How a chunk is decided (commandDecisions.ts), its transaction (chunkTransaction.ts), its
// reply planning (plannedReply.ts) and the options (processorOptions.ts) stand apart.

import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import { UnavailableError } from '../../domain/errors.js';
import type { Readiness } from '../../eventlog/kafka/kafkaEventTopic.js';
import type { CommandReply, EventPlace } from './commandMessages.js';
import { CommandDecisions } from './commandDecisions.js';
import { CommitPipeline, type DecidedCommands } from './commitPipeline.js';
import { commandSideKafka, ensureCommandTopics, topicEndOffsets } from './commandTopics.js';
import { commitExpecting, TRANSACTION_RETRY, type DecidedChunk } from './chunkTransaction.js';
import type { CommandProcessorOptions, CommandProcessorStats } from './processorOptions.js';
import { ReplyTail } from './replyTail.js';
import type { ProcessorWriters } from './streamWriter.js';
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
  /** Its transactions, committed one after another while the next commands are decided (commitPipeline.ts). */
  pipeline: CommitPipeline;
  /** The commands offset after the last committed transaction: where reading starts again if one fails. */
  committedNext: number | undefined;
  /** Set once a failure made the processor let the partition go; what is still decided for it is dropped. */
  abandoned: boolean;
}

type State = 'idle' | 'starting' | 'running' | 'stopped';

const DEFAULT_SESSION_TIMEOUT_MS = 10_000;
const DEFAULT_MAX_PER_TRANSACTION = 500;
const DEFAULT_OPERATION_TIMEOUT_MS = 30_000;

export class CommandProcessor {
  private readonly kafka: Kafka;
  private readonly logger: Logger | undefined;
  private readonly maxPerTransaction: number;
  private readonly operationTimeoutMs: number;
  /** What this processor wrote that its index may not have read yet (writtenFence.ts). */
  private readonly fence: WrittenFence;
  private readonly writers: ProcessorWriters;
  private readonly decisions: CommandDecisions;
  private consumer: Consumer | undefined;
  private replies: ReplyTail | undefined;
  private stopListening: () => void = () => undefined;
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
    this.maxPerTransaction = options.maxCommandsPerTransaction ?? DEFAULT_MAX_PER_TRANSACTION;
    this.operationTimeoutMs = options.operationTimeoutMs ?? DEFAULT_OPERATION_TIMEOUT_MS;
    this.fence = new WrittenFence(options.log);
    const fenced = this.fence.reader();
    this.writers = options.writers(fenced);
    this.decisions = new CommandDecisions({
      log: options.log,
      writers: this.writers,
      writerLog: { readStream: fenced.readStream, lastStoredBody: (streamId) => options.log.lastStoredBody(streamId) },
      fence: this.fence,
      rejected: this.rejected,
      counters: this.counters,
      encode: (event, streamId, streamVersion, previousHash) => options.codec.encode({ ...event, streamId, streamVersion, previousHash }),
      beforeEncode: options.beforeEncode ?? ((events) => Promise.resolve(events)),
      beforeEncodeFor: options.beforeEncodeFor,
      observe: options.observe ?? ((_type, run) => run()),
      logger: this.logger,
    });
    this.kafka = commandSideKafka(options);
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
    // What was decided before the consumer stopped still commits (its callers wait for the answers), for a while.
    await settledWithin([...this.owned.values()].map(({ pipeline }) => pipeline.idle()), this.operationTimeoutMs);
    await Promise.all([...this.owned.keys()].map((partition) => this.release(partition)));
    this.stopListening();
    await this.replies?.release();
    this.replies = undefined;
  }

  private async startOnce(): Promise<void> {
    this.state = 'starting';
    const { log, topics } = this.options;
    await this.whenLogReady();
    await ensureCommandTopics(this.kafka, topics, log.partitionCount, this.options.replicationFactor);
    const replies =
      this.options.replies ??
      new ReplyTail({ kafka: this.kafka, topic: topics.replies, groupPrefix: this.options.groupId, from: 'beginning', logger: this.logger });
    this.stopListening = replies.listen((_partition, reply) => this.rememberRejection(reply));
    this.replies = replies;
    await replies.acquire();
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

  /**
   * Decides the batch's commands, chunk by chunk, and hands each chunk to its partition's pipeline, which commits
   * it after the transaction committing now. A chunk decided behind a commit does not wait for its own: kafkajs
   * fetches the next batches (of every partition) while it commits.
   */
  private async onBatch(payload: EachBatchPayload): Promise<void> {
    const { batch } = payload;
    const partition = batch.partition;
    if (batch.messages.length === 0 || this.isStopped() || payload.isStale()) return;
    let owned: OwnedPartition;
    try {
      owned = await this.own(partition);
    } catch (error) {
      this.logger?.warn({ err: error, partition }, 'command partition could not be taken over; trying again');
      throw new BatchRetryError(partition);
    }
    for (let start = 0; start < batch.messages.length; start += this.maxPerTransaction) {
      const chunk = batch.messages.slice(start, start + this.maxPerTransaction);
      // A failure of this partition's transaction (seek set) or a stop: the commands are read again from the last
      // committed offset, by this process or the next owner.
      if (!payload.isRunning() || payload.isStale() || this.isStopped() || owned.abandoned) return;
      owned.committedNext ??= Number(chunk[0]?.offset);
      let decided: DecidedCommands;
      try {
        decided = await this.decisions.decideChunk(partition, chunk);
      } catch (error) {
        await this.abandon(owned, error);
        throw new BatchRetryError(partition);
      }
      if (owned.abandoned || payload.isStale()) return;
      const settled = owned.pipeline.add(decided);
      this.fence.writing(
        decided.events.map(({ streamId }) => streamId),
        decided.planned.map(({ commandId }) => commandId),
        settled,
      );
      const last = chunk[chunk.length - 1];
      if (last) payload.resolveOffset(last.offset);
      // On once the transaction committing now is done: the one before this chunk's (which commits next, while
      // kafkajs fetches and the next commands are decided), or this chunk's own when it went at once. Returning
      // without waiting at all made a busy partition fetch and commit for every command or two: more, smaller
      // transactions, 30 % less throughput on this machine (bench/README.md, "Kafka mode: a pipelined processor").
      await owned.pipeline.currentSettled();
      await payload.heartbeat();
    }
  }

  /**
   * Lets a partition go after a transaction of it failed (fenced, broker away, a failed read): whatever happened,
   * the state cached for it may be ahead of Kafka. Reading starts again at the last committed offset, and the next
   * batch takes the partition over again (new initialisation, catch-up) before anything is decided.
   */
  private async abandon(owned: OwnedPartition, error: unknown): Promise<void> {
    if (owned.abandoned) return;
    owned.abandoned = true;
    this.counters.aborted += 1;
    const { partition } = owned;
    this.logger?.warn({ err: error, partition }, 'command batch not committed; its partition will be taken over again');
    await owned.pipeline.abandon(error);
    if (owned.committedNext !== undefined && this.owned.get(partition) === owned) {
      try {
        this.consumer?.seek({ topic: this.options.topics.commands, partition, offset: String(owned.committedNext) });
      } catch (seekError) {
        this.logger?.warn({ err: seekError, partition }, 'could not seek the commands partition back; its next owner reads it again');
      }
    }
    if (this.owned.get(partition) === owned) await this.release(partition);
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
    // A decision of an abandoned ownership may have cached state after it was let go: start from Kafka's.
    for (const writer of Object.values(this.writers)) writer.dropPartition(partition);
    this.fence.forget(partition);
    const owned: OwnedPartition = {
      partition,
      producer,
      ready: Promise.resolve(),
      nextEventOffset: undefined,
      pipeline: new CommitPipeline(
        (decided) => this.commitTransaction(owned, decided),
        (error) => void this.abandon(owned, error),
      ),
      committedNext: undefined,
      abandoned: false,
    };
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
    owned.abandoned = true;
    this.fence.forget(partition);
    for (const writer of Object.values(this.writers)) writer.dropPartition(partition);
    await owned.ready.catch(() => undefined);
    // Transactions already decided may still commit (unless the next owner has fenced the producer meanwhile).
    await settledWithin([owned.pipeline.idle()], this.operationTimeoutMs);
    await owned.producer.disconnect().catch(() => undefined);
  }

  /** Commits one transaction of the partition's pipeline, and remembers what it wrote (the fence, the rejections). */
  private async commitTransaction(owned: OwnedPartition, decided: DecidedCommands): Promise<void> {
    const { log, topics } = this.options;
    const { partition } = owned;
    const chunk: DecidedChunk = {
      eventsTopic: log.topicName,
      topics,
      groupId: this.options.groupId,
      partition,
      events: decided.events,
      planned: decided.planned,
      nextOffset: decided.nextOffset,
      expectedBase: Number.isSafeInteger(owned.nextEventOffset) ? owned.nextEventOffset : undefined,
    };
    const { base, replies, miss } = await commitExpecting(owned.producer, chunk);
    owned.committedNext = decided.nextOffset;
    if (miss) {
      this.counters.offsetMisses += 1;
      this.logger?.info({ partition, expected: miss.expected, actual: miss.actual }, 'events partition moved under the processor; chunk committed in two sends');
    }
    const { events } = decided;
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

/** Resolves once every promise has settled, or after `ms`, whichever comes first. */
async function settledWithin(promises: Promise<unknown>[], ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
  });
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
