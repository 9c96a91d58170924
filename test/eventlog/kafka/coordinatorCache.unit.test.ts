import { describe, expect, it } from 'vitest';
import { cachedLookup, type CoordinatorQuery } from '../../../src/eventlog/kafka/coordinatorCache.js';

/** A coordinator lookup that counts its calls and answers the call number, or fails when told to. */
function countingLookup() {
  const calls: CoordinatorQuery[] = [];
  let failNext = false;
  const lookup = function (this: object, query: CoordinatorQuery): Promise<unknown> {
    calls.push(query);
    if (failNext) {
      failNext = false;
      return Promise.reject(new Error('GROUP_COORDINATOR_NOT_AVAILABLE'));
    }
    return Promise.resolve({ answer: calls.length });
  };
  return { lookup, calls, failOnce: () => (failNext = true) };
}

describe('the coordinator lookup cache', () => {
  it('answers a cluster again for the same id and type within the TTL, and asks again after it', async () => {
    const { lookup, calls } = countingLookup();
    let time = 1_000;
    const cached = cachedLookup(lookup, 2_000, () => time);
    const cluster = {};
    const query = { groupId: 'chat.events.command-processor-3', coordinatorType: 1 };
    expect(await cached.call(cluster, query)).toEqual({ answer: 1 });
    time += 1_999;
    expect(await cached.call(cluster, query)).toEqual({ answer: 1 });
    expect(calls).toHaveLength(1);
    time += 1;
    expect(await cached.call(cluster, query)).toEqual({ answer: 2 });
    expect(calls).toHaveLength(2);
  });

  it('keeps the answers of another id, another coordinator type and another cluster apart', async () => {
    const { lookup, calls } = countingLookup();
    const cached = cachedLookup(lookup, 2_000, () => 0);
    const cluster = {};
    await cached.call(cluster, { groupId: 'a', coordinatorType: 1 });
    await cached.call(cluster, { groupId: 'b', coordinatorType: 1 });
    await cached.call(cluster, { groupId: 'a', coordinatorType: 0 });
    await cached.call(cluster, { groupId: 'a' });
    await cached.call({}, { groupId: 'a', coordinatorType: 1 });
    // The group type is the default: 'a' without a type is 'a' of type 0.
    expect(calls.map(({ groupId, coordinatorType }) => `${groupId}/${coordinatorType ?? 0}`)).toEqual(['a/1', 'b/1', 'a/0', 'a/1']);
  });

  it('never keeps a failed lookup: the next one asks the cluster', async () => {
    const { lookup, calls, failOnce } = countingLookup();
    const cached = cachedLookup(lookup, 2_000, () => 0);
    const cluster = {};
    failOnce();
    await expect(cached.call(cluster, { groupId: 'a', coordinatorType: 1 })).rejects.toThrow(/NOT_AVAILABLE/);
    expect(await cached.call(cluster, { groupId: 'a', coordinatorType: 1 })).toEqual({ answer: 2 });
    expect(calls).toHaveLength(2);
  });
});
