// The hash chain and the audit port on the Kafka log, on a real broker: events chained across produce requests,
// their bytes read back through the index, and `verify` passing a second log that rebuilt its index from the topic.

import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { chainFieldsThrough } from '../../src/audit/storedEventReaders.js';
import { verifyLog } from '../../src/audit/verifyLog.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { allStoredEvents } from '../../src/eventlog/storedEventReader.js';
import type { EventCodec } from '../../src/events/eventCodec.js';
import { GENESIS_HASH, eventHash } from '../../src/events/hashChain.js';
import { describeWithServices } from '../support/realServices.js';
import { sampleMessages } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

describeWithServices('hash chains on the Kafka log', ['KAFKA_BROKERS'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  const topic = `test.audit.${randomUUID()}`;
  const opened: KafkaEventLog[] = [];
  let codec: EventCodec | undefined;

  const open = async (): Promise<KafkaEventLog> => {
    codec ??= await createTestCodec();
    const log = await KafkaEventLog.open({
      brokers,
      clientId: 'audit-chain-test',
      topic,
      partitions: 3,
      indexFile: ':memory:',
      codec,
      operationTimeoutMs: 15_000,
    });
    opened.push(log);
    return log;
  };

  afterAll(async () => {
    await Promise.all(opened.map((log) => log.close()));
    const admin = new Kafka({ clientId: 'audit-chain-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('chains every stream across produce requests and verifies from a fresh index of the topic', async () => {
    const writer = await open();
    await writer.append('room-a', 'no-stream', sampleMessages(2, 'a'));
    // Same turn: one produce request per partition, two appends to room-a chained to each other.
    await Promise.all([
      writer.append('room-a', 2, sampleMessages(1, 'a', 'x')),
      writer.append('room-a', 3, sampleMessages(1, 'a', 'y')),
      writer.append('room-b', 'no-stream', sampleMessages(2, 'b')),
    ]);

    const stored = await writer.readStoredStream('room-a', 1, 100);
    expect(stored.map((event) => event.streamVersion)).toEqual([1, 2, 3, 4]);
    const recorded = (await writer.readStream('room-a')).map((event) => event.previousHash);
    expect(recorded).toEqual([GENESIS_HASH, ...stored.slice(0, -1).map((event) => eventHash(event.body))]);

    const page = [];
    for await (const event of allStoredEvents(writer, { pageSize: 2 })) page.push(`${event.streamId}@${event.streamVersion}`);
    expect(page.sort()).toEqual(['room-a@1', 'room-a@2', 'room-a@3', 'room-a@4', 'room-b@1', 'room-b@2']);

    // Another process's view: an index rebuilt from the topic alone.
    const reader = await open();
    await reader.headPosition();
    const read = codec === undefined ? undefined : chainFieldsThrough(codec);
    if (read === undefined) throw new Error('no codec');
    expect(await verifyLog(reader, read)).toEqual({ ok: true, counts: { streams: 2, events: 6, chained: 6, unchained: 0 } });
  });
});
