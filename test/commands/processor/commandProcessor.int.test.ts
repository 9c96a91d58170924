import { Kafka, logLevel, type Transaction } from 'kafkajs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { auditStreamId } from '../../../src/commands/audit/auditDecider.js';
import type { AuditCommand } from '../../../src/commands/commands.js';
import type { DecisionContext } from '../../../src/commands/decider.js';
import type { CommandProcessor } from '../../../src/commands/processor/commandProcessor.js';
import type { RoomCommand } from '../../../src/commands/commands.js';
import { encodeCommand, type CommandEnvelope } from '../../../src/commands/processor/commandMessages.js';
import { ReplyTail } from '../../../src/commands/processor/replyTail.js';
import { CommandRejectedError } from '../../../src/domain/errors.js';
import { roomStreamId } from '../../../src/domain/ids.js';
import type { KafkaEventLog } from '../../../src/eventlog/kafka/kafkaEventLog.js';
import { GENESIS_HASH, eventHash } from '../../../src/events/hashChain.js';
import type { EventCodec } from '../../../src/events/eventCodec.js';
import { describeWithServices } from '../../support/realServices.js';
import { sampleMessages } from '../../support/sampleEvents.js';
import { createTestCodec } from '../../support/testCodecs.js';
import {
  actor,
  deleteTopics,
  newCaller,
  newDeployment,
  newProcessor,
  openLog,
  type Caller,
  type Deployment,
} from './processorStack.js';

describeWithServices('the Kafka command processor on a real broker', ['KAFKA_BROKERS'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  let codec: EventCodec;
  const deployments: Deployment[] = [];
  const closers: Array<() => Promise<void>> = [];

  beforeAll(async () => {
    codec = await createTestCodec();
  });

  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch(() => undefined);
  });

  afterAll(async () => {
    for (const deployment of deployments) await deleteTopics(deployment);
  });

  async function startProcessor(deployment: Deployment, name: string): Promise<{ processor: CommandProcessor; log: KafkaEventLog }> {
    const log = await openLog(deployment, name);
    const processor = newProcessor(deployment, log);
    closers.push(() => log.close());
    closers.push(() => processor.stop());
    await processor.start();
    return { processor, log };
  }

  async function startCaller(deployment: Deployment, replyTimeoutMs?: number): Promise<Caller> {
    const log = await openLog(deployment, 'caller');
    const caller = newCaller(deployment, log, replyTimeoutMs);
    closers.push(() => log.close());
    closers.push(() => caller.close());
    return caller;
  }

  /**
   * Takes a command partition's transactional id with a producer of the test's (fencing the processor's) and opens
   * a transaction it never ends, as an owner killed mid-batch would leave it.
   */
  async function fenceWithZombie(deployment: Deployment, partition: number): Promise<Transaction> {
    const zombie = new Kafka({ clientId: 'zombie', brokers, logLevel: logLevel.NOTHING }).producer({
      transactionalId: `${deployment.eventsTopic}.command-processor-${partition}`,
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await zombie.connect();
    closers.push(() => zombie.disconnect());
    return zombie.transaction();
  }

  function fresh(): Deployment {
    const deployment = newDeployment(brokers, codec);
    deployments.push(deployment);
    return deployment;
  }

  describe('accept, reject and replay', () => {
    it('accepts a command with the events as the caller reads them, chained by hash, and replays a retry', async () => {
      const deployment = fresh();
      await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      const stream = roomStreamId('r1');
      const created = await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r1', name: 'one', kind: 'public', memberIds: [] }, actor('alice'), {
        commandId: 'c-create',
        correlationId: 'k1',
      });
      expect(created.replayed).toBe(false);
      expect(created.events.map((event) => [event.type, event.streamVersion])).toEqual([
        ['RoomCreated', 1],
        ['MemberJoined', 2],
      ]);
      const sent = await caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r1', text: 'hi', clientMessageId: 'm1' }, actor('alice'), {
        commandId: 'c-send',
        correlationId: 'k2',
      });
      expect(sent.events).toMatchObject([{ type: 'MessageSent', streamVersion: 3, data: { text: 'hi', senderId: 'alice' } }]);
      expect(sent.events[0]?.partition).toBe(caller.log.partitionOf(stream));

      // The chain: genesis, then each event's previousHash is the hash of the previous event's stored bytes.
      const stored = await caller.log.readStream(stream);
      expect(stored[0]?.previousHash).toBe(GENESIS_HASH);
      for (let i = 1; i < stored.length; i++) {
        const previous = stored[i - 1];
        if (!previous) throw new Error('missing event');
        expect(stored[i]?.previousHash).toBe(eventHash(codec.encode(previous)));
      }

      const again = await caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r1', text: 'hi', clientMessageId: 'm1' }, actor('alice'), {
        commandId: 'c-send',
        correlationId: 'k3',
      });
      expect(again.replayed).toBe(true);
      expect(again.events.map((event) => event.eventId)).toEqual(sent.events.map((event) => event.eventId));
      expect(await caller.log.streamVersion(stream)).toBe(3);
    });

    it('shares one replies reader between a processor and a caller in one process, which stops when both let it go', async () => {
      const deployment = fresh();
      const replies = new ReplyTail({
        kafka: new Kafka({ clientId: 'shared-replies-test', brokers, logLevel: logLevel.NOTHING }),
        topic: deployment.topics.replies,
        groupPrefix: `${deployment.eventsTopic}.command-processor`,
        from: 'beginning',
        logger: undefined,
      });
      const processorLog = await openLog(deployment, 'processor-shared');
      closers.push(() => processorLog.close());
      const processor = newProcessor(deployment, processorLog, { replies });
      closers.push(() => processor.stop());
      await processor.start();
      const callerLog = await openLog(deployment, 'caller-shared');
      closers.push(() => callerLog.close());
      const caller = newCaller(deployment, callerLog, 15_000, replies);
      closers.push(() => caller.close());

      const stream = roomStreamId('r-shared');
      const created = await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r-shared', name: 'shared', kind: 'public', memberIds: [] }, actor('alice'), {
        commandId: 'c-shared-create',
        correlationId: 'k1',
      });
      expect(created.events.map(({ type }) => type)).toEqual(['RoomCreated', 'MemberJoined']);
      // A rejection reaches the caller through the shared reader, and so does the answer to its retry.
      const retried = async () =>
        caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r-shared', text: '', clientMessageId: 'm-empty' }, actor('alice'), {
          commandId: 'c-shared-empty',
          correlationId: 'k2',
        });
      await expect(retried()).rejects.toMatchObject({ code: 'EMPTY_CONTENT' });
      await expect(retried()).rejects.toMatchObject({ code: 'EMPTY_CONTENT' });
      expect(processor.stats().replayed).toBe(1);

      const admin = new Kafka({ clientId: 'shared-replies-test', brokers, logLevel: logLevel.NOTHING }).admin();
      await admin.connect();
      closers.push(() => admin.disconnect());
      const readers = async () =>
        (await admin.listGroups()).groups.filter(({ groupId }) => groupId.startsWith(`${deployment.eventsTopic}.command-processor.replies.`));
      expect(await readers()).toHaveLength(1);
      await caller.client.close();
      expect(replies.isHealthy).toBe(true);
      await processor.stop();
      expect(replies.isHealthy).toBe(false);
      expect(await readers()).toHaveLength(0);
    });

    it('answers with the right places when someone else wrote to the events partition between its transactions', async () => {
      // The processor sends a chunk's events and replies in one produce, the replies naming the offsets it expects
      // its events at. An append by another writer (a tool using KafkaEventLog.append) moves the partition under it:
      // that transaction must be aborted and the chunk committed again with the places Kafka really gave.
      const deployment = fresh();
      const { processor } = await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      const stream = roomStreamId('r-moved');
      const partition = caller.log.partitionOf(stream);
      const send = (n: number) =>
        caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r-moved', text: `message ${n}`, clientMessageId: `m${n}` }, actor('alice'), {
          commandId: `c-moved-${n}`,
          correlationId: 'k',
        });
      await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r-moved', name: 'moved', kind: 'public', memberIds: [] }, actor('alice'), {
        commandId: 'c-moved-create',
        correlationId: 'k',
      });
      expect((await send(1)).events).toMatchObject([{ type: 'MessageSent', streamVersion: 3, data: { text: 'message 1' } }]);

      const neighbour = Array.from({ length: 1000 }, (_, i) => roomStreamId(`neighbour-${i}`)).find((id) => caller.log.partitionOf(id) === partition);
      if (!neighbour) throw new Error('no stream id in the same partition');
      await caller.log.append(neighbour, 'no-stream', sampleMessages(3, 'neighbour'));

      for (const n of [2, 3]) {
        const sent = await send(n);
        expect(sent.events).toMatchObject([{ type: 'MessageSent', streamVersion: n + 2, data: { text: `message ${n}` } }]);
      }
      expect(processor.stats().offsetMisses).toBe(1);
      const texts = (await caller.log.readStream(stream)).flatMap((event) => (event.type === 'MessageSent' ? [event.data.text] : []));
      expect(texts).toEqual(['message 1', 'message 2', 'message 3']);
      expect(await caller.log.streamVersion(neighbour)).toBe(3);
    });

    it('rejects with the decider code, and a rejected command stays rejected after the processor restarts', async () => {
      const deployment = fresh();
      const first = await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      const stream = roomStreamId('r2');
      const send = () =>
        caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r2', text: 'early', clientMessageId: 'm1' }, actor('bob'), {
          commandId: 'c-early',
          correlationId: 'k',
        });
      await expect(send()).rejects.toMatchObject({ code: 'NO_ROOM' });
      await expect(send()).rejects.toBeInstanceOf(CommandRejectedError);

      // The room now exists, so deciding the same command again would accept it: the first outcome must win.
      await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r2', name: 'two', kind: 'public', memberIds: [] }, actor('bob'), {
        commandId: 'c-create-2',
        correlationId: 'k',
      });
      await first.processor.stop();
      await startProcessor(deployment, 'processor-b');
      await expect(send()).rejects.toMatchObject({ code: 'NO_ROOM' });
      expect(await caller.log.streamVersion(stream)).toBe(2);
    });

    it('answers a malformed command with VALIDATION_FAILED and goes on with the next one', async () => {
      const deployment = fresh();
      const { processor } = await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      await caller.client.start();
      const stream = roomStreamId('r3');
      const partition = caller.log.partitionOf(stream);
      const producer = new Kafka({ clientId: 'raw', brokers, logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      closers.push(() => producer.disconnect());
      // A command whose SendMessage lacks its text; the client would never send it, another program might.
      const malformed = Buffer.from(
        JSON.stringify({ v: 1, commandId: 'c-bad', correlationId: 'k', streamId: stream, context: actor('x'), body: { category: 'rooms', command: { type: 'SendMessage', roomId: 'r3' } } }),
      );
      await producer.send({ topic: deployment.topics.commands, messages: [{ key: stream, value: malformed, partition }, { key: stream, value: Buffer.from('not json'), partition }] });
      const created = await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r3', name: 'three', kind: 'public', memberIds: [] }, actor('x'), {
        commandId: 'c-create-3',
        correlationId: 'k',
      });
      expect(created.events).toHaveLength(2);
      // The malformed one was answered (its id could be read) and remembered as rejected.
      await expect(
        caller.rooms.execute(stream, { type: 'JoinRoom', roomId: 'r3' }, actor('y'), { commandId: 'c-bad', correlationId: 'k' }),
      ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      expect(processor.stats()).toMatchObject({ accepted: 1 });
    });

    it('refuses a command sent to a partition its stream does not live in', async () => {
      const deployment = fresh();
      await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      await caller.client.start();
      const stream = roomStreamId('r4');
      const wrong = (caller.log.partitionOf(stream) + 1) % deployment.partitions;
      const producer = new Kafka({ clientId: 'raw', brokers, logLevel: logLevel.NOTHING }).producer();
      await producer.connect();
      closers.push(() => producer.disconnect());
      const command: RoomCommand = { type: 'CreateRoom', roomId: 'r4', name: 'four', kind: 'public', memberIds: [] };
      const envelope: CommandEnvelope = { v: 1, commandId: 'c-wrong', correlationId: 'k', streamId: stream, context: actor('x'), body: { category: 'rooms', command } };
      await producer.send({ topic: deployment.topics.commands, messages: [{ key: stream, value: encodeCommand(envelope), partition: wrong }] });
      await expect(caller.rooms.execute(stream, command, actor('x'), { commandId: 'c-wrong', correlationId: 'k' })).rejects.toMatchObject({
        code: 'VALIDATION_FAILED',
      });
      expect(await caller.log.streamVersion(stream)).toBe(0);
    });

    it('times out with UNAVAILABLE when no processor answers, and the retry gets the outcome once one runs', async () => {
      const deployment = fresh();
      const caller = await startCaller(deployment, 1500);
      // Topics must exist for the caller to send; a processor that is started later finds the command waiting.
      const stream = roomStreamId('r5');
      const create = () =>
        caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r5', name: 'five', kind: 'public', memberIds: [] }, actor('x'), {
          commandId: 'c-late',
          correlationId: 'k',
        });
      await expect(create()).rejects.toMatchObject({ code: 'UNAVAILABLE', details: { reason: 'COMMAND_REPLY_TIMEOUT' } });
      await startProcessor(deployment, 'processor-a');
      let result;
      for (let attempt = 0; result === undefined && attempt < 20; attempt++) {
        result = await create().catch(() => undefined);
      }
      expect(result?.events.map((event) => event.type)).toEqual(['RoomCreated', 'MemberJoined']);
      // Sent twice or more, decided once.
      expect(await caller.log.streamVersion(stream)).toBe(2);
    });

    it('recovers from being fenced: a newer owner of its transactional id aborts what it had open, and nothing of it is seen', async () => {
      const deployment = fresh();
      const { processor } = await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      const stream = roomStreamId('r7');
      const partition = caller.log.partitionOf(stream);
      await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r7', name: 'seven', kind: 'public', memberIds: [] }, actor('x'), {
        commandId: 'c7',
        correlationId: 'k',
      });
      // A zombie: another producer takes the partition's transactional id (fencing the processor), writes an event
      // in a transaction and never ends it, as an owner killed mid-batch would.
      const open = await fenceWithZombie(deployment, partition);
      await open.send({ topic: deployment.eventsTopic, messages: [{ key: stream, value: Buffer.from('never committed'), partition }] });

      // The processor's next transaction is refused (fenced); it takes the partition over again, which aborts the
      // zombie's transaction, and decides the command once.
      const sent = await caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r7', text: 'after', clientMessageId: 'm' }, actor('x'), {
        commandId: 'c7-send',
        correlationId: 'k',
      });
      expect(sent.events).toMatchObject([{ type: 'MessageSent', streamVersion: 3 }]);
      expect(processor.stats().aborted).toBeGreaterThanOrEqual(1);
      await expect(open.commit()).rejects.toThrow();
      const stream7 = await caller.log.readStream(stream);
      expect(stream7.map((event) => [event.type, event.streamVersion])).toEqual([
        ['RoomCreated', 1],
        ['MemberJoined', 2],
        ['MessageSent', 3],
      ]);
    });

    it("forgets an auditor's stream state when a transaction fails, so the next read is decided on what Kafka holds", async () => {
      const deployment = fresh();
      const { processor } = await startProcessor(deployment, 'processor-a');
      const caller = await startCaller(deployment);
      const stream = auditStreamId('audrey');
      const partition = caller.log.partitionOf(stream);
      const auditor: DecisionContext = { ...actor('audrey'), actor: { userId: 'audrey', role: 'auditor' } };
      const read = (n: number): AuditCommand => ({
        type: 'RecordAuditRead',
        read: { auditorId: 'audrey', kind: 'streamEvents', streamId: 'room-r-x', messageId: null, fromVersion: n, limit: 10, returned: 0 },
      });
      await caller.audit.execute(stream, read(1), auditor, { commandId: 'a1', correlationId: 'k' });
      // A zombie fences the processor: its next transaction (the second read, already decided) is refused and
      // aborted, and it takes the partition over again.
      await fenceWithZombie(deployment, partition);

      const second = await caller.audit.execute(stream, read(2), auditor, { commandId: 'a2', correlationId: 'k' });
      expect(processor.stats().aborted).toBeGreaterThanOrEqual(1);
      // Decided again on what Kafka holds: version 2, not 3 (a state left ahead by the aborted decision).
      expect(second.events).toMatchObject([{ type: 'AuditLogRead', streamVersion: 2 }]);
      const third = await caller.audit.execute(stream, read(3), auditor, { commandId: 'a3', correlationId: 'k' });
      expect(third.events).toMatchObject([{ type: 'AuditLogRead', streamVersion: 3 }]);
      const stored = await caller.log.readStream(stream);
      expect(stored.map((event) => event.streamVersion)).toEqual([1, 2, 3]);
      for (let i = 1; i < stored.length; i++) {
        const previous = stored[i - 1];
        if (!previous) throw new Error('missing event');
        expect(stored[i]?.previousHash).toBe(eventHash(codec.encode(previous)));
      }
    });

    it('passes the events through beforeEncode, and its output is what is stored', async () => {
      const deployment = fresh();
      const log = await openLog(deployment, 'processor-hooked');
      closers.push(() => log.close());
      const processor = newProcessor(deployment, log, {
        beforeEncode: (events) =>
          Promise.resolve(events.map((event) => (event.type === 'MessageSent' ? { ...event, data: { ...event.data, text: event.data.text.toUpperCase() } } : event))),
      });
      closers.push(() => processor.stop());
      await processor.start();
      const caller = await startCaller(deployment);
      const stream = roomStreamId('r6');
      await caller.rooms.execute(stream, { type: 'CreateRoom', roomId: 'r6', name: 'six', kind: 'public', memberIds: [] }, actor('x'), {
        commandId: 'c6',
        correlationId: 'k',
      });
      const sent = await caller.rooms.execute(stream, { type: 'SendMessage', roomId: 'r6', text: 'quiet', clientMessageId: 'm' }, actor('x'), {
        commandId: 'c6-send',
        correlationId: 'k',
      });
      expect(sent.events).toMatchObject([{ data: { text: 'QUIET' } }]);
    });
  });
});
