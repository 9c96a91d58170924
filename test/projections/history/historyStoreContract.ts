// The HistoryStore contract: every adapter (SQLite now, Oracle later) runs this same suite, so the query API can
// rely on one behaviour whichever store the composition root picks.

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import type { RecordedEvent } from '../../../src/events/envelope.js';
import { EMPTY_CHECKPOINT, checkpointOf, partitionsOf } from '../../../src/eventlog/checkpoint.js';
import type { HistoryStore, MessageView } from '../../../src/projections/history/historyStore.js';
import { messageIdOf } from '../../../src/domain/ids.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';
import { mentionsContract } from './historyStoreMentionsContract.js';
import { threadsContract } from './historyStoreThreadsContract.js';

export interface StoreUnderTest {
  store: HistoryStore;
  cleanup: () => Promise<void>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const T0 = Date.UTC(2025, 0, 1, 12, 0, 0);

/** The occurredAt of a recorded event, as views show it. */
const isoOf = (event: RecordedEvent): string => iso(event.metadata.occurredAt);

export function historyStoreContract(name: string, makeStore: () => Promise<StoreUnderTest>): void {
  describe(`HistoryStore contract: ${name}`, () => {
    let store: HistoryStore;
    let log: RecordedEventLog;
    const cleanups: Array<() => Promise<void>> = [];

    /** A further, fresh store (for rebuild comparisons); cleaned up with the main one. */
    async function freshStore(): Promise<HistoryStore> {
      const made = await makeStore();
      cleanups.push(made.cleanup);
      return made.store;
    }

    beforeEach(async () => {
      store = await freshStore();
      log = new RecordedEventLog({ startAt: T0 });
    });

    afterEach(async () => {
      for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    });

    /** Applies everything the test log recorded since the store's checkpoint. */
    async function project(): Promise<void> {
      await store.applyBatch(log.since(await store.checkpoint()));
    }

    function threeUsers(): void {
      log.registerUser('u-alice', 'Alice', { displayName: 'Alice A.', role: 'admin' });
      log.registerUser('u-bob', 'bob', { email: null });
      log.registerUser('u-carol', 'Carol');
    }

    describe('users', () => {
      it('projects UserRegistered into a user with every field', async () => {
        const [, registered] = log.registerUser('u-alice', 'Alice', {
          email: 'alice@example.test',
          displayName: 'Alice A.',
          role: 'auditor',
          passwordHash: '$argon2id$v=19$abc',
        });
        await project();
        expect(await store.getUser('u-alice')).toEqual({
          userId: 'u-alice',
          username: 'Alice',
          email: 'alice@example.test',
          displayName: 'Alice A.',
          statusText: '',
          avatarUrl: null,
          role: 'auditor',
          createdAt: isoOf(registered!),
          passwordHash: '$argon2id$v=19$abc',
        });
      });

      it('applies a profile update and a password change to the user, and members show the new display name', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-alice');
        log.updateProfile('u-alice', { displayName: 'Alice Ünïcødé 🐇', statusText: 'away', avatarUrl: 'https://example.com/a.png' });
        log.changePassword('u-alice', '$argon2id$v=19$new');
        await project();
        expect(await store.getUser('u-alice')).toMatchObject({
          displayName: 'Alice Ünïcødé 🐇',
          statusText: 'away',
          avatarUrl: 'https://example.com/a.png',
          passwordHash: '$argon2id$v=19$new',
          role: 'admin',
        });
        expect((await store.getUserByUsername('alice'))?.passwordHash).toBe('$argon2id$v=19$new');
        expect((await store.getMembers('r-1'))[0]?.displayName).toBe('Alice Ünïcødé 🐇');
        // Clearing the status and the avatar: Oracle stores '' as NULL, and both read back as "none".
        log.updateProfile('u-alice', { displayName: 'Alice', statusText: '', avatarUrl: null });
        await project();
        expect(await store.getUser('u-alice')).toMatchObject({ displayName: 'Alice', statusText: '', avatarUrl: null });
        expect((await store.getUsers(['u-alice']))[0]).toMatchObject({ displayName: 'Alice', statusText: '' });
      });

      it('keeps a null email', async () => {
        threeUsers();
        await project();
        expect((await store.getUser('u-bob'))?.email).toBeNull();
      });

      it('changes nothing for a UsernameClaimed alone, but still moves the checkpoint', async () => {
        const claimed = log.record('username-zed', { type: 'UsernameClaimed', data: { username: 'zed', userId: 'u-zed' } });
        await project();
        expect(await store.getUser('u-zed')).toBeUndefined();
        expect(await store.getUserByUsername('zed')).toBeUndefined();
        expect(await store.checkpoint()).toEqual(checkpointOf([claimed]));
      });

      it('finds users by username case-insensitively, after Unicode folding', async () => {
        threeUsers();
        await project();
        for (const asked of ['Alice', 'alice', 'ALICE', 'aLiCe', 'Ａｌｉｃｅ']) {
          expect((await store.getUserByUsername(asked))?.userId, asked).toBe('u-alice');
        }
        expect((await store.getUserByUsername('BOB'))?.username).toBe('bob');
        expect(await store.getUserByUsername('alic')).toBeUndefined();
        expect(await store.getUserByUsername('nobody')).toBeUndefined();
      });

      it('lists every username as spelled, by user id, a keyset page at a time', async () => {
        threeUsers();
        log.registerUser('u-aaron', 'Aaron');
        await project();
        expect(await store.listUsernames({ limit: 2 })).toEqual([
          { userId: 'u-aaron', username: 'Aaron' },
          { userId: 'u-alice', username: 'Alice' },
        ]);
        expect(await store.listUsernames({ after: 'u-alice', limit: 2 })).toEqual([
          { userId: 'u-bob', username: 'bob' },
          { userId: 'u-carol', username: 'Carol' },
        ]);
        expect(await store.listUsernames({ after: 'u-carol', limit: 2 })).toEqual([]);
        expect(await store.listUsernames({ after: '', limit: 1 })).toEqual([{ userId: 'u-aaron', username: 'Aaron' }]);
        await expect(store.listUsernames({ limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      });

      it('returns undefined for an unknown user id', async () => {
        threeUsers();
        await project();
        expect(await store.getUser('u-nobody')).toBeUndefined();
      });

      it('gets several users in the order asked, leaving out unknown ids and repeats', async () => {
        threeUsers();
        await project();
        const users = await store.getUsers(['u-carol', 'u-nobody', 'u-alice', 'u-carol']);
        expect(users.map((user) => user.userId)).toEqual(['u-carol', 'u-alice']);
        expect(users[0]).toEqual(await store.getUser('u-carol'));
        expect(await store.getUsers([])).toEqual([]);
      });
    });

    describe('friendships', () => {
      const pair = 'friendship-u-alice-u-bob';
      const lists = async (userId: string) => ({
        friends: await store.listFriendships(userId, 'friends'),
        received: await store.listFriendships(userId, 'received'),
        sent: await store.listFriendships(userId, 'sent'),
      });
      const ids = async (userId: string) => {
        const all = await lists(userId);
        return { friends: all.friends.map((f) => f.userId), received: all.received.map((f) => f.userId), sent: all.sent.map((f) => f.userId) };
      };

      it('shows a pending request to both sides, then friends both ways from the acceptance on', async () => {
        threeUsers();
        const asked = log.record(pair, { type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } });
        await project();
        expect(await lists('u-alice')).toEqual({ friends: [], received: [], sent: [{ userId: 'u-bob', since: isoOf(asked) }] });
        expect(await lists('u-bob')).toEqual({ friends: [], received: [{ userId: 'u-alice', since: isoOf(asked) }], sent: [] });
        const accepted = log.record(pair, { type: 'FriendRequestAccepted', data: { from: 'u-alice', to: 'u-bob' } });
        await project();
        expect(await lists('u-alice')).toEqual({ friends: [{ userId: 'u-bob', since: isoOf(accepted) }], received: [], sent: [] });
        expect(await lists('u-bob')).toEqual({ friends: [{ userId: 'u-alice', since: isoOf(accepted) }], received: [], sent: [] });
        expect(await ids('u-carol')).toEqual({ friends: [], received: [], sent: [] });
      });

      it('clears the pair on a rejection, a withdrawal and a removal, and takes a new request after each', async () => {
        threeUsers();
        const steps: Array<[Parameters<RecordedEventLog['record']>[1], { friends: string[]; received: string[]; sent: string[] }]> = [
          [{ type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } }, { friends: [], received: [], sent: ['u-bob'] }],
          [{ type: 'FriendRequestRejected', data: { from: 'u-alice', to: 'u-bob' } }, { friends: [], received: [], sent: [] }],
          [{ type: 'FriendRequested', data: { from: 'u-bob', to: 'u-alice' } }, { friends: [], received: ['u-bob'], sent: [] }],
          [{ type: 'FriendRequestCancelled', data: { from: 'u-bob', to: 'u-alice' } }, { friends: [], received: [], sent: [] }],
          [{ type: 'FriendRequested', data: { from: 'u-alice', to: 'u-bob' } }, { friends: [], received: [], sent: ['u-bob'] }],
          [{ type: 'FriendRequestAccepted', data: { from: 'u-alice', to: 'u-bob' } }, { friends: ['u-bob'], received: [], sent: [] }],
          [{ type: 'FriendRemoved', data: { removedBy: 'u-bob', friendId: 'u-alice' } }, { friends: [], received: [], sent: [] }],
        ];
        for (const [event, aliceSees] of steps) {
          log.record(pair, event);
          await project();
          expect(await ids('u-alice')).toEqual(aliceSees);
        }
        expect(await ids('u-bob')).toEqual({ friends: [], received: [], sent: [] });
      });

      it('lists several, oldest first, and applies a whole history in one batch as event by event', async () => {
        threeUsers();
        log.registerUser('u-dave', 'dave');
        log.record('friendship-u-alice-u-carol', { type: 'FriendRequested', data: { from: 'u-carol', to: 'u-alice' } });
        log.record(pair, { type: 'FriendRequested', data: { from: 'u-bob', to: 'u-alice' } });
        log.record('friendship-u-alice-u-dave', { type: 'FriendRequested', data: { from: 'u-alice', to: 'u-dave' } });
        log.record(pair, { type: 'FriendRequestAccepted', data: { from: 'u-bob', to: 'u-alice' } });
        log.record('friendship-u-alice-u-carol', { type: 'FriendRequestAccepted', data: { from: 'u-carol', to: 'u-alice' } });
        log.record(pair, { type: 'FriendRemoved', data: { removedBy: 'u-alice', friendId: 'u-bob' } });
        log.record(pair, { type: 'FriendRequested', data: { from: 'u-bob', to: 'u-alice' } });
        await project();
        expect(await ids('u-alice')).toEqual({ friends: ['u-carol'], received: ['u-bob'], sent: ['u-dave'] });
        expect(await ids('u-dave')).toEqual({ friends: [], received: ['u-alice'], sent: [] });
        const stepwise = await freshStore();
        for (const event of log.events) await stepwise.applyBatch([event]);
        for (const userId of ['u-alice', 'u-bob', 'u-carol', 'u-dave']) {
          for (const kind of ['friends', 'received', 'sent'] as const) {
            expect(await stepwise.listFriendships(userId, kind)).toEqual(await store.listFriendships(userId, kind));
          }
        }
      });

      it('finds users by email case-insensitively, never an erased email, and nobody for an unknown one', async () => {
        log.registerUser('u-alice', 'alice', { email: 'Alice.Smith@Example.test' });
        log.registerUser('u-alias', 'alias', { email: 'alice.smith@example.TEST' });
        log.registerUser('u-bob', 'bob', { email: 'bob@example.test' });
        log.registerUser('u-nomail', 'nomail', { email: null });
        await project();
        expect((await store.getUsersByEmail('ALICE.smith@example.test')).map((u) => u.userId)).toEqual(['u-alias', 'u-alice']);
        expect((await store.getUsersByEmail('bob@example.test')).map((u) => u.username)).toEqual(['bob']);
        expect(await store.getUsersByEmail('bob@example')).toEqual([]);
        expect(await store.getUsersByEmail('nobody@example.test')).toEqual([]);
        log.erasePersonalData('u-bob');
        await project();
        expect(await store.getUsersByEmail('bob@example.test')).toEqual([]);
      });
    });

    describe('rooms', () => {
      it('projects RoomCreated with its creator as the first member', async () => {
        threeUsers();
        const [created, joined] = log.createRoom('r-general', 'General', 'public', 'u-alice');
        await project();
        expect(await store.getRoom('r-general')).toEqual({
          roomId: 'r-general',
          name: 'General',
          topic: '',
          kind: 'public',
          createdBy: 'u-alice',
          createdAt: isoOf(created!),
          memberCount: 1,
          headSeq: 2,
          lastMessageSeq: null,
          lastActivityAt: isoOf(joined!),
        });
      });

      it('renames a room and sets or clears its topic, in every read of the room, moving its head', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.join('r-1', 'u-bob');
        log.changeSetting('r-1', 'name', 'Uno 🎲');
        const topic = log.changeSetting('r-1', 'topic', 'Dice and more');
        await project();
        expect(await store.getRoom('r-1')).toMatchObject({ name: 'Uno 🎲', topic: 'Dice and more', headSeq: topic.streamVersion });
        expect((await store.listPublicRooms({ limit: 10 })).rooms[0]).toMatchObject({ name: 'Uno 🎲', topic: 'Dice and more' });
        expect((await store.listRoomsOfUser('u-bob', { limit: 10 })).rooms[0]).toMatchObject({ name: 'Uno 🎲', topic: 'Dice and more' });
        log.changeSetting('r-1', 'topic', '');
        log.changeSetting('r-1', 'name', 'Dos');
        log.changeSetting('r-1', 'name', 'Tres');
        await project();
        expect(await store.getRoom('r-1')).toMatchObject({ name: 'Tres', topic: '' });
      });

      it('returns undefined for an unknown room', async () => {
        expect(await store.getRoom('r-nowhere')).toBeUndefined();
      });

      it('advances headSeq and lastActivityAt with every kind of room event', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-alice');
        await project();
        const steps: Array<() => RecordedEvent> = [
          () => log.join('r-1', 'u-bob', 'member', 'u-alice'),
          () => log.send('r-1', 'u-bob', 'hello').event,
          () => log.edit('r-1', 4, 'hello!', 'u-bob'),
          () => log.changeRole('r-1', 'u-bob', 'moderator', 'u-alice'),
          () => log.join('r-1', 'u-carol'),
          () => log.remove('r-1', 'u-carol', 'u-bob'),
          () => log.delete('r-1', 4, 'u-bob'),
          () => log.leave('r-1', 'u-bob'),
        ];
        for (const step of steps) {
          const event = step();
          await project();
          const room = await store.getRoom('r-1');
          expect(room?.headSeq, event.type).toBe(event.streamVersion);
          expect(room?.lastActivityAt, event.type).toBe(isoOf(event));
        }
      });

      it('tracks the latest message seq, which member events after it do not change', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const first = log.send('r-1', 'u-alice', 'one');
        await project();
        expect((await store.getRoom('r-1'))?.lastMessageSeq).toBe(first.seq);
        const second = log.send('r-1', 'u-alice', 'two');
        log.join('r-1', 'u-bob');
        log.delete('r-1', second.seq, 'u-alice');
        await project();
        const room = await store.getRoom('r-1');
        expect(room?.lastMessageSeq).toBe(second.seq);
        expect(room?.headSeq).toBe(second.seq + 2);
      });

      it('lists public rooms only, ordered by id, with keyset paging', async () => {
        threeUsers();
        log.createRoom('r-c', 'C', 'public', 'u-alice');
        log.createRoom('r-a', 'A', 'public', 'u-bob');
        log.createRoom('r-b', 'B', 'private', 'u-alice');
        log.createRoom('r-d', 'D', 'public', 'u-carol');
        log.createRoom('dm_u-alice_u-bob', 'dm', 'direct', 'u-alice');
        log.join('r-a', 'u-carol');
        await project();

        const all = await store.listPublicRooms({ limit: 100 });
        expect(all.rooms.map((room) => room.roomId)).toEqual(['r-a', 'r-c', 'r-d']);
        expect(all.hasMore).toBe(false);
        expect(all.rooms[0]).toEqual(await store.getRoom('r-a'));
        expect(all.rooms[0]?.memberCount).toBe(2);

        const first = await store.listPublicRooms({ limit: 1 });
        expect(first.rooms.map((room) => room.roomId)).toEqual(['r-a']);
        expect(first.hasMore).toBe(true);
        const second = await store.listPublicRooms({ limit: 1, after: 'r-a' });
        expect(second.rooms.map((room) => room.roomId)).toEqual(['r-c']);
        expect(second.hasMore).toBe(true);
        const last = await store.listPublicRooms({ limit: 2, after: 'r-c' });
        expect(last.rooms.map((room) => room.roomId)).toEqual(['r-d']);
        expect(last.hasMore).toBe(false);
        const exact = await store.listPublicRooms({ limit: 3 });
        expect(exact.hasMore).toBe(false);
        expect(await store.listPublicRooms({ limit: 5, after: 'r-d' })).toEqual({ rooms: [], hasMore: false });
      });

      it('lists no public rooms in an empty store', async () => {
        expect(await store.listPublicRooms({ limit: 10 })).toEqual({ rooms: [], hasMore: false });
      });
    });

    describe('membership', () => {
      it('adds members with their role and join time, in join order, with user names', async () => {
        threeUsers();
        const [, ownerJoined] = log.createRoom('r-1', 'One', 'private', 'u-bob');
        const aliceJoined = log.join('r-1', 'u-alice', 'moderator', 'u-bob');
        const carolJoined = log.join('r-1', 'u-carol');
        await project();
        expect(await store.getMembers('r-1')).toEqual([
          { userId: 'u-bob', username: 'bob', displayName: 'bob', role: 'owner', joinedAt: isoOf(ownerJoined!) },
          {
            userId: 'u-alice',
            username: 'Alice',
            displayName: 'Alice A.',
            role: 'moderator',
            joinedAt: isoOf(aliceJoined),
          },
          { userId: 'u-carol', username: 'Carol', displayName: 'Carol', role: 'member', joinedAt: isoOf(carolJoined) },
        ]);
        expect((await store.getRoom('r-1'))?.memberCount).toBe(3);
        expect(await store.getMemberRole('r-1', 'u-bob')).toBe('owner');
        expect(await store.getMemberRole('r-1', 'u-alice')).toBe('moderator');
        expect(await store.getMemberRole('r-1', 'u-carol')).toBe('member');
      });

      it('removes members who leave or are removed', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-bob');
        log.join('r-1', 'u-alice', 'member', 'u-bob');
        log.join('r-1', 'u-carol', 'member', 'u-bob');
        log.leave('r-1', 'u-alice');
        log.remove('r-1', 'u-carol', 'u-bob');
        await project();
        expect((await store.getMembers('r-1')).map((member) => member.userId)).toEqual(['u-bob']);
        expect((await store.getRoom('r-1'))?.memberCount).toBe(1);
        expect(await store.getMemberRole('r-1', 'u-alice')).toBeUndefined();
        expect(await store.getMemberRole('r-1', 'u-carol')).toBeUndefined();
        expect(await store.getRoomUse('r-1', 'u-alice')).toEqual({ kind: 'private', myRole: null });
        expect(await store.getRoomUse('r-1', 'u-bob')).toEqual({ kind: 'private', myRole: 'owner' });
      });

      it('changes a member role', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-bob');
        log.join('r-1', 'u-alice', 'member', 'u-bob');
        log.changeRole('r-1', 'u-alice', 'moderator', 'u-bob');
        await project();
        expect(await store.getMemberRole('r-1', 'u-alice')).toBe('moderator');
        expect(await store.getRoomUse('r-1', 'u-alice')).toEqual({ kind: 'private', myRole: 'moderator' });
        log.changeRole('r-1', 'u-alice', 'member', 'u-bob');
        await project();
        expect(await store.getMemberRole('r-1', 'u-alice')).toBe('member');
        expect((await store.getMembers('r-1')).find((member) => member.userId === 'u-alice')?.role).toBe('member');
      });

      it('lets a member who left join again, with the new join time and role', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-bob');
        log.join('r-1', 'u-alice', 'moderator', 'u-bob');
        log.leave('r-1', 'u-alice');
        const rejoined = log.join('r-1', 'u-alice');
        await project();
        const alice = (await store.getMembers('r-1')).find((member) => member.userId === 'u-alice');
        expect(alice).toEqual({
          userId: 'u-alice',
          username: 'Alice',
          displayName: 'Alice A.',
          role: 'member',
          joinedAt: isoOf(rejoined),
        });
        expect((await store.getRoom('r-1'))?.memberCount).toBe(2);
      });

      it('lists a member whose user is not projected yet, without names', async () => {
        log.createRoom('r-1', 'One', 'public', 'u-ghost');
        await project();
        expect(await store.getMembers('r-1')).toEqual([
          expect.objectContaining({ userId: 'u-ghost', username: null, displayName: null, role: 'owner' }),
        ]);
      });

      it('has no members and no roles for an unknown room', async () => {
        expect(await store.getMembers('r-nowhere')).toEqual([]);
        expect(await store.getMemberRole('r-nowhere', 'u-alice')).toBeUndefined();
        expect(await store.getRoomUse('r-nowhere', 'u-alice')).toBeUndefined();
      });

      it("tells a room's kind and a user's role in one read, for members and outsiders of each kind", async () => {
        threeUsers();
        log.createRoom('r-public', 'P', 'public', 'u-bob');
        log.createRoom('r-private', 'Q', 'private', 'u-bob');
        log.join('r-private', 'u-alice', 'member', 'u-bob');
        await project();
        expect(await store.getRoomUse('r-public', 'u-bob')).toEqual({ kind: 'public', myRole: 'owner' });
        expect(await store.getRoomUse('r-public', 'u-carol')).toEqual({ kind: 'public', myRole: null });
        expect(await store.getRoomUse('r-private', 'u-alice')).toEqual({ kind: 'private', myRole: 'member' });
        expect(await store.getRoomUse('r-private', 'u-carol')).toEqual({ kind: 'private', myRole: null });
      });

      it("lists a user's rooms with their role, ordered by id, keyset paged, without rooms they left", async () => {
        threeUsers();
        log.createRoom('r-b', 'B', 'private', 'u-alice');
        log.createRoom('r-a', 'A', 'public', 'u-bob');
        log.join('r-a', 'u-alice');
        log.createRoom('r-c', 'C', 'private', 'u-bob');
        log.join('r-c', 'u-alice', 'member', 'u-bob');
        log.changeRole('r-c', 'u-alice', 'moderator', 'u-bob');
        log.createRoom('r-d', 'D', 'public', 'u-bob');
        log.join('r-d', 'u-alice');
        log.leave('r-d', 'u-alice');
        log.createRoom('r-e', 'E', 'private', 'u-bob');
        await project();

        const all = await store.listRoomsOfUser('u-alice', { limit: 100 });
        expect(all.hasMore).toBe(false);
        expect(all.rooms.map((room) => [room.roomId, room.role])).toEqual([
          ['r-a', 'member'],
          ['r-b', 'owner'],
          ['r-c', 'moderator'],
        ]);
        expect(all.rooms[0]).toEqual({
          ...(await store.getRoom('r-a')),
          role: 'member',
          unreadCount: 0,
          mentionCount: 0,
          readSeq: 0,
          deliveredSeq: 0,
        });

        const first = await store.listRoomsOfUser('u-alice', { limit: 1 });
        expect(first.rooms.map((room) => room.roomId)).toEqual(['r-a']);
        expect(first.hasMore).toBe(true);
        const second = await store.listRoomsOfUser('u-alice', { limit: 1, afterRoomId: 'r-a' });
        expect(second.rooms.map((room) => room.roomId)).toEqual(['r-b']);
        expect(second.hasMore).toBe(true);
        const rest = await store.listRoomsOfUser('u-alice', { limit: 2, afterRoomId: 'r-b' });
        expect(rest.rooms.map((room) => room.roomId)).toEqual(['r-c']);
        expect(rest.hasMore).toBe(false);

        expect((await store.listRoomsOfUser('u-bob', { limit: 100 })).rooms.map((room) => room.roomId)).toEqual([
          'r-a',
          'r-c',
          'r-d',
          'r-e',
        ]);
        expect(await store.listRoomsOfUser('u-carol', { limit: 10 })).toEqual({ rooms: [], hasMore: false });
      });
    });

    describe('messages', () => {
      /** A public room with `count` messages from alice; bob joins after every `joinEvery`-th, leaving seq gaps. */
      function roomWithMessages(count: number, joinEvery = 0): number[] {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const seqs: number[] = [];
        for (let i = 1; i <= count; i++) {
          seqs.push(log.send('r-1', 'u-alice', `message ${i}`).seq);
          if (joinEvery > 0 && i % joinEvery === 0) {
            if (i % (2 * joinEvery) === 0) log.leave('r-1', 'u-bob');
            else log.join('r-1', 'u-bob');
          }
        }
        return seqs;
      }

      const seqsOf = (messages: MessageView[]): number[] => messages.map((message) => message.seq);

      it('projects MessageSent into a message whose seq is its stream version', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'hello, world', { clientMessageId: 'c-1' });
        await project();
        const expected: MessageView = {
          messageId: messageIdOf('r-1', 3),
          roomId: 'r-1',
          seq: 3,
          senderId: 'u-alice',
          text: 'hello, world',
          createdAt: isoOf(sent.event),
          editedAt: null,
          deleted: false,
          erased: false,
          reactions: [],
          replyTo: null,
          threadId: null,
          replyCount: 0,
          lastReplyAt: null,
          mentions: [],
        };
        expect(sent.seq).toBe(3);
        expect(await store.getMessage('r-1', 3)).toEqual(expected);
        expect(await store.getMessages('r-1', { limit: 10 })).toEqual({ messages: [expected], hasMore: false });
      });

      it('has no message at a seq taken by another event, or in an unknown room', async () => {
        roomWithMessages(2);
        await project();
        expect(await store.getMessage('r-1', 1)).toBeUndefined();
        expect(await store.getMessage('r-1', 2)).toBeUndefined();
        expect(await store.getMessage('r-1', 99)).toBeUndefined();
        expect(await store.getMessage('r-nowhere', 3)).toBeUndefined();
      });

      it('returns empty pages for a room without messages and for an unknown room', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        await project();
        const empty = { messages: [], hasMore: false };
        for (const roomId of ['r-1', 'r-nowhere']) {
          expect(await store.getMessages(roomId, { limit: 50 })).toEqual(empty);
          expect(await store.getMessages(roomId, { limit: 1, before: 100 })).toEqual(empty);
          expect(await store.getMessages(roomId, { limit: 1, after: 0 })).toEqual(empty);
        }
      });

      it('returns the latest page, oldest first, when no cursor is given', async () => {
        const seqs = roomWithMessages(10, 3);
        await project();
        const page = await store.getMessages('r-1', { limit: 4 });
        expect(seqsOf(page.messages)).toEqual(seqs.slice(-4));
        expect(page.messages.map((message) => message.text)).toEqual([
          'message 7',
          'message 8',
          'message 9',
          'message 10',
        ]);
        expect(page.hasMore).toBe(true);
        const all = await store.getMessages('r-1', { limit: 10 });
        expect(seqsOf(all.messages)).toEqual(seqs);
        expect(all.hasMore).toBe(false);
      });

      it('pages backwards with before, across seq gaps', async () => {
        const seqs = roomWithMessages(10, 2);
        await project();
        // Gaps: member events take seqs between messages.
        expect(seqs.some((seq, i) => i > 0 && seq !== seqs[i - 1]! + 1)).toBe(true);

        const page = await store.getMessages('r-1', { limit: 3, before: seqs[6]! });
        expect(seqsOf(page.messages)).toEqual(seqs.slice(3, 6));
        expect(page.hasMore).toBe(true);
        // A cursor that is not a message's seq (a member event's) works as well.
        const memberSeq = seqs[3]! + 1;
        expect(seqs).not.toContain(memberSeq);
        const fromGap = await store.getMessages('r-1', { limit: 2, before: memberSeq });
        expect(seqsOf(fromGap.messages)).toEqual(seqs.slice(2, 4));
        expect(fromGap.hasMore).toBe(true);
        const first = await store.getMessages('r-1', { limit: 5, before: seqs[2]! });
        expect(seqsOf(first.messages)).toEqual(seqs.slice(0, 2));
        expect(first.hasMore).toBe(false);
        expect(await store.getMessages('r-1', { limit: 5, before: seqs[0]! })).toEqual({ messages: [], hasMore: false });
      });

      it('pages forwards with after, across seq gaps', async () => {
        const seqs = roomWithMessages(10, 2);
        await project();
        const start = await store.getMessages('r-1', { limit: 3, after: 0 });
        expect(seqsOf(start.messages)).toEqual(seqs.slice(0, 3));
        expect(start.hasMore).toBe(true);
        const next = await store.getMessages('r-1', { limit: 3, after: seqs[2]! });
        expect(seqsOf(next.messages)).toEqual(seqs.slice(3, 6));
        expect(next.hasMore).toBe(true);
        expect(seqs).not.toContain(seqs[3]! + 1);
        const fromGap = await store.getMessages('r-1', { limit: 2, after: seqs[3]! + 1 });
        expect(seqsOf(fromGap.messages)).toEqual(seqs.slice(4, 6));
        const end = await store.getMessages('r-1', { limit: 4, after: seqs[5]! });
        expect(seqsOf(end.messages)).toEqual(seqs.slice(6));
        expect(end.hasMore).toBe(false);
        const head = (await store.getRoom('r-1'))!.headSeq;
        expect(await store.getMessages('r-1', { limit: 4, after: head })).toEqual({ messages: [], hasMore: false });
      });

      it('pages forwards between after and before when both are given', async () => {
        const seqs = roomWithMessages(10);
        await project();
        const page = await store.getMessages('r-1', { limit: 3, after: seqs[1]!, before: seqs[8]! });
        expect(seqsOf(page.messages)).toEqual(seqs.slice(2, 5));
        expect(page.hasMore).toBe(true);
        const rest = await store.getMessages('r-1', { limit: 10, after: seqs[4]!, before: seqs[8]! });
        expect(seqsOf(rest.messages)).toEqual(seqs.slice(5, 8));
        expect(rest.hasMore).toBe(false);
      });

      it('honours limit 1', async () => {
        const seqs = roomWithMessages(3);
        await project();
        const latest = await store.getMessages('r-1', { limit: 1 });
        expect(seqsOf(latest.messages)).toEqual([seqs[2]]);
        expect(latest.hasMore).toBe(true);
        const oldest = await store.getMessages('r-1', { limit: 1, after: 0 });
        expect(seqsOf(oldest.messages)).toEqual([seqs[0]]);
        expect(oldest.hasMore).toBe(true);
        const lastOne = await store.getMessages('r-1', { limit: 1, before: seqs[1]! });
        expect(seqsOf(lastOne.messages)).toEqual([seqs[0]]);
        expect(lastOne.hasMore).toBe(false);
      });

      it('honours limit 100 and walks the whole history both ways, each message once and in order', async () => {
        const seqs = roomWithMessages(250, 7);
        await project();
        const latest = await store.getMessages('r-1', { limit: 100 });
        expect(latest.messages).toHaveLength(100);
        expect(seqsOf(latest.messages)).toEqual(seqs.slice(-100));
        expect(latest.hasMore).toBe(true);

        const backwards: number[] = seqsOf(latest.messages);
        let cursor = latest.messages[0]!.seq;
        let pages = 1;
        for (;;) {
          const page = await store.getMessages('r-1', { limit: 100, before: cursor });
          pages++;
          backwards.unshift(...seqsOf(page.messages));
          if (!page.hasMore) break;
          cursor = page.messages[0]!.seq;
        }
        expect(pages).toBe(3);
        expect(backwards).toEqual(seqs);

        const forwards: number[] = [];
        let after = 0;
        for (;;) {
          const page = await store.getMessages('r-1', { limit: 100, after });
          forwards.push(...seqsOf(page.messages));
          if (!page.hasMore) break;
          after = page.messages.at(-1)!.seq;
        }
        expect(forwards).toEqual(seqs);
      });

      it('keeps pages of different rooms apart', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.createRoom('r-2', 'Two', 'public', 'u-bob');
        log.send('r-1', 'u-alice', 'in one');
        log.send('r-2', 'u-bob', 'in two');
        await project();
        const one = await store.getMessages('r-1', { limit: 10 });
        expect(one.messages.map((message) => message.text)).toEqual(['in one']);
        const two = await store.getMessages('r-2', { limit: 10, after: 0 });
        expect(two.messages.map((message) => [message.roomId, message.seq, message.text])).toEqual([
          ['r-2', 3, 'in two'],
        ]);
      });

      it('refuses a limit that is not a positive integer', async () => {
        await expect(store.getMessages('r-1', { limit: 0 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
        await expect(store.getMessages('r-1', { limit: 1.5 })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
      });
    });

    describe('roles and erasure', () => {
      it("changes a user's role in place", async () => {
        threeUsers();
        log.changeUserRole('u-bob', 'auditor');
        await project();
        expect((await store.getUser('u-bob'))?.role).toBe('auditor');
        log.changeUserRole('u-bob', 'user');
        await project();
        expect((await store.getUserByUsername('bob'))?.role).toBe('user');
        expect((await store.getUser('u-carol'))?.role).toBe('user');
      });

      it("blanks every text of an erased user (current, earlier versions, deleted ones stay null) and their email, nobody else's", async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.join('r-1', 'u-bob');
        const mine = log.send('r-1', 'u-alice', 'personal');
        log.edit('r-1', mine.seq, 'more personal', 'u-alice');
        const gone = log.send('r-1', 'u-alice', 'deleted anyway');
        log.delete('r-1', gone.seq, 'u-alice');
        const theirs = log.send('r-1', 'u-bob', 'not erased');
        log.erasePersonalData('u-alice');
        await project();

        expect(await store.getMessage('r-1', mine.seq)).toMatchObject({ text: '', erased: true, deleted: false });
        expect((await store.getEditHistory('r-1', mine.seq)).map((edit) => edit.text)).toEqual(['']);
        expect(await store.getMessage('r-1', gone.seq)).toMatchObject({ text: null, erased: true, deleted: true });
        expect(await store.getMessage('r-1', theirs.seq)).toMatchObject({ text: 'not erased', erased: false });
        expect((await store.getUser('u-alice'))?.email).toBeNull();
        expect((await store.getUser('u-carol'))?.email).toBe('u-carol@example.test');
      });

      it('keeps a message read as erased (after its key was destroyed) erased, also when edited again', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'x');
        const edit = log.edit('r-1', sent.seq, 'y', 'u-alice');
        // What SealingEventLog hands out for a sealed text whose key is gone.
        const asErased = (event: RecordedEvent): RecordedEvent => {
          if (event.type === 'MessageSent') return { ...event, data: { ...event.data, text: '', erased: true } };
          if (event.type === 'MessageEdited') return { ...event, data: { ...event.data, text: '', erased: true } };
          return event;
        };
        await store.applyBatch(log.events.map((event) => (event === sent.event || event === edit ? asErased(event) : event)));
        expect(await store.getMessage('r-1', sent.seq)).toMatchObject({ text: '', erased: true, deleted: false });
        expect((await store.getEditHistory('r-1', sent.seq)).map((entry) => entry.text)).toEqual(['']);
      });
    });

    describe('edits and deletes', () => {
      it('keeps every previous text of an edited message, oldest first', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'first');
        const edit1 = log.edit('r-1', sent.seq, 'second', 'u-alice');
        log.join('r-1', 'u-bob');
        const edit2 = log.edit('r-1', sent.seq, 'third', 'u-alice');
        await project();

        const message = await store.getMessage('r-1', sent.seq);
        expect(message).toEqual({
          messageId: sent.messageId,
          roomId: 'r-1',
          seq: sent.seq,
          senderId: 'u-alice',
          text: 'third',
          createdAt: isoOf(sent.event),
          editedAt: isoOf(edit2),
          deleted: false,
          erased: false,
          reactions: [],
          replyTo: null,
          threadId: null,
          replyCount: 0,
          lastReplyAt: null,
          mentions: [],
        });
        expect(await store.getEditHistory('r-1', sent.seq)).toEqual([
          { text: 'first', editedAt: isoOf(edit1), editedBy: 'u-alice' },
          { text: 'second', editedAt: isoOf(edit2), editedBy: 'u-alice' },
        ]);
        // The edit does not move the message: it keeps its seq and place in the page.
        expect(seqsOfPage(await store.getMessages('r-1', { limit: 10 }))).toEqual([sent.seq]);
      });

      it('has an empty edit history for a message never edited, and for unknown messages', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'plain');
        await project();
        expect(await store.getEditHistory('r-1', sent.seq)).toEqual([]);
        expect(await store.getEditHistory('r-1', 99)).toEqual([]);
        expect(await store.getEditHistory('r-nowhere', 1)).toEqual([]);
      });

      it('marks a deleted message deleted with null text, keeping its seq in history', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const before = log.send('r-1', 'u-alice', 'stays');
        const doomed = log.send('r-1', 'u-alice', 'goes');
        const after = log.send('r-1', 'u-alice', 'also stays');
        log.delete('r-1', doomed.seq, 'u-alice');
        await project();

        const deleted = await store.getMessage('r-1', doomed.seq);
        expect(deleted).toEqual({
          messageId: doomed.messageId,
          roomId: 'r-1',
          seq: doomed.seq,
          senderId: 'u-alice',
          text: null,
          createdAt: isoOf(doomed.event),
          editedAt: null,
          deleted: true,
          erased: false,
          reactions: [],
          replyTo: null,
          threadId: null,
          replyCount: 0,
          lastReplyAt: null,
          mentions: [],
        });
        const page = await store.getMessages('r-1', { limit: 10 });
        expect(page.messages.map((message) => [message.seq, message.text, message.deleted])).toEqual([
          [before.seq, 'stays', false],
          [doomed.seq, null, true],
          [after.seq, 'also stays', false],
        ]);
      });

      it('deletes an edited message: text null, editedAt and edit history kept', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'original');
        const edit = log.edit('r-1', sent.seq, 'edited', 'u-alice');
        log.delete('r-1', sent.seq, 'u-bob');
        await project();
        const message = await store.getMessage('r-1', sent.seq);
        expect(message).toMatchObject({ text: null, deleted: true, editedAt: isoOf(edit) });
        expect(await store.getEditHistory('r-1', sent.seq)).toEqual([
          { text: 'original', editedAt: isoOf(edit), editedBy: 'u-alice' },
        ]);
      });

      it('ignores an edit recorded after a delete: the text stays null', async () => {
        // The decider refuses this; the projection must still never resurrect deleted text.
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'original');
        log.delete('r-1', sent.seq, 'u-alice');
        log.edit('r-1', sent.seq, 'back again', 'u-alice');
        await project();
        expect(await store.getMessage('r-1', sent.seq)).toMatchObject({ text: null, deleted: true, editedAt: null });
        expect(await store.getEditHistory('r-1', sent.seq)).toEqual([]);
      });
    });

    describe('reactions', () => {
      const reactionsOf = async (seq: number): Promise<MessageView['reactions'] | undefined> =>
        (await store.getMessage('r-1', seq))?.reactions;

      it('shows who reacted with what on single reads and pages, emoji in first-use order, users in reaction order', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.join('r-1', 'u-bob');
        const first = log.send('r-1', 'u-alice', 'first');
        const second = log.send('r-1', 'u-alice', 'second');
        const third = log.send('r-1', 'u-alice', 'third');
        log.react('r-1', first.seq, 'u-bob', '👍');
        log.react('r-1', first.seq, 'u-alice', ':party_parrot:');
        log.react('r-1', first.seq, 'u-alice', '👍');
        log.react('r-1', third.seq, 'u-bob', '🇫🇷');
        await project();

        expect(await reactionsOf(first.seq)).toEqual([
          { emoji: '👍', count: 2, userIds: ['u-bob', 'u-alice'] },
          { emoji: ':party_parrot:', count: 1, userIds: ['u-alice'] },
        ]);
        expect(await reactionsOf(second.seq)).toEqual([]);
        const page = await store.getMessages('r-1', { limit: 10 });
        expect(page.messages.map((message) => [message.seq, message.reactions.map((r) => [r.emoji, r.count])])).toEqual([
          [first.seq, [['👍', 2], [':party_parrot:', 1]]],
          [second.seq, []],
          [third.seq, [['🇫🇷', 1]]],
        ]);
        // Another page of the same room reads only its own messages' reactions.
        const older = await store.getMessages('r-1', { before: third.seq, after: first.seq, limit: 10 });
        expect(older.messages.map((message) => [message.seq, message.reactions])).toEqual([[second.seq, []]]);
      });

      it('takes a reaction back, drops an emoji nobody holds, and moves the room head', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'hi');
        log.react('r-1', sent.seq, 'u-alice', '👍');
        log.react('r-1', sent.seq, 'u-alice', '🎉');
        const removed = log.react('r-1', sent.seq, 'u-alice', '👍', false);
        await project();
        expect(await reactionsOf(sent.seq)).toEqual([{ emoji: '🎉', count: 1, userIds: ['u-alice'] }]);
        expect((await store.getRoom('r-1'))?.headSeq).toBe(removed.streamVersion);
      });

      it('applies a re-delivered batch once', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'hi');
        log.react('r-1', sent.seq, 'u-bob', '👍');
        const all = log.since();
        await store.applyBatch(all);
        await store.applyBatch(all);
        expect(await reactionsOf(sent.seq)).toEqual([{ emoji: '👍', count: 1, userIds: ['u-bob'] }]);
      });

      it('forgets the reactions of a deleted message', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'hi');
        log.react('r-1', sent.seq, 'u-bob', '👍');
        log.delete('r-1', sent.seq, 'u-alice');
        await project();
        expect(await reactionsOf(sent.seq)).toEqual([]);
      });

      it("removes an erased user's reactions, and never shows one of theirs met after the erasure", async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const sent = log.send('r-1', 'u-alice', 'hi');
        log.react('r-1', sent.seq, 'u-bob', '👍');
        log.react('r-1', sent.seq, 'u-carol', '👍');
        log.erasePersonalData('u-bob');
        await project();
        expect(await reactionsOf(sent.seq)).toEqual([{ emoji: '👍', count: 1, userIds: ['u-carol'] }]);
        // A rebuild over partitions may read the room's reaction after the user's erasure.
        log.react('r-1', sent.seq, 'u-bob', '🎉');
        await project();
        expect(await reactionsOf(sent.seq)).toEqual([{ emoji: '👍', count: 1, userIds: ['u-carol'] }]);
      });
    });

    describe('pins', () => {
      it('lists pinned messages most recently pinned first, with their reactions, and forgets unpinned ones', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const first = log.send('r-1', 'u-alice', 'first');
        const second = log.send('r-1', 'u-alice', 'second');
        const third = log.send('r-1', 'u-alice', 'third');
        log.pin('r-1', second.seq);
        log.pin('r-1', first.seq);
        log.pin('r-1', third.seq);
        log.react('r-1', first.seq, 'u-alice', '📌');
        const unpinned = log.pin('r-1', third.seq, false);
        await project();
        const pinned = await store.getPinnedMessages('r-1');
        expect(pinned.map((message) => [message.seq, message.text])).toEqual([
          [first.seq, 'first'],
          [second.seq, 'second'],
        ]);
        expect(pinned[0]?.reactions).toEqual([{ emoji: '📌', count: 1, userIds: ['u-alice'] }]);
        expect((await store.getRoom('r-1'))?.headSeq).toBe(unpinned.streamVersion);
        expect(await store.getPinnedMessages('r-nowhere')).toEqual([]);
      });

      it('unpins a deleted message, and applies a re-delivered pin once', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const kept = log.send('r-1', 'u-alice', 'kept');
        const doomed = log.send('r-1', 'u-alice', 'doomed');
        log.pin('r-1', kept.seq);
        log.pin('r-1', doomed.seq);
        log.delete('r-1', doomed.seq, 'u-alice');
        const all = log.since();
        await store.applyBatch(all);
        await store.applyBatch(all);
        expect((await store.getPinnedMessages('r-1')).map((message) => message.seq)).toEqual([kept.seq]);
      });
    });

    threadsContract({ store: () => store, log: () => log, project });
    mentionsContract({ store: () => store, log: () => log, project });

    describe('receipts and unread counts', () => {
      /** A private room of alice's with bob and carol in it, and no message yet. */
      function roomOfThree(): void {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-alice');
        log.join('r-1', 'u-bob', 'member', 'u-alice');
        log.join('r-1', 'u-carol', 'member', 'u-alice');
      }

      async function roomOf(userId: string, roomId = 'r-1') {
        const page = await store.listRoomsOfUser(userId, { limit: 100 });
        const room = page.rooms.find((candidate) => candidate.roomId === roomId);
        if (!room) throw new Error(`${userId} is not in ${roomId}`);
        return room;
      }

      const state = async (userId: string, roomId = 'r-1') => {
        const { unreadCount, readSeq, deliveredSeq } = await roomOf(userId, roomId);
        return { unreadCount, readSeq, deliveredSeq };
      };

      it('counts the messages others sent after the read marker, never the reader\'s own', async () => {
        roomOfThree();
        const first = log.send('r-1', 'u-alice', 'one');
        log.send('r-1', 'u-bob', 'two');
        log.send('r-1', 'u-alice', 'three');
        await project();
        expect(await state('u-bob')).toEqual({ unreadCount: 2, readSeq: 0, deliveredSeq: 0 });
        expect(await state('u-alice')).toEqual({ unreadCount: 1, readSeq: 0, deliveredSeq: 0 });
        expect(await state('u-carol')).toEqual({ unreadCount: 3, readSeq: 0, deliveredSeq: 0 });

        log.read('u-bob', 'r-1', first.seq);
        await project();
        expect(await state('u-bob')).toEqual({ unreadCount: 1, readSeq: first.seq, deliveredSeq: first.seq });
      });

      it('leaves deleted messages out of the count, read or not', async () => {
        roomOfThree();
        const first = log.send('r-1', 'u-alice', 'one');
        const second = log.send('r-1', 'u-alice', 'two');
        log.send('r-1', 'u-alice', 'three');
        log.read('u-bob', 'r-1', first.seq);
        log.delete('r-1', first.seq, 'u-alice');
        log.delete('r-1', second.seq, 'u-alice');
        await project();
        expect((await state('u-bob')).unreadCount).toBe(1);
        expect((await state('u-carol')).unreadCount).toBe(1);
      });

      it('counts nothing once the marker reaches the head, and counts again what comes after', async () => {
        roomOfThree();
        log.send('r-1', 'u-alice', 'one');
        const last = log.send('r-1', 'u-alice', 'two');
        log.read('u-bob', 'r-1', last.seq);
        await project();
        expect((await state('u-bob')).unreadCount).toBe(0);
        log.edit('r-1', last.seq, 'two, edited', 'u-alice');
        log.join('r-1', 'u-dave', 'member', 'u-alice');
        await project();
        expect((await state('u-bob')).unreadCount).toBe(0);
        log.send('r-1', 'u-carol', 'three');
        await project();
        expect((await state('u-bob')).unreadCount).toBe(1);
      });

      it('takes the maximum of each marker, whatever order receipts arrive in', async () => {
        roomOfThree();
        for (let i = 0; i < 6; i++) log.send('r-1', 'u-alice', `m${i}`);
        log.delivered('u-bob', 'r-1', 7);
        log.read('u-bob', 'r-1', 6);
        log.delivered('u-bob', 'r-1', 5);
        log.read('u-bob', 'r-1', 4);
        await project();
        // Messages are seqs 5..10 (the room's first four events are its creation and joins).
        expect(await state('u-bob')).toEqual({ unreadCount: 4, readSeq: 6, deliveredSeq: 7 });
      });

      it('treats reading as delivery', async () => {
        roomOfThree();
        for (let i = 0; i < 4; i++) log.send('r-1', 'u-alice', `m${i}`);
        log.delivered('u-bob', 'r-1', 4);
        log.read('u-bob', 'r-1', 6);
        await project();
        expect(await state('u-bob')).toEqual({ unreadCount: 2, readSeq: 6, deliveredSeq: 6 });
      });

      it("keeps each user's and each room's markers apart", async () => {
        roomOfThree();
        log.createRoom('r-2', 'Two', 'public', 'u-bob');
        log.send('r-1', 'u-alice', 'in one');
        log.send('r-2', 'u-bob', 'in two');
        log.join('r-2', 'u-alice');
        log.read('u-alice', 'r-2', 3);
        log.delivered('u-bob', 'r-1', 5);
        await project();
        expect(await state('u-alice', 'r-2')).toEqual({ unreadCount: 0, readSeq: 3, deliveredSeq: 3 });
        expect(await state('u-alice', 'r-1')).toEqual({ unreadCount: 0, readSeq: 0, deliveredSeq: 0 });
        expect(await state('u-bob', 'r-1')).toEqual({ unreadCount: 1, readSeq: 0, deliveredSeq: 5 });
        expect(await state('u-bob', 'r-2')).toEqual({ unreadCount: 0, readSeq: 0, deliveredSeq: 0 });
      });

      it('lists the receipts of current members in join order, with 0 for members without markers', async () => {
        roomOfThree();
        log.send('r-1', 'u-alice', 'one');
        log.send('r-1', 'u-alice', 'two');
        log.delivered('u-bob', 'r-1', 5);
        log.read('u-bob', 'r-1', 4);
        log.read('u-carol', 'r-1', 5);
        await project();
        expect(await store.getReceipts('r-1')).toEqual([
          { userId: 'u-alice', deliveredSeq: 0, readSeq: 0 },
          { userId: 'u-bob', deliveredSeq: 5, readSeq: 4 },
          { userId: 'u-carol', deliveredSeq: 5, readSeq: 5 },
        ]);
      });

      it('leaves former members out of the receipts, and keeps their markers for when they rejoin', async () => {
        roomOfThree();
        log.send('r-1', 'u-alice', 'one');
        log.read('u-carol', 'r-1', 4);
        log.remove('r-1', 'u-carol', 'u-alice');
        await project();
        expect((await store.getReceipts('r-1')).map((receipt) => receipt.userId)).toEqual(['u-alice', 'u-bob']);
        log.join('r-1', 'u-carol', 'member', 'u-alice');
        await project();
        expect((await store.getReceipts('r-1')).at(-1)).toEqual({ userId: 'u-carol', deliveredSeq: 4, readSeq: 4 });
      });

      it('keeps markers that arrive before the room they refer to (another partition may be behind)', async () => {
        threeUsers();
        log.read('u-bob', 'r-1', 3);
        await project();
        expect(await store.getReceipts('r-1')).toEqual([]);
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.join('r-1', 'u-bob');
        log.send('r-1', 'u-alice', 'four');
        await project();
        expect(await state('u-bob')).toEqual({ unreadCount: 1, readSeq: 3, deliveredSeq: 3 });
      });

      it('returns no receipts for an unknown room', async () => {
        expect(await store.getReceipts('r-nowhere')).toEqual([]);
      });

      it('changes nothing for receipts delivered again', async () => {
        roomOfThree();
        log.send('r-1', 'u-alice', 'one');
        log.read('u-bob', 'r-1', 3);
        log.read('u-bob', 'r-1', 4);
        await project();
        const once = await store.getReceipts('r-1');
        await store.applyBatch(log.events);
        await store.applyBatch(log.events.slice(-2, -1));
        expect(await store.getReceipts('r-1')).toEqual(once);
        expect((await state('u-bob')).readSeq).toBe(4);
      });
    });

    describe('files (issue #16)', () => {
      const ref = (fileId: string, name = `${fileId}.png`) => ({
        fileId,
        name,
        contentType: 'image/png',
        size: 100,
        sha256: 'c'.repeat(64),
        width: 20,
        height: 10,
        thumbnail: true,
      });

      it('projects an upload into a file with every field', async () => {
        const uploaded = log.uploadFile('f-1', 'u-alice', { name: 'Ünïcødé 🐈.png' });
        log.uploadFile('f-2', 'u-alice', { name: 'notes.txt', contentType: 'text/plain', width: null, height: null, thumbnail: false });
        await project();
        expect(await store.getFile('f-1')).toEqual({
          fileId: 'f-1',
          uploadedBy: 'u-alice',
          name: 'Ünïcødé 🐈.png',
          contentType: 'image/png',
          size: 100,
          sha256: 'c'.repeat(64),
          width: 20,
          height: 10,
          thumbnail: true,
          uploadedAt: isoOf(uploaded),
          erased: false,
          discarded: false,
        });
        expect(await store.getFile('f-2')).toMatchObject({ width: null, height: null, thumbnail: false });
        expect(await store.getFile('nope')).toBeUndefined();
      });

      it("shows a message's files in order, in pages and alone, the message's own facts even before the upload is projected", async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-alice');
        log.join('r-1', 'u-bob', 'member', 'u-alice');
        const sent = log.send('r-1', 'u-alice', '', { attachments: [ref('f-2', 'second.png'), ref('f-1')] });
        log.send('r-1', 'u-alice', 'no files');
        await project();
        const message = await store.getMessage('r-1', sent.seq);
        expect(message?.attachments).toEqual([
          { ...ref('f-2', 'second.png'), erased: false },
          { ...ref('f-1'), erased: false },
        ]);
        const page = await store.getMessages('r-1', { limit: 10 });
        expect(page.messages.map((one) => one.attachments?.length ?? 0)).toEqual([2, 0]);
      });

      it("knows where a file went: the rooms of messages not deleted, the asker's membership, avatars", async () => {
        threeUsers();
        log.uploadFile('f-1', 'u-alice');
        log.createRoom('r-1', 'One', 'private', 'u-alice');
        log.join('r-1', 'u-bob', 'member', 'u-alice');
        log.createRoom('r-2', 'Two', 'public', 'u-carol');
        log.send('r-1', 'u-alice', '', { attachments: [ref('f-1')] });
        const deleted = log.send('r-2', 'u-carol', '', { attachments: [ref('f-1')] });
        log.delete('r-2', deleted.seq, 'u-carol');
        log.uploadFile('f-2', 'u-bob');
        log.record('user-u-bob', {
          type: 'ProfileUpdated',
          data: { userId: 'u-bob', displayName: 'bob', statusText: '', avatarUrl: '/api/files/f-2', avatarFileId: 'f-2' },
        });
        await project();
        expect(await store.getFileAudience('f-1', 'u-bob')).toEqual({ rooms: [{ roomId: 'r-1', kind: 'private', member: true }], avatar: false });
        expect(await store.getFileAudience('f-1', 'u-carol')).toEqual({ rooms: [{ roomId: 'r-1', kind: 'private', member: false }], avatar: false });
        expect(await store.getFileAudience('f-2', 'u-carol')).toEqual({ rooms: [], avatar: true });
      });

      it('lists unsent uploads before a time, oldest first, never sent, avatars, discarded or erased ones', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'private', 'u-alice');
        const first = log.uploadFile('f-unsent', 'u-alice');
        log.uploadFile('f-sent', 'u-alice');
        log.uploadFile('f-gone', 'u-alice');
        log.uploadFile('f-late', 'u-alice', {}, { at: first.metadata.occurredAt + 60_000 });
        log.send('r-1', 'u-alice', '', { attachments: [ref('f-sent')] });
        log.discardFile('f-gone');
        await project();
        const before = first.metadata.occurredAt + 5_000;
        expect((await store.listUnsentFiles({ uploadedBefore: before, limit: 10 })).map((file) => file.fileId)).toEqual(['f-unsent']);
        expect(await store.getFile('f-gone')).toMatchObject({ discarded: true });
        expect((await store.listFilesWithContent('u-alice', 'c'.repeat(64))).map((file) => file.fileId).sort()).toEqual([
          'f-gone',
          'f-late',
          'f-sent',
          'f-unsent',
        ]);
      });

      it("an erasure marks the user's uploads erased and blanks the names their messages carried", async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.join('r-1', 'u-bob');
        log.uploadFile('f-1', 'u-bob');
        const sent = log.send('r-1', 'u-bob', 'mine', { attachments: [ref('f-1', 'holiday.png')] });
        log.erasePersonalData('u-bob');
        await project();
        expect(await store.getFile('f-1')).toMatchObject({ erased: true, name: '' });
        expect((await store.getMessage('r-1', sent.seq))?.attachments).toEqual([{ ...ref('f-1', ''), erased: true }]);
        expect(await store.listUnsentFiles({ uploadedBefore: Date.now() + 1e9, limit: 10 })).toEqual([]);
      });

      it("blanks an erased uploader's file names in other people's forwards too, before and after the erasure", async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.join('r-1', 'u-bob');
        log.uploadFile('f-1', 'u-bob');
        const forwarded = log.send('r-1', 'u-alice', 'look', { attachments: [ref('f-1', 'bob_passport.pdf')] });
        log.erasePersonalData('u-bob');
        const later = log.send('r-1', 'u-alice', 'again', { attachments: [ref('f-1', 'bob_passport.pdf')] });
        await project();
        for (const seq of [forwarded.seq, later.seq]) {
          expect((await store.getMessage('r-1', seq))?.attachments).toEqual([{ ...ref('f-1', ''), erased: true }]);
        }
        expect((await store.getMessages('r-1', { limit: 10 })).messages.flatMap((one) => one.attachments ?? [])).toEqual([
          { ...ref('f-1', ''), erased: true },
          { ...ref('f-1', ''), erased: true },
        ]);
      });
    });

    describe('checkpoint and idempotency', () => {
      it('starts at the empty checkpoint', async () => {
        expect(await store.checkpoint()).toEqual(EMPTY_CHECKPOINT);
      });

      it('advances the checkpoint to the last position of each batch', async () => {
        threeUsers();
        await store.applyBatch(log.since(EMPTY_CHECKPOINT));
        expect(await store.checkpoint()).toEqual(log.head);
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.send('r-1', 'u-alice', 'hi');
        const batch = log.since(await store.checkpoint());
        await store.applyBatch(batch);
        expect(await store.checkpoint()).toEqual({ 0: batch.at(-1)!.position });
        await store.applyBatch([]);
        expect(await store.checkpoint()).toEqual(log.head);
      });

      it('accepts positions with gaps (as Kafka offsets skip transaction markers)', async () => {
        threeUsers();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        log.send('r-1', 'u-alice', 'hi');
        const withGaps = log.events.filter((event) => event.type !== 'UsernameClaimed');
        expect(withGaps.length).toBeLessThan(log.events.length);
        await store.applyBatch(withGaps);
        expect(await store.checkpoint()).toEqual(log.head);
        expect((await store.getMessages('r-1', { limit: 5 })).messages).toHaveLength(1);
      });

      it('changes nothing when the same batch is delivered again', async () => {
        const { userIds, roomIds } = richScenario(log);
        await store.applyBatch(log.events);
        const once = await snapshot(store, userIds, roomIds);
        await store.applyBatch(log.events);
        expect(await snapshot(store, userIds, roomIds)).toEqual(once);
        expect(once.checkpoint).toEqual(log.head);
      });

      it('changes nothing when an old stretch of the log is delivered again', async () => {
        // Re-applying old events out of context would undo later ones (an old edit's text, a join before a leave):
        // only the checkpoint keeps them out.
        const { userIds, roomIds } = richScenario(log);
        await store.applyBatch(log.events);
        const once = await snapshot(store, userIds, roomIds);
        const events = log.events;
        // Stretches that end between a fact and the one that undoes it: carol joins general / later leaves it;
        // a message is edited twice in a row.
        const carolJoins = events.findIndex((e) => e.type === 'MemberJoined' && e.data.userId === 'u-carol');
        const firstEdit = events.findIndex((e) => e.type === 'MessageEdited');
        expect(carolJoins).toBeGreaterThan(0);
        expect(firstEdit).toBeGreaterThan(0);
        const stretches: Array<[from: number, to: number]> = [
          [0, 20],
          [carolJoins - 5, carolJoins + 1],
          [firstEdit, firstEdit + 1],
          [events.length - 30, events.length - 5],
        ];
        for (const [from, to] of stretches) {
          await store.applyBatch(events.slice(from, to));
          expect(await snapshot(store, userIds, roomIds), `events ${from}..${to}`).toEqual(once);
          for (const event of events.slice(from, to)) await store.applyBatch([event]);
          expect(await snapshot(store, userIds, roomIds), `events ${from}..${to} one by one`).toEqual(once);
        }
      });

      it('changes nothing for the already applied part of an overlapping batch', async () => {
        const { userIds, roomIds } = richScenario(log);
        const events = log.events;
        const split = Math.floor(events.length / 2);
        await store.applyBatch(events.slice(0, split));
        await store.applyBatch(events.slice(split - 10, split + 5));
        await store.applyBatch(events.slice(3));

        const reference = await freshStore();
        await reference.applyBatch(events);
        expect(await snapshot(store, userIds, roomIds)).toEqual(await snapshot(reference, userIds, roomIds));
      });

      it('never moves the checkpoint back for a batch that is entirely old', async () => {
        threeUsers();
        await store.applyBatch(log.events);
        await store.applyBatch(log.events.slice(0, 2));
        expect(await store.checkpoint()).toEqual(log.head);
      });

      it('applies a batch all or nothing, checkpoint included', async () => {
        threeUsers();
        await project();
        const checkpointBefore = await store.checkpoint();
        log.createRoom('r-1', 'One', 'public', 'u-alice');
        const good = log.send('r-1', 'u-alice', 'fine');
        const bad = log.send('r-1', 'u-alice', 'poisoned');
        // Reading this event's text fails, as a store write would mid-batch: the whole batch must roll back.
        Object.defineProperty(bad.event.data, 'text', {
          enumerable: true,
          get(): string {
            throw new Error('poisoned event');
          },
        });
        await expect(store.applyBatch(log.since(checkpointBefore))).rejects.toThrow();
        expect(await store.checkpoint()).toEqual(checkpointBefore);
        expect(await store.getRoom('r-1')).toBeUndefined();
        expect(await store.getMessage('r-1', good.seq)).toBeUndefined();
        expect(await store.getMembers('r-1')).toEqual([]);

        // The store stays usable: the good part applies afterwards.
        await store.applyBatch(log.since(checkpointBefore).filter((event) => event !== bad.event));
        expect((await store.getMessage('r-1', good.seq))?.text).toBe('fine');
        expect(await store.checkpoint()).toEqual(checkpointOf([good.event]));
      });
    });

    describe('checkpoint per partition (a Kafka topic: streams spread over partitions, no order across them)', () => {
      let spread: RecordedEventLog;

      beforeEach(() => {
        spread = new RecordedEventLog({ startAt: T0, partitions: 4 });
      });

      it('keeps the last position of every partition', async () => {
        richScenario(spread);
        expect(partitionsOf(spread.head).length).toBeGreaterThan(1);
        await store.applyBatch(spread.events);
        expect(await store.checkpoint()).toEqual(spread.head);
      });

      it('builds the same view whichever way the partitions interleave', async () => {
        const { userIds, roomIds } = richScenario(spread);
        await store.applyBatch(spread.events);
        // Another legal delivery order: one partition after the other, each in its own order, in small batches.
        const byPartition = [...spread.events].sort((a, b) => a.partition - b.partition);
        const other = await freshStore();
        for (let i = 0; i < byPartition.length; i += 5) await other.applyBatch(byPartition.slice(i, i + 5));
        expect(await snapshot(other, userIds, roomIds)).toEqual(await snapshot(store, userIds, roomIds));
      });

      it('applies a partition that is behind while skipping what another has already applied', async () => {
        const { userIds, roomIds } = richScenario(spread);
        const [first] = partitionsOf(spread.head);
        // One partition done, the others not started: a batch of everything applies only the others.
        await store.applyBatch(spread.events.filter((event) => event.partition === first));
        await store.applyBatch(spread.events);
        await store.applyBatch(spread.events.filter((event) => event.partition === first));
        expect(await store.checkpoint()).toEqual(spread.head);
        const reference = await freshStore();
        await reference.applyBatch(spread.events);
        expect(await snapshot(store, userIds, roomIds)).toEqual(await snapshot(reference, userIds, roomIds));
      });
    });

    describe('rebuild', () => {
      it('gives identical views when the whole log is applied to a fresh store, in any batch sizes', async () => {
        const { userIds, roomIds } = richScenario(log);
        await store.applyBatch(log.events);
        const expected = await snapshot(store, userIds, roomIds);
        // The scenario must actually exercise the views it compares.
        expect(expected.rooms.filter((room) => room.room !== undefined)).toHaveLength(roomIds.length - 1);
        expect(expected.rooms.some((room) => room.edits.some((edits) => edits.length > 0))).toBe(true);

        for (const batchSize of [1, 3, 7, 1000]) {
          const rebuilt = await freshStore();
          for (let i = 0; i < log.events.length; i += batchSize) {
            await rebuilt.applyBatch(log.events.slice(i, i + batchSize));
          }
          expect(await snapshot(rebuilt, userIds, roomIds), `batch size ${batchSize}`).toEqual(expected);
        }
      });
    });
  });
}

function seqsOfPage(page: { messages: MessageView[] }): number[] {
  return page.messages.map((message) => message.seq);
}

/** A log touching every event type: users, three kinds of room, joins, leaves, removals, roles, edits, deletes. */
function richScenario(log: RecordedEventLog): { userIds: string[]; roomIds: string[] } {
  log.registerUser('u-alice', 'Alice', { role: 'admin' });
  log.registerUser('u-bob', 'Bob', { email: null });
  log.registerUser('u-carol', 'Carol');
  log.registerUser('u-dave', 'Dave', { role: 'auditor' });
  log.createRoom('r-general', 'General', 'public', 'u-alice');
  log.createRoom('r-team', 'Team', 'private', 'u-bob');
  log.createRoom('dm_u-alice_u-bob', 'Alice & Bob', 'direct', 'u-alice');
  log.join('dm_u-alice_u-bob', 'u-bob', 'member', 'u-alice');
  log.join('r-general', 'u-bob');
  log.join('r-team', 'u-alice', 'member', 'u-bob');
  for (let i = 1; i <= 12; i++) {
    const general = log.send('r-general', i % 2 === 0 ? 'u-alice' : 'u-bob', `general ${i}`);
    if (i % 3 === 0) log.edit('r-general', general.seq, `general ${i} (edited)`, general.event.metadata.actorId ?? 'x');
    if (i % 4 === 0) log.delete('r-general', general.seq, 'u-alice');
    if (i === 5) log.join('r-general', 'u-carol');
    if (i === 9) log.leave('r-general', 'u-carol');
    const team = log.send('r-team', 'u-bob', `team ${i}`);
    if (i === 2) {
      log.edit('r-team', team.seq, 'team 2, take two', 'u-bob');
      log.edit('r-team', team.seq, 'team 2, take three', 'u-bob');
    }
    if (i === 6) log.changeRole('r-team', 'u-alice', 'moderator', 'u-bob');
    if (i === 7) log.join('r-team', 'u-dave', 'member', 'u-bob');
    if (i === 10) log.remove('r-team', 'u-dave', 'u-alice');
  }
  log.send('dm_u-alice_u-bob', 'u-alice', 'psst');
  log.send('dm_u-alice_u-bob', 'u-bob', 'what?');
  // Receipts, some late or repeated (only the maximum counts), one for a room bob has not joined yet.
  log.delivered('u-bob', 'r-general', 20);
  log.read('u-bob', 'r-general', 12);
  log.delivered('u-bob', 'r-general', 15);
  log.read('u-bob', 'r-general', 9);
  log.read('u-alice', 'r-team', 10);
  log.delivered('u-alice', 'dm_u-alice_u-bob', 4);
  log.read('u-carol', 'r-team', 3);
  log.send('r-general', 'u-alice', 'after the receipts');
  return {
    userIds: ['u-alice', 'u-bob', 'u-carol', 'u-dave', 'u-nobody'],
    roomIds: ['r-general', 'r-team', 'dm_u-alice_u-bob', 'r-nowhere'],
  };
}

/** Everything the store can show about the given users and rooms, for comparing two stores. */
async function snapshot(store: HistoryStore, userIds: string[], roomIds: string[]) {
  const users = await store.getUsers(userIds);
  const byUsername = await Promise.all(users.map((user) => store.getUserByUsername(user.username.toUpperCase())));
  const roomsOfUsers = await Promise.all(userIds.map((userId) => store.listRoomsOfUser(userId, { limit: 100 })));
  const publicRooms = await store.listPublicRooms({ limit: 100 });
  const rooms = await Promise.all(
    roomIds.map(async (roomId) => {
      const room = await store.getRoom(roomId);
      const seqs = Array.from({ length: room?.headSeq ?? 0 }, (_, i) => i + 1);
      // Walk backwards in small pages so paging itself is part of what must match.
      const pages = [];
      let page = await store.getMessages(roomId, { limit: 4 });
      pages.push(page);
      while (page.hasMore) {
        page = await store.getMessages(roomId, { limit: 4, before: page.messages[0]!.seq });
        pages.push(page);
      }
      return {
        room,
        members: await store.getMembers(roomId),
        roles: await Promise.all(userIds.map((userId) => store.getMemberRole(roomId, userId))),
        pages,
        messages: await Promise.all(seqs.map((seq) => store.getMessage(roomId, seq))),
        edits: await Promise.all(seqs.map((seq) => store.getEditHistory(roomId, seq))),
        receipts: await store.getReceipts(roomId),
      };
    }),
  );
  return { checkpoint: await store.checkpoint(), users, byUsername, roomsOfUsers, publicRooms, rooms };
}
