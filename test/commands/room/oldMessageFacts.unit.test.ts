import { describe, expect, it } from 'vitest';
import type { RoomCommand } from '../../../src/commands/commands.js';
import { DEFAULT_LIMITS, type DecisionContext } from '../../../src/commands/decider.js';
import { oldMessageFactsFromLog } from '../../../src/commands/room/oldMessageFacts.js';
import { createRoomDecider } from '../../../src/commands/room/roomDecider.js';
import type { RoomState } from '../../../src/commands/room/roomState.js';
import { roomStreamId } from '../../../src/domain/ids.js';
import type { RecordedEvent } from '../../../src/events/envelope.js';
import { asRoomEvent } from '../../../src/events/eventGuards.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

// The room state remembers its last few messages only; an edit or delete of an older one needs the message's
// sender and whether it is deleted, which the writer reads from the log (never from the history view, which
// the Kafka command processor does not have).

const WINDOW = 3;
const decider = createRoomDecider({ messageWindow: WINDOW });
const context = (userId: string): DecisionContext => ({ actor: { userId, role: 'user' }, limits: DEFAULT_LIMITS });

function roomWithOldMessages(): { log: RecordedEventLog; reads: number[] } {
  const log = new RecordedEventLog();
  log.createRoom('r1', 'one', 'public', 'alice');
  log.join('r1', 'bob');
  log.send('r1', 'bob', 'old one'); // seq 4
  log.send('r1', 'alice', 'old two'); // seq 5
  log.delete('r1', 5, 'alice');
  for (let i = 0; i < WINDOW + 2; i++) log.send('r1', 'alice', `recent ${i}`);
  return { log, reads: [] };
}

function fold(events: RecordedEvent[]): RoomState {
  return events.reduce((state, event) => {
    const own = asRoomEvent(event);
    return own ? decider.evolve(state, own) : state;
  }, decider.initialState());
}

function readerOf(log: RecordedEventLog, reads: number[]) {
  return {
    readStream: (streamId: string, options: { fromVersion?: number; limit?: number } = {}) => {
      reads.push(options.fromVersion ?? 1);
      const all = log.events.filter((event) => event.streamId === streamId && event.streamVersion >= (options.fromVersion ?? 1));
      return Promise.resolve(options.limit === undefined ? all : all.slice(0, options.limit));
    },
  };
}

describe('oldMessageFactsFromLog', () => {
  it("puts a reply to a reply older than the window in its root's thread, read from the old reply's MessageSent", async () => {
    const log = new RecordedEventLog();
    log.createRoom('r1', 'one', 'public', 'alice');
    log.join('r1', 'bob');
    log.send('r1', 'bob', 'root'); // seq 4
    log.send('r1', 'alice', 'first reply', { thread: { replyTo: 'r1.4', threadId: 'r1.4' } }); // seq 5
    for (let i = 0; i < WINDOW + 2; i++) log.send('r1', 'alice', `recent ${i}`);
    const state = fold(log.events);
    const reply: RoomCommand = { type: 'SendMessage', roomId: 'r1', text: 'late', clientMessageId: 'c-late', replyTo: 5 };
    expect(() => decider.decide(reply, state, context('bob'))).toThrow(expect.objectContaining({ code: 'NO_MESSAGE' }));
    const prepared = await oldMessageFactsFromLog(readerOf(log, []))(state, reply, roomStreamId('r1'));
    expect(decider.decide(reply, prepared, context('bob'))).toMatchObject([
      { type: 'MessageSent', data: { replyTo: 'r1.5', threadId: 'r1.4', senderId: 'bob' } },
    ]);
  });

  it('lets a pin of a message older than the window be decided, and refuses one of a deleted old message', async () => {
    const { log, reads } = roomWithOldMessages();
    const prepare = oldMessageFactsFromLog(readerOf(log, reads));
    const state = fold(log.events);
    const pin = (seq: number): RoomCommand => ({ type: 'PinMessage', roomId: 'r1', seq });
    expect(() => decider.decide(pin(4), state, context('alice'))).toThrow(expect.objectContaining({ code: 'NO_MESSAGE' }));
    expect(decider.decide(pin(4), await prepare(state, pin(4), roomStreamId('r1')), context('alice'))).toMatchObject([
      { type: 'MessagePinned', data: { messageId: 'r1.4', pinnedBy: 'alice' } },
    ]);
    const deletedOld = await prepare(state, pin(5), roomStreamId('r1'));
    expect(() => decider.decide(pin(5), deletedOld, context('alice'))).toThrow(expect.objectContaining({ code: 'NO_MESSAGE' }));
  });

  it('folds the reactions of an older message for a reaction command, and refuses one to a deleted message', async () => {
    const { log, reads } = roomWithOldMessages();
    log.react('r1', 4, 'alice', '👍');
    log.react('r1', 4, 'bob', '🎉');
    log.react('r1', 4, 'bob', '🎉', false);
    const prepare = oldMessageFactsFromLog(readerOf(log, reads));
    const state = fold(log.events);
    const react = (emoji: string, seq = 4): RoomCommand => ({ type: 'AddReaction', roomId: 'r1', seq, emoji });
    const unreact: RoomCommand = { type: 'RemoveReaction', roomId: 'r1', seq: 4, emoji: '🎉' };
    expect(() => decider.decide(react('👍'), state, context('alice'))).toThrow(expect.objectContaining({ code: 'NO_MESSAGE' }));
    expect(decider.decide(react('👍'), await prepare(state, react('👍'), roomStreamId('r1')), context('alice'))).toEqual([]);
    expect(decider.decide(react('👍'), await prepare(state, react('👍'), roomStreamId('r1')), context('bob'))).toMatchObject([
      { type: 'ReactionAdded', data: { userId: 'bob', emoji: '👍' } },
    ]);
    expect(decider.decide(unreact, await prepare(state, unreact, roomStreamId('r1')), context('bob'))).toEqual([]);
    const toDeleted = react('👍', 5);
    const preparedForDeleted = await prepare(state, toDeleted, roomStreamId('r1'));
    expect(() => decider.decide(toDeleted, preparedForDeleted, context('bob'))).toThrow(
      expect.objectContaining({ code: 'NO_MESSAGE', details: expect.objectContaining({ messageId: 'r1.5' }) }),
    );
  });

  it('lets the sender edit a message older than the window, and nobody else', async () => {
    const { log, reads } = roomWithOldMessages();
    const prepare = oldMessageFactsFromLog(readerOf(log, reads));
    const state = fold(log.events);
    const edit: RoomCommand = { type: 'EditMessage', roomId: 'r1', seq: 4, text: 'edited' };
    // Without the look-up the decider cannot know the message.
    expect(() => decider.decide(edit, state, context('bob'))).toThrow(expect.objectContaining({ code: 'NO_MESSAGE' }));
    const prepared = await prepare(state, edit, roomStreamId('r1'));
    expect(decider.decide(edit, prepared, context('bob'))).toMatchObject([{ type: 'MessageEdited', data: { text: 'edited' } }]);
    expect(() => decider.decide(edit, prepared, context('alice'))).toThrow(expect.objectContaining({ code: 'NOT_SENDER' }));
  });

  it('finds that an old message was deleted since', async () => {
    const { log, reads } = roomWithOldMessages();
    const prepare = oldMessageFactsFromLog(readerOf(log, reads));
    const edit: RoomCommand = { type: 'EditMessage', roomId: 'r1', seq: 5, text: 'too late' };
    const prepared = await prepare(fold(log.events), edit, roomStreamId('r1'));
    expect(() => decider.decide(edit, prepared, context('alice'))).toThrow(expect.objectContaining({ code: 'MESSAGE_DELETED' }));
  });

  it('reads nothing for commands that need no look-up', async () => {
    const { log, reads } = roomWithOldMessages();
    const prepare = oldMessageFactsFromLog(readerOf(log, reads));
    const state = fold(log.events);
    const recent = log.events.at(-1)?.streamVersion ?? 0;
    await prepare(state, { type: 'EditMessage', roomId: 'r1', seq: recent, text: 'x' }, roomStreamId('r1'));
    await prepare(state, { type: 'SendMessage', roomId: 'r1', text: 'x', clientMessageId: 'c' }, roomStreamId('r1'));
    expect(reads).toEqual([]);
  });
});
