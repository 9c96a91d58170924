import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import { ChatError, UnavailableError, type ErrorCode } from '../../domain/errors.js';
import type { CommandObserver } from '../commandExecutor.js';
import type { CategoryName } from '../streamCategories.js';
import { parseCommand, type CategoryCommand, type CommandEnvelope, type CommandReply } from './commandMessages.js';
import type { DecidedCommands } from './commitPipeline.js';
import { plannedOf, type PlannedReply } from './plannedReply.js';
import type { CommandProcessorStats, ProcessorLog } from './processorOptions.js';
import type { BeforeEncode, BeforeEncodeFor, EncodeEvent, EncodedEvent, ProcessorWriters, WriterLog } from './streamWriter.js';
import type { WrittenFence } from './writtenFence.js';

// How the command processor answers the commands of one chunk of a partition (commandProcessor.ts owns the
// partitions and commits what this decides): idempotency first (the same command id answered as it was the first
// time), then the stream's own writer decides. Nothing here touches Kafka but the index, read through the fence.

export interface CommandDecisionsDeps {
  log: ProcessorLog;
  writers: ProcessorWriters;
  /** The index as the writers read it: behind the fence. */
  writerLog: WriterLog;
  fence: WrittenFence;
  /** The first rejection of every command id (commandProcessor.ts keeps it). */
  rejected: ReadonlyMap<string, CommandReply>;
  counters: CommandProcessorStats;
  encode: EncodeEvent;
  beforeEncode: BeforeEncode;
  beforeEncodeFor: BeforeEncodeFor | undefined;
  observe: CommandObserver;
  logger: Logger | undefined;
}

export class CommandDecisions {
  constructor(private readonly deps: CommandDecisionsDeps) {}

  /**
   * Decides a chunk of commands of `partition`: their events and replies, for the partition's next transaction.
   * Throws (UnavailableError) only when the log cannot be read; a command's own failure is its answer.
   */
  async decideChunk(partition: number, messages: KafkaMessage[]): Promise<DecidedCommands> {
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
    return { events, planned, nextOffset: Number(last?.offset ?? -1) + 1 };
  }

  /** The chunk's beforeEncode: with its actors' keys fetched at once when the deployment can (beforeEncodeFor). */
  private async beforeEncodeOf(actorIds: string[]): Promise<BeforeEncode> {
    const { beforeEncodeFor } = this.deps;
    return beforeEncodeFor && actorIds.length > 0 ? beforeEncodeFor(actorIds) : this.deps.beforeEncode;
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
    const { counters, fence, log } = this.deps;
    counters.commands += 1;
    if (!parsed.ok) {
      this.deps.logger?.warn({ partition, offset: message.offset, problem: parsed.problem }, 'malformed command');
      if (parsed.commandId === undefined) return undefined;
      const streamId = message.key?.toString('utf8') || 'unknown';
      return this.rejection(parsed.commandId, streamId, 'VALIDATION_FAILED', `malformed command: ${parsed.problem}`);
    }
    const { envelope } = parsed;
    const { commandId, streamId } = envelope;

    const first = inChunk.get(commandId);
    if (first) return this.replayOf(first);
    // Answered in a transaction still on its way: once it has settled, what follows knows the answer.
    const onItsWay = fence.commandSettled(commandId);
    if (onItsWay) await onItsWay;
    const rejected = this.deps.rejected.get(commandId);
    if (rejected) return this.replayOf(plannedOf(rejected));
    // Accepted in a transaction of ours the index may not have read yet; else the index knows (take-over caught up).
    const recent = fence.recentPlaces(partition, commandId);
    if (recent) return this.replayOf({ commandId, streamId, replayed: true, outcome: { status: 'accepted', places: recent } });
    const earlier = await log.findByCommandId(commandId);
    if (earlier.length > 0) {
      counters.replayed += 1;
      const places = earlier.map(({ partition: p, position }) => ({ partition: p, position }));
      return { commandId, streamId, replayed: true, outcome: { status: 'accepted', places } };
    }
    if (log.partitionOf(streamId) !== partition) {
      // Only the owner of a stream's partition may decide for it: a command elsewhere was sent with another
      // partition count or partitioner, and deciding it here would make two writers.
      return this.rejection(commandId, streamId, 'VALIDATION_FAILED', `stream ${streamId} does not live in partition ${partition}`);
    }

    let reply: PlannedReply;
    try {
      const encoded = await this.decide(partition, envelope, beforeEncode);
      reply = { commandId, streamId, replayed: false, outcome: { status: 'written', first: events.length, count: encoded.length } };
      events.push(...encoded);
      counters.accepted += 1;
    } catch (error) {
      // A log that cannot be read right now is no answer: the whole chunk is retried. Anything else is this
      // command's answer, even a bug (a stream the decider cannot fold): answering it INTERNAL_ERROR keeps one
      // command from stalling every stream of its partition behind it forever.
      if (error instanceof UnavailableError) throw error;
      if (error instanceof ChatError) {
        reply = this.rejection(commandId, streamId, error.code, error.message, error.details);
      } else {
        this.deps.logger?.error({ err: error, commandId, streamId }, 'a command failed unexpectedly; answered INTERNAL_ERROR');
        reply = this.rejection(commandId, streamId, 'INTERNAL_ERROR', 'the command could not be decided');
      }
    }
    inChunk.set(commandId, reply);
    return reply;
  }

  private decide(partition: number, envelope: CommandEnvelope, beforeEncode: BeforeEncode): Promise<EncodedEvent[]> {
    return this.deps.observe(envelope.body.command.type, () => this.decideWith(partition, envelope, envelope.body, beforeEncode));
  }

  /** The category's own writer decides: the body's category and command type go together (commandMessages.ts). */
  private decideWith<K extends CategoryName>(
    partition: number,
    envelope: CommandEnvelope,
    body: CategoryCommand<K>,
    beforeEncode: BeforeEncode,
  ): Promise<EncodedEvent[]> {
    const metadata = { commandId: envelope.commandId, correlationId: envelope.correlationId };
    const writer: ProcessorWriters[K] = this.deps.writers[body.category];
    return writer.decide(this.deps.writerLog, partition, envelope.streamId, body.command, envelope.context, metadata, beforeEncode, this.deps.encode);
  }

  private rejection(
    commandId: string,
    streamId: string,
    code: ErrorCode,
    message: string,
    details?: Record<string, unknown>,
  ): PlannedReply {
    this.deps.counters.rejected += 1;
    return { commandId, streamId, replayed: false, outcome: { status: 'rejected', code, message, ...(details ? { details } : {}) } };
  }

  private replayOf(first: PlannedReply): PlannedReply {
    this.deps.counters.replayed += 1;
    return { ...first, replayed: true };
  }
}
