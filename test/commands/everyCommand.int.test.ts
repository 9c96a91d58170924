import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commandBuses } from '../../src/commands/commandBus.js';
import type { CategoryExecutors } from '../../src/commands/commandExecutors.js';
import { encodeCommand, parseCommand, type CategoryCommand, type CommandEnvelope } from '../../src/commands/processor/commandMessages.js';
import type { CategoryName } from '../../src/commands/streamCategories.js';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import { SqliteEventLog } from '../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { systemClock, uuidGenerator } from '../../src/support/clock.js';
import { describeWithServices } from '../support/realServices.js';
import { runStep, sampleCommands, type CommandSample } from '../support/sampleCommands.js';
import { createTestCodec } from '../support/testCodecs.js';
import { deleteTopics, newCaller, newDeployment, newProcessor, openLog, type Deployment } from './processor/processorStack.js';
import type { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import type { CommandProcessor } from '../../src/commands/processor/commandProcessor.js';
import { pino } from 'pino';

// Every command type (test/support/sampleCommands.ts is keyed by them all) through both single writers: the
// embedded CommandBus and the Kafka command processor behind the commands topic. A command that one path forgot
// (no schema on the commands topic, no writer for its category, no case in its decider) fails here by name.

const samples = Object.entries(sampleCommands((name) => name));

/** Runs the sample's `given`, then its `when`; returns the types of the events `when` appended. */
async function run(executors: CategoryExecutors, sample: CommandSample): Promise<string[]> {
  for (const step of sample.given) await runStep(executors, step, randomUUID());
  const result = await runStep(executors, sample.when, randomUUID());
  return result.events.map((event) => event.type);
}

describe('every command type on the commands topic', () => {
  it.each(samples)('%s travels as JSON and is read back unchanged by its category schema', (_type, sample) => {
    const envelope: CommandEnvelope<CategoryCommand<CategoryName>> = {
      v: 1,
      commandId: 'c-1',
      correlationId: 'k-1',
      streamId: sample.when.streamId,
      context: { actor: sample.when.actor, limits: DEFAULT_LIMITS },
      body: { category: sample.when.category, command: sample.when.command },
    };
    expect(parseCommand(encodeCommand(envelope))).toEqual({ ok: true, envelope });
  });
});

describe('every command type through the embedded command bus', () => {
  let codec: EventCodec;
  beforeAll(async () => {
    codec = await createTestCodec();
  });

  it.each(samples)('%s is decided and appended', async (_type, sample) => {
    const log = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: 3_600_000 });
    try {
      const buses = commandBuses({ log, clock: systemClock, ids: uuidGenerator, logger: pino({ level: 'silent' }) });
      expect(await run(buses, sample)).toEqual(sample.then);
    } finally {
      await log.close();
    }
  });
});

describeWithServices('every command type through the Kafka command processor', ['KAFKA_BROKERS'], (env) => {
  let deployment: Deployment;
  let processorLog: KafkaEventLog;
  let callerLog: KafkaEventLog;
  let processor: CommandProcessor;
  let caller: ReturnType<typeof newCaller>;

  beforeAll(async () => {
    deployment = newDeployment(env('KAFKA_BROKERS').split(','), await createTestCodec(), 2);
    processorLog = await openLog(deployment, 'every-command-processor');
    processor = newProcessor(deployment, processorLog);
    await processor.start();
    callerLog = await openLog(deployment, 'every-command-caller');
    caller = newCaller(deployment, callerLog);
  });

  afterAll(async () => {
    await caller?.close();
    await processor?.stop();
    await callerLog?.close();
    await processorLog?.close();
    if (deployment) await deleteTopics(deployment);
  });

  it.each(samples)('%s is decided by the processor and read back by the caller', async (type) => {
    // The deployment is shared: each sample runs on users, rooms and streams of its own.
    const prefix = `${type}-${randomUUID().slice(0, 8)}-`;
    const sample = new Map(Object.entries(sampleCommands((name) => `${prefix}${name}`))).get(type);
    if (sample === undefined) throw new Error(`no sample for ${type}`);
    expect(await run(caller, sample)).toEqual(sample.then);
  });
});
