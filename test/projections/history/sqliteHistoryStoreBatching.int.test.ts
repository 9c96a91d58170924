// The SQLite store merges the room-row moves of a batch (head, last activity, last message) into one write per
// room. Whatever the batch boundaries, the views must be exactly those of applying the events one at a time.

import { afterEach, describe, expect, it } from 'vitest';

import { SqliteHistoryStore } from '../../../src/projections/history/sqlite/sqliteHistoryStore.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

const USERS = ['u-alice', 'u-bob', 'u-carol'];
const ROOMS = ['r-one', 'r-two'];

/** Two rooms whose events interleave, with every kind of room event between messages, and read receipts. */
function interleaved(): RecordedEventLog {
  const log = new RecordedEventLog({ startAt: Date.UTC(2025, 0, 1) });
  for (const userId of USERS) log.registerUser(userId, userId.slice(2));
  log.createRoom('r-one', 'One', 'public', 'u-alice');
  log.createRoom('r-two', 'Two', 'private', 'u-bob');
  log.join('r-one', 'u-bob');
  const first = log.send('r-one', 'u-alice', 'hello');
  log.send('r-two', 'u-bob', 'anyone?');
  log.join('r-two', 'u-carol', 'member', 'u-bob');
  log.send('r-one', 'u-bob', 'hi');
  log.edit('r-one', first.seq, 'hello all', 'u-alice');
  log.send('r-two', 'u-carol', 'me');
  log.read('u-bob', 'r-one', first.seq);
  log.changeRole('r-two', 'u-carol', 'moderator', 'u-bob');
  const last = log.send('r-one', 'u-alice', 'bye');
  log.leave('r-two', 'u-carol');
  log.delete('r-one', last.seq, 'u-alice');
  log.send('r-two', 'u-bob', 'alone again');
  log.join('r-one', 'u-carol');
  return log;
}

async function views(store: SqliteHistoryStore) {
  return {
    rooms: await Promise.all(ROOMS.map((roomId) => store.getRoom(roomId))),
    roomsOfUsers: await Promise.all(USERS.map((userId) => store.listRoomsOfUser(userId, { limit: 10 }))),
    messages: await Promise.all(ROOMS.map((roomId) => store.getMessages(roomId, { limit: 50 }))),
    checkpoint: await store.checkpoint(),
  };
}

describe('SqliteHistoryStore batches', () => {
  const stores: SqliteHistoryStore[] = [];
  const fresh = () => {
    const store = new SqliteHistoryStore({ filename: ':memory:' });
    stores.push(store);
    return store;
  };

  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
  });

  it('shows the same rooms, read state and messages whether the events come in one batch, one by one or in slices', async () => {
    const events = interleaved().events;
    const oneByOne = fresh();
    for (const event of events) await oneByOne.applyBatch([event]);
    const expected = await views(oneByOne);
    // The room rows really moved (a merged write that never happened would also compare equal between stores).
    expect(expected.rooms.map((room) => room?.headSeq)).toEqual([9, 8]);
    expect(expected.rooms.map((room) => room?.lastMessageSeq)).toEqual([7, 8]);

    const whole = fresh();
    await whole.applyBatch(events);
    expect(await views(whole)).toEqual(expected);

    for (const size of [2, 3, 5]) {
      const sliced = fresh();
      for (let i = 0; i < events.length; i += size) await sliced.applyBatch(events.slice(i, i + size));
      expect(await views(sliced), `slices of ${size}`).toEqual(expected);
    }
  });

  it('leaves the rooms unchanged when an overlapping batch is delivered again', async () => {
    const events = interleaved().events;
    const store = fresh();
    await store.applyBatch(events);
    const before = await views(store);
    await store.applyBatch(events.slice(5));
    expect(await views(store)).toEqual(before);
  });
});
