import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../src/commands/decider.js';
import { createRoomDecider } from '../../../src/commands/room/roomDecider.js';
import { roomSnapshotCodec } from '../../../src/commands/room/roomSnapshot.js';
import type { RoomState } from '../../../src/commands/room/roomState.js';
import { messageIdOf } from '../../../src/domain/ids.js';
import type { RoomEvent } from '../../../src/events/chatEvents.js';
import { recorded, stateAfter } from '../../support/deciderSpecification.js';

// A room's snapshot must give back the very state its fold gave: the same facts, and the same iteration orders the
// decider relies on (members in join order for the ownership hand-over, pins in pin order).

const R = 'r1';
const WINDOW = 4;
const decider = createRoomDecider({ messageWindow: WINDOW });
const mid = (seq: number) => messageIdOf(R, seq);

/** Members who join, change roles and leave; messages with a thread, deletes, reactions, pins; a rename and a topic. */
const history: RoomEvent[] = [
  { type: 'RoomCreated', data: { roomId: R, name: 'Team', kind: 'private', createdBy: 'alice' } },
  { type: 'MemberJoined', data: { roomId: R, userId: 'alice', role: 'owner', addedBy: null } },
  { type: 'MemberJoined', data: { roomId: R, userId: 'bob', role: 'member', addedBy: 'alice' } },
  { type: 'MemberJoined', data: { roomId: R, userId: 'mo', role: 'member', addedBy: 'alice' } },
  { type: 'MemberRoleChanged', data: { roomId: R, userId: 'mo', role: 'moderator', changedBy: 'alice' } },
  { type: 'MessageSent', data: { roomId: R, messageId: mid(6), senderId: 'bob', text: 'root', clientMessageId: 'c6' } },
  { type: 'MessageSent', data: { roomId: R, messageId: mid(7), senderId: 'mo', text: 'reply', clientMessageId: 'c7', threadId: mid(6) } },
  { type: 'ReactionAdded', data: { roomId: R, messageId: mid(7), userId: 'bob', emoji: '👍' } },
  { type: 'ReactionAdded', data: { roomId: R, messageId: mid(7), userId: 'alice', emoji: '👍' } },
  { type: 'MessageSent', data: { roomId: R, messageId: mid(10), senderId: 'alice', text: 'pin me', clientMessageId: 'c10' } },
  { type: 'MessagePinned', data: { roomId: R, messageId: mid(10), pinnedBy: 'alice' } },
  { type: 'MessagePinned', data: { roomId: R, messageId: mid(7), pinnedBy: 'alice' } },
  { type: 'MessageSent', data: { roomId: R, messageId: mid(13), senderId: 'bob', text: 'gone', clientMessageId: 'c13' } },
  { type: 'MessageDeleted', data: { roomId: R, messageId: mid(13), deletedBy: 'bob' } },
  { type: 'MemberLeft', data: { roomId: R, userId: 'bob' } },
  { type: 'MemberJoined', data: { roomId: R, userId: 'bob', role: 'member', addedBy: 'mo' } },
  { type: 'MessageSent', data: { roomId: R, messageId: mid(17), senderId: 'mo', text: 'evicts the root', clientMessageId: 'c17' } },
  { type: 'RoomRenamed', data: { roomId: R, name: 'Team 2', renamedBy: 'alice' } },
  { type: 'RoomTopicChanged', data: { roomId: R, topic: 'plans', changedBy: 'mo' } },
];

/** Through JSON, as the SQLite store keeps it. */
const roundTrip = (state: RoomState, initial = decider.initialState()): RoomState | undefined =>
  roomSnapshotCodec.decode(JSON.parse(JSON.stringify(roomSnapshotCodec.encode(state))), initial);

describe('the room snapshot', () => {
  it('gives back the folded state, with its orders', () => {
    const folded = stateAfter(decider, history);
    if (!folded.exists) throw new Error('expected a room');
    // The window (4) dropped the root (6): the snapshot must keep the start past it.
    expect(folded.ledger.messageWindowStart).toBe(7);
    const decoded = roundTrip(folded);
    expect(decoded).toEqual(folded);
    if (!decoded?.exists) throw new Error('expected a room');
    expect([...decoded.ledger.members.keys()]).toEqual(['alice', 'mo', 'bob']);
    expect([...decoded.ledger.pins]).toEqual([10, 7]);
    expect(decoded.ledger.messages.get(7)).toEqual({ senderId: 'mo', deleted: false, threadSeq: 6 });
    expect([...(decoded.ledger.reactions.get(7)?.get('👍') ?? [])]).toEqual(['bob', 'alice']);
  });

  it('decides and folds on from a decoded state as from the folded one', () => {
    const decoded = roundTrip(stateAfter(decider, history));
    if (!decoded) throw new Error('expected a state');
    // Folded afresh each time: evolve updates a ledger in place.
    const folded = () => stateAfter(decider, history);
    const as = (userId: string) => ({ actor: { userId, role: 'user' as const }, limits: DEFAULT_LIMITS });
    const edit = { type: 'EditMessage' as const, roomId: R, seq: 17, text: 'edited' };
    expect(decider.decide(edit, decoded, as('mo'))).toEqual(decider.decide(edit, folded(), as('mo')));
    expect(() => decider.decide(edit, decoded, as('bob'))).toThrow();
    const reply = { type: 'SendMessage' as const, roomId: R, text: 'to the reply', clientMessageId: 'c20', replyTo: 7 };
    expect(decider.decide(reply, decoded, as('bob'))).toEqual(decider.decide(reply, folded(), as('bob')));

    const later = recorded(
      [{ type: 'MessageSent', data: { roomId: R, messageId: mid(20), senderId: 'bob', text: 'later', clientMessageId: 'c20' } }] as RoomEvent[],
      { fromVersion: history.length + 1 },
    );
    const onDecoded = later.reduce(decider.evolve, decoded);
    const onFolded = later.reduce(decider.evolve, folded());
    expect(onDecoded).toEqual(onFolded);
  });

  it('keeps an absent room', () => {
    const absent = decider.initialState();
    expect(roundTrip(absent)).toEqual(absent);
  });

  it('is refused for a decider with another message window, or in another shape', () => {
    const folded = stateAfter(decider, history);
    expect(roundTrip(folded, createRoomDecider({ messageWindow: WINDOW + 1 }).initialState())).toBeUndefined();
    expect(roomSnapshotCodec.decode({ exists: true, roomId: R }, decider.initialState())).toBeUndefined();
    expect(roomSnapshotCodec.decode('not a snapshot', decider.initialState())).toBeUndefined();
  });
});
