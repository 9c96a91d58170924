import { describe, expect, it } from 'vitest';
import { concernsUser, matchesReplay, onlyStream, type ReplayFilter } from '../../src/analysis/replayFilter.js';
import type { ChatEventType } from '../../src/events/chatEvents.js';
import type { RecordedEvent } from '../../src/events/envelope.js';
import { sampleEvent } from '../support/sampleEvents.js';

const at = (partition: number, position: number, event: ReturnType<typeof sampleEvent>, streamId: string): RecordedEvent => ({
  ...event,
  streamId,
  streamVersion: 1,
  partition,
  position,
  previousHash: null,
});

const none: ReplayFilter = { types: new Set<ChatEventType>() };
const T0 = Date.UTC(2026, 10, 21);
const sent = (partition: number, position: number, occurredAt = T0, actorId: string | null = 'u-alice', roomId = 'r-general') =>
  at(partition, position, sampleEvent('MessageSent', { data: { roomId }, metadata: { occurredAt, actorId } }), `room-${roomId}`);

describe('matchesReplay', () => {
  it('keeps everything without a filter', () => {
    expect(matchesReplay(none, sent(0, 1))).toBe(true);
  });

  it('keeps positions after --after and up to --until, per partition', () => {
    const filter: ReplayFilter = { ...none, after: { 0: 5, 1: 2 }, until: { 0: 8, 1: 9 } };
    expect([4, 5, 6, 8, 9].map((p) => matchesReplay(filter, sent(0, p)))).toEqual([false, false, true, true, false]);
    expect([2, 3, 9, 10].map((p) => matchesReplay(filter, sent(1, p)))).toEqual([false, true, true, false]);
    // A partition --until does not name is at 0: nothing of it.
    expect(matchesReplay(filter, sent(2, 1))).toBe(false);
    // A partition --after does not name is at 0: all of it.
    expect(matchesReplay({ ...none, after: { 0: 5 } }, sent(3, 1))).toBe(true);
  });

  it('keeps occurredAt in [since, until-time)', () => {
    const filter: ReplayFilter = { ...none, sinceMs: T0, untilMs: T0 + 1000 };
    expect([T0 - 1, T0, T0 + 999, T0 + 1000].map((t) => matchesReplay(filter, sent(0, 1, t)))).toEqual([false, true, true, false]);
  });

  it('keeps only the listed types', () => {
    const filter: ReplayFilter = { types: new Set<ChatEventType>(['MessageEdited', 'RoomCreated']) };
    expect(matchesReplay(filter, sent(0, 1))).toBe(false);
    expect(matchesReplay(filter, at(0, 2, sampleEvent('MessageEdited'), 'room-r-general'))).toBe(true);
  });

  it("keeps only the room's stream", () => {
    const filter: ReplayFilter = { ...none, roomId: 'r-general' };
    expect(matchesReplay(filter, sent(0, 1))).toBe(true);
    expect(matchesReplay(filter, sent(0, 2, T0, 'u-alice', 'r-general-2'))).toBe(false);
    expect(matchesReplay(filter, at(0, 3, sampleEvent('MessagesRead'), 'receipts-u-bob'))).toBe(false);
    expect(onlyStream(filter)).toBe('room-r-general');
    expect(onlyStream(none)).toBeUndefined();
  });

  it('combines filters with AND', () => {
    const filter: ReplayFilter = { types: new Set<ChatEventType>(['MessageSent']), roomId: 'r-general', userId: 'u-bob', sinceMs: T0 };
    expect(matchesReplay(filter, sent(0, 1, T0, 'u-bob'))).toBe(true);
    expect(matchesReplay(filter, sent(0, 1, T0, 'u-alice'))).toBe(false);
    expect(matchesReplay(filter, sent(0, 1, T0 - 1, 'u-bob'))).toBe(false);
  });
});

describe('concernsUser', () => {
  it("is the user's own commands, their account and receipts streams and their username claim", () => {
    expect(concernsUser('u-bob', sent(0, 1, T0, 'u-bob'))).toBe(true);
    expect(concernsUser('u-bob', sent(0, 1, T0, 'u-alice'))).toBe(false);
    expect(concernsUser('u-bob', at(0, 1, sampleEvent('MessagesRead', { metadata: { actorId: null } }), 'receipts-u-bob'))).toBe(true);
    expect(concernsUser('u-bob', at(0, 1, sampleEvent('UserRegistered', { metadata: { actorId: null } }), 'user-u-bob'))).toBe(true);
    expect(concernsUser('u-bob', at(0, 1, sampleEvent('UserRegistered', { metadata: { actorId: null } }), 'user-u-bobby'))).toBe(false);
    const claim = sampleEvent('UsernameClaimed', { data: { userId: 'u-bob', username: 'bob' }, metadata: { actorId: null } });
    expect(concernsUser('u-bob', at(0, 1, claim, 'username-bob'))).toBe(true);
    // Being named in someone else's event (added to a room by its owner) is not acting in it.
    const added = sampleEvent('MemberJoined', { data: { userId: 'u-bob', addedBy: 'u-alice' }, metadata: { actorId: 'u-alice' } });
    expect(concernsUser('u-bob', at(0, 1, added, 'room-r-general'))).toBe(false);
  });

  it("includes the user's friendships, whichever of the two acted", () => {
    const asked = sampleEvent('FriendRequested', { data: { from: 'u-alice', to: 'u-bob' }, metadata: { actorId: 'u-alice' } });
    expect(concernsUser('u-bob', at(0, 1, asked, 'friendship-u-alice-u-bob'))).toBe(true);
    expect(concernsUser('u-carol', at(0, 1, asked, 'friendship-u-alice-u-bob'))).toBe(false);
    const removed = sampleEvent('FriendRemoved', { data: { removedBy: 'u-alice', friendId: 'u-bob' }, metadata: { actorId: 'u-alice' } });
    expect(concernsUser('u-bob', at(0, 2, removed, 'friendship-u-alice-u-bob'))).toBe(true);
    expect(concernsUser('u-carol', at(0, 2, removed, 'friendship-u-alice-u-bob'))).toBe(false);
  });

  it("includes a room's delivery report for every user it names, though the gateway recorded it", () => {
    const reported = sampleEvent('DeliveriesRecorded', {
      data: {
        roomId: 'r-general',
        markers: [
          { userId: 'u-bob', seq: 8 },
          { userId: 'u-carol', seq: 3 },
        ],
      },
      metadata: { actorId: 'system:gateway' },
    });
    expect(concernsUser('u-bob', at(0, 1, reported, 'deliveries-r-general'))).toBe(true);
    expect(concernsUser('u-carol', at(0, 1, reported, 'deliveries-r-general'))).toBe(true);
    expect(concernsUser('u-dave', at(0, 1, reported, 'deliveries-r-general'))).toBe(false);
  });
});
