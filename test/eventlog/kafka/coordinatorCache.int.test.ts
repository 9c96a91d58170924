import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, expect, it } from 'vitest';
import { installCoordinatorCache } from '../../../src/eventlog/kafka/coordinatorCache.js';
import { describeWithServices } from '../../support/realServices.js';

// kafkajs, with the cache installed, on a real broker: transactions that also move a consumer group's offset
// (as the command processor's do) ask for their coordinators once, and still commit what they hold.

describeWithServices('the coordinator cache on a real broker', ['KAFKA_BROKERS'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  const kafka = new Kafka({ clientId: 'coordinator-cache-test', brokers, logLevel: logLevel.NOTHING });
  const topic = `test.coordinator-cache.${randomUUID()}`;
  const admin = kafka.admin();

  afterAll(async () => {
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  it('asks for the transaction and group coordinators once for five transactions, which all commit', { timeout: 60_000 }, async () => {
    installCoordinatorCache();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    const producer = kafka.producer({ transactionalId: `coordinator-cache-${randomUUID()}`, idempotent: true, maxInFlightRequests: 1 });
    const requests = new Map<string, number>();
    producer.on(producer.events.REQUEST, ({ payload }) => requests.set(payload.apiName, (requests.get(payload.apiName) ?? 0) + 1));
    await producer.connect();
    const groupId = `coordinator-cache-group-${randomUUID()}`;
    try {
      for (let i = 0; i < 5; i++) {
        const transaction = await producer.transaction();
        await transaction.send({ topic, acks: -1, messages: [{ value: `message ${i}` }] });
        await transaction.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition: 0, offset: String(i + 1) }] }] });
        await transaction.commit();
      }
    } finally {
      await producer.disconnect();
    }
    expect(requests.get('EndTxn')).toBe(5);
    expect(requests.get('TxnOffsetCommit')).toBe(5);
    // Without the cache: four per transaction (AddPartitionsToTxn, AddOffsetsToTxn, TxnOffsetCommit, EndTxn) and
    // the initialisation, 22 here. With it: once for the transactional id and once for the group.
    expect(requests.get('GroupCoordinator') ?? requests.get('FindCoordinator')).toBeLessThanOrEqual(2);

    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    expect(committed?.partitions).toEqual([expect.objectContaining({ partition: 0, offset: '5' })]);
    const [end] = await admin.fetchTopicOffsets(topic);
    // Five messages and five commit markers.
    expect(end?.high).toBe('10');
  });
});
