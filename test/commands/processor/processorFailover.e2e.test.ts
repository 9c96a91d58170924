import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import type { CommandResult } from '../../../src/commands/commandExecutor.js';
import { UnavailableError } from '../../../src/domain/errors.js';
import { roomStreamId } from '../../../src/domain/ids.js';
import type { KafkaEventLog } from '../../../src/eventlog/kafka/kafkaEventLog.js';
import { createAvroEventCodec } from '../../../src/events/avro/avroEventCodec.js';
import type { EventCodec } from '../../../src/events/eventCodec.js';
import { GENESIS_HASH, eventHash } from '../../../src/events/hashChain.js';
import { ConfluentSchemaRegistry } from '../../../src/events/registry/confluentSchemaRegistry.js';
import { describeWithServices } from '../../support/realServices.js';
import { actor, deleteTopics, newCaller, openLog, type Caller, type Deployment } from './processorStack.js';
import { commandTopicNames } from '../../../src/commands/processor/commandTopics.js';

// Issue #4 item 3's test: two command processors, each its own OS process, one SIGKILLed in the middle of a load
// of thousands of SendMessage over a dozen rooms, with the client retrying unanswered commands under the same
// command id. Every accepted command must yield exactly one event; each room's seq must run 1, 2, 3, ... with no
// gap and no duplicate; nothing accepted may be missing from the log; and the hash chains must hold across the
// change of owner.

const root = path.resolve(import.meta.dirname, '../../..');
const ROOMS = 12;
const MESSAGES_PER_ROOM = 200;
const IN_FLIGHT = 256;
const PARTITIONS = 6;

interface Processor {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

describeWithServices('two command processors, one SIGKILLed under load', ['KAFKA_BROKERS', 'SCHEMA_REGISTRY_URL'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  const registryUrl = env('SCHEMA_REGISTRY_URL');
  const subjectPrefix = `test-${randomUUID()}.`;
  const eventsTopic = `test.failover.${randomUUID()}`;
  const dataDirs: string[] = [];
  const processors: Processor[] = [];
  const toClose: Array<() => Promise<void>> = [];
  let deployment: Deployment | undefined;

  afterAll(async () => {
    for (const processor of processors) processor.child.kill('SIGKILL');
    await Promise.all(processors.map((processor) => processor.exited));
    for (const close of toClose.reverse()) await close().catch(() => undefined);
    if (deployment) await deleteTopics(deployment);
    for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
  });

  function startProcessor(name: string): Promise<Processor> {
    const dataDir = mkdtempSync(path.join(tmpdir(), `chat-processor-${name}-`));
    dataDirs.push(dataDir);
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/processorProcess.ts'], {
      cwd: root,
      env: {
        ...process.env,
        EVENT_LOG: 'kafka',
        KAFKA_BROKERS: brokers.join(','),
        KAFKA_EVENTS_TOPIC: eventsTopic,
        KAFKA_PARTITIONS: String(PARTITIONS),
        KAFKA_CLIENT_ID: `processor-${name}`,
        SCHEMA_REGISTRY: 'confluent',
        SCHEMA_REGISTRY_URL: registryUrl,
        SCHEMA_SUBJECT_PREFIX: subjectPrefix,
        DATA_DIR: dataDir,
        JWT_SECRET: 'test-secret-that-is-long-enough-for-hs256-0123456789',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const processor: Processor = { child, output: () => output, exited };
    processors.push(processor);
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer): void => {
        output += chunk.toString();
        if (output.includes('command processor ready')) resolve(processor);
      };
      child.stdout?.on('data', onData);
      child.stderr?.on('data', onData);
      void exited.then((code) => reject(new Error(`processor ${name} exited with ${code}: ${output}`)));
    });
  }

  /** Sends until answered: an unanswered command is retried with the same command id, as a client would. */
  async function sendUntilAnswered(caller: Caller, roomId: string, i: number): Promise<{ result: CommandResult; attempts: number }> {
    for (let attempts = 1; ; attempts++) {
      try {
        const result = await caller.rooms.execute(
          roomStreamId(roomId),
          { type: 'SendMessage', roomId, text: `message ${i} in ${roomId}`, clientMessageId: `m-${i}` },
          actor('alice'),
          { commandId: `send:alice:${roomId}:${i}`, correlationId: `load-${i}` },
        );
        return { result, attempts };
      } catch (error) {
        if (!(error instanceof UnavailableError) || attempts >= 30) throw error;
      }
    }
  }

  it('loses nothing, duplicates nothing and leaves no gap in any room', { timeout: 110_000 }, async () => {
    // The test's codec registers the schemas first, under a prefix of its own, so every process reads the same ids.
    const codec: EventCodec = await createAvroEventCodec(new ConfluentSchemaRegistry({ url: registryUrl, timeoutMs: 5000 }), { subjectPrefix });
    deployment = { brokers, eventsTopic, topics: commandTopicNames(eventsTopic), partitions: PARTITIONS, codec };
    const callerLog: KafkaEventLog = await openLog(deployment, 'failover-caller');
    toClose.push(() => callerLog.close());
    const caller = newCaller(deployment, callerLog, 4000);
    toClose.push(() => caller.close());
    await caller.client.start();

    const [victim] = await Promise.all([startProcessor('a'), startProcessor('b')]);
    if (!victim) throw new Error('no processor');

    const rooms = Array.from({ length: ROOMS }, (_, i) => `room-${i}`);
    for (const roomId of rooms) {
      await caller.rooms.execute(roomStreamId(roomId), { type: 'CreateRoom', roomId, name: roomId, kind: 'public', memberIds: [] }, actor('alice'), {
        commandId: `create:${roomId}`,
        correlationId: 'setup',
      });
    }

    const work = rooms.flatMap((roomId) => Array.from({ length: MESSAGES_PER_ROOM }, (_, i) => ({ roomId, i })));
    // Interleave the rooms so every partition is busy when the victim dies.
    work.sort((a, b) => a.i - b.i || a.roomId.localeCompare(b.roomId));
    const accepted = new Map<string, CommandResult>();
    let retried = 0;
    let killed = false;
    let next = 0;
    const started = Date.now();
    const worker = async (): Promise<void> => {
      for (let item = work[next++]; item !== undefined; item = work[next++]) {
        const { result, attempts } = await sendUntilAnswered(caller, item.roomId, item.i);
        if (attempts > 1) retried += 1;
        accepted.set(`send:alice:${item.roomId}:${item.i}`, result);
        if (!killed && accepted.size >= work.length / 3) {
          killed = true;
          victim.child.kill('SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, () => worker()));
    const seconds = (Date.now() - started) / 1000;
    expect(killed).toBe(true);
    expect(await victim.exited).toBeNull();
    console.info(
      `failover load: ${work.length} SendMessage in ${seconds.toFixed(1)} s (${(work.length / seconds).toFixed(0)} commands/s ` +
        `including the failover), ${retried} answered only after a retry`,
    );

    // What Kafka holds, read by a process of its own from the beginning.
    const verifier = await openLog(deployment, 'failover-verifier');
    toClose.push(() => verifier.close());
    await verifier.headPosition();
    for (const roomId of rooms) {
      const stream = await verifier.readStream(roomStreamId(roomId));
      // seq = stream version: 1, 2, 3, ... with no gap and no duplicate.
      expect(stream.map((event) => event.streamVersion)).toEqual(stream.map((_, i) => i + 1));
      const sent = stream.filter((event) => event.type === 'MessageSent');
      expect(sent).toHaveLength(MESSAGES_PER_ROOM);
      // Exactly one event per command id.
      expect(new Set(sent.map((event) => event.metadata.commandId)).size).toBe(MESSAGES_PER_ROOM);
      // The hash chain is unbroken across the change of owner.
      expect(stream[0]?.previousHash).toBe(GENESIS_HASH);
      for (let i = 1; i < stream.length; i++) {
        const previous = stream[i - 1];
        if (!previous) throw new Error('missing event');
        expect(stream[i]?.previousHash).toBe(eventHash(codec.encode(previous)));
      }
    }
    // Every accepted command is in the log, where its answer said.
    expect(accepted.size).toBe(work.length);
    for (const [commandId, result] of accepted) {
      expect(result.events).toHaveLength(1);
      const [event] = result.events;
      const found = await verifier.findByCommandId(commandId);
      expect(found.map((stored) => [stored.eventId, stored.streamVersion])).toEqual([[event?.eventId, event?.streamVersion]]);
    }
  });
});
