import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { Redis } from 'ioredis';
import { afterAll, expect, it } from 'vitest';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { KafkaEventLog } from '../../src/eventlog/kafka/kafkaEventLog.js';
import { PersonalDataSealer } from '../../src/privacy/personalDataSealer.js';
import { RedisPersonalDataKeys } from '../../src/privacy/redisPersonalDataKeys.js';
import { SealingEventLog } from '../../src/privacy/sealingEventLog.js';
import { describeWithServices } from '../support/realServices.js';
import { deleteKeys, openRedis, quit, testKeyPrefix } from '../support/redis.js';
import { sampleEvent } from '../support/sampleEvents.js';
import { createTestCodec } from '../support/testCodecs.js';

// The distributed mode: two processes, each with its own Kafka log index and its own Redis connection, share one
// topic and one key store. An erasure made by one is seen by the other's very next read (no key is cached).

describeWithServices('SealingEventLog on Kafka with Redis keys, across two processes', ['KAFKA_BROKERS', 'REDIS_URL'], (env) => {
  const brokers = env('KAFKA_BROKERS').split(',');
  const topic = `test.sealing.${randomUUID()}`;
  const keyPrefix = testKeyPrefix('sealing');
  const opened: Array<{ log: SealingEventLog; client: Redis }> = [];

  async function process(): Promise<{ log: SealingEventLog; keys: RedisPersonalDataKeys }> {
    const client = await openRedis(env('REDIS_URL'));
    const keys = new RedisPersonalDataKeys({ client, keyPrefix });
    const inner = await KafkaEventLog.open({
      brokers,
      clientId: 'sealing-test',
      topic,
      partitions: 3,
      indexFile: ':memory:',
      codec: await createTestCodec(),
      operationTimeoutMs: 15_000,
    });
    const log = new SealingEventLog(inner, new PersonalDataSealer(keys));
    opened.push({ log, client });
    return { log, keys };
  }

  afterAll(async () => {
    for (const { log, client } of opened) {
      await log.close();
      await deleteKeys(client, keyPrefix);
      await quit(client);
    }
    const admin = new Kafka({ clientId: 'sealing-test', brokers, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
    await admin.disconnect();
  });

  /** Everything the log delivers to a subscriber from the start, once `count` events have arrived. */
  function firstEvents(log: SealingEventLog, count: number): Promise<RecordedEvent[]> {
    const seen: RecordedEvent[] = [];
    return new Promise((resolve, reject) => {
      const subscription = log.subscribe({
        after: {},
        handler: async (events) => {
          seen.push(...events);
          if (seen.length >= count) {
            void subscription.close();
            resolve(seen);
          }
        },
        onError: reject,
      });
    });
  }

  const textOf = (event: RecordedEvent | undefined) =>
    event?.type === 'MessageSent' ? [event.data.senderId, event.data.text, event.data.erased ?? false] : undefined;

  it("seals on one process, reads plaintext on the other, and after the other erases, the first reads it erased", async () => {
    const a = await process();
    const b = await process();
    const mine = sampleEvent('MessageSent', { data: { roomId: 'r1', messageId: 'r1.1', senderId: 'u-alice', text: 'alice wrote this' } });
    const theirs = sampleEvent('MessageSent', { data: { roomId: 'r1', messageId: 'r1.2', senderId: 'u-bob', text: 'bob wrote this' } });
    const appended = await a.log.append('room-r1', 'no-stream', [mine, theirs]);
    expect(appended.events.map(textOf)).toEqual([
      ['u-alice', 'alice wrote this', false],
      ['u-bob', 'bob wrote this', false],
    ]);

    const onB = await firstEvents(b.log, 2);
    expect(onB.map(textOf)).toEqual([
      ['u-alice', 'alice wrote this', false],
      ['u-bob', 'bob wrote this', false],
    ]);
    const storedBefore = await a.log.inner.readStream('room-r1');

    expect(await b.keys.destroy('u-alice')).toEqual({ destroyedNow: true });

    expect((await a.log.readStream('room-r1')).map(textOf)).toEqual([
      ['u-alice', '', true],
      ['u-bob', 'bob wrote this', false],
    ]);
    // The stored events (and so their bytes and hashes) are untouched: only their reading changed.
    expect(await a.log.inner.readStream('room-r1')).toEqual(storedBefore);
    await expect(
      a.log.append('room-r1', 2, [sampleEvent('MessageSent', { data: { roomId: 'r1', messageId: 'r1.3', senderId: 'u-alice', text: 'again' } })]),
    ).rejects.toMatchObject({ code: 'PERSONAL_DATA_ERASED' });
  }, 90_000);
});
