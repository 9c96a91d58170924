// The HistoryStore contract's part on mentions (#17), run by historyStoreContract.ts inside each adapter's suite: a
// message shows whom it mentions, a member's rooms count the mentions after their read marker, and their mentions
// list newest first, only in rooms they may read now, never deleted ones.

import { describe, expect, it } from 'vitest';

import type { ContractContext } from './historyStoreThreadsContract.js';

export function mentionsContract(context: ContractContext): void {
  describe('mentions (#17)', () => {
    /** alice, bob and carol; a public and a private room with all three; bob mentioned in both. */
    function mentionedRooms() {
      const log = context.log();
      log.registerUser('u-alice', 'Alice');
      log.registerUser('u-bob', 'bob');
      log.registerUser('u-carol', 'Carol');
      log.createRoom('r-pub', 'Pub', 'public', 'u-alice');
      log.join('r-pub', 'u-bob');
      log.createRoom('r-priv', 'Priv', 'private', 'u-alice');
      log.join('r-priv', 'u-bob', 'member', 'u-alice');
      const first = log.send('r-pub', 'u-alice', 'hi @bob and @Carol', { mentions: ['u-bob', 'u-carol'] });
      const second = log.send('r-priv', 'u-alice', '@bob look', { mentions: ['u-bob'] });
      const third = log.send('r-pub', 'u-carol', 'again @bob', { mentions: ['u-bob'] });
      const plain = log.send('r-pub', 'u-alice', 'nobody');
      return { first, second, third, plain };
    }

    it('shows whom a message mentions, in the order named', async () => {
      const { first, plain } = mentionedRooms();
      await context.project();
      expect((await context.store().getMessage('r-pub', first.seq))?.mentions).toEqual(['u-bob', 'u-carol']);
      expect((await context.store().getMessage('r-pub', plain.seq))?.mentions).toEqual([]);
    });

    it("counts a member's mentions per room after their read marker, not deleted ones", async () => {
      const { first, second } = mentionedRooms();
      await context.project();
      const counts = async (userId: string) =>
        Object.fromEntries(
          (await context.store().listRoomsOfUser(userId, { limit: 10 })).rooms.map((room) => [room.roomId, room.mentionCount]),
        );
      expect(await counts('u-bob')).toEqual({ 'r-pub': 2, 'r-priv': 1 });
      expect(await counts('u-alice')).toEqual({ 'r-pub': 0, 'r-priv': 0 });
      context.log().read('u-bob', 'r-pub', first.seq);
      context.log().delete('r-priv', second.seq, 'u-alice');
      await context.project();
      expect(await counts('u-bob')).toEqual({ 'r-pub': 1, 'r-priv': 0 });
    });

    it('lists mentions newest first a page at a time, only where the user may read now, never deleted ones', async () => {
      const { first, second, third } = mentionedRooms();
      await context.project();
      const all = await context.store().listMentions('u-bob', { limit: 10 });
      expect(all.messages.map((m) => [m.roomId, m.seq])).toEqual([
        ['r-pub', third.seq],
        ['r-priv', second.seq],
        ['r-pub', first.seq],
      ]);
      expect(all.hasMore).toBe(false);
      const [newest] = all.messages;
      const page = await context.store().listMentions('u-bob', { limit: 1 });
      expect(page).toMatchObject({ hasMore: true, messages: [{ seq: third.seq }] });
      const next = await context
        .store()
        .listMentions('u-bob', { limit: 1, before: { createdAt: newest!.createdAt, roomId: 'r-pub', seq: third.seq } });
      expect(next.messages.map((m) => m.roomId)).toEqual(['r-priv']);

      // Leaving the private room hides its mentions; a public room stays readable after leaving it.
      context.log().leave('r-priv', 'u-bob');
      context.log().leave('r-pub', 'u-bob');
      context.log().delete('r-pub', third.seq, 'u-carol');
      await context.project();
      expect((await context.store().listMentions('u-bob', { limit: 10 })).messages.map((m) => m.seq)).toEqual([first.seq]);
      expect((await context.store().listMentions('u-nobody', { limit: 10 })).messages).toEqual([]);
    });

    it("never shows an erased sender's text, in the mentions list or the thread's root", async () => {
      const { first } = mentionedRooms();
      const log = context.log();
      const reply = log.send('r-pub', 'u-bob', 'answer', { thread: { replyTo: first.messageId, threadId: first.messageId } });
      log.erasePersonalData('u-alice');
      await context.project();
      const listed = (await context.store().listMentions('u-bob', { limit: 10 })).messages.find((m) => m.messageId === first.messageId);
      expect(listed).toMatchObject({ erased: true, text: '', mentions: ['u-bob', 'u-carol'] });
      const thread = await context.store().getThread('r-pub', first.seq, { limit: 10 });
      expect(thread.messages.map((m) => [m.seq, m.text])).toEqual([[reply.seq, 'answer']]);
      expect(await context.store().getMessage('r-pub', first.seq)).toMatchObject({ erased: true, text: '', replyCount: 1 });
    });

    it("lists whom a user blocked, and neither counts nor lists a blocked sender's mentions of them", async () => {
      const { first, third } = mentionedRooms();
      const log = context.log();
      log.record('user-u-bob', { type: 'UserBlocked', data: { userId: 'u-bob', blockedUserId: 'u-carol' } });
      log.record('user-u-bob', { type: 'UserBlocked', data: { userId: 'u-bob', blockedUserId: 'u-alice' } });
      log.record('user-u-bob', { type: 'UserUnblocked', data: { userId: 'u-bob', blockedUserId: 'u-alice' } });
      await context.project();
      expect((await context.store().listBlocks('u-bob')).map((block) => block.userId)).toEqual(['u-carol']);
      expect(await context.store().listBlocks('u-alice')).toEqual([]);
      expect((await context.store().listMentions('u-bob', { limit: 10 })).messages.map((m) => m.seq)).not.toContain(third.seq);
      const rooms = (await context.store().listRoomsOfUser('u-bob', { limit: 10 })).rooms;
      expect(rooms.find((room) => room.roomId === 'r-pub')?.mentionCount).toBe(1);
      // The message still says whom it mentions: the block hides it from the blocker only.
      expect((await context.store().getMessage('r-pub', third.seq))?.mentions).toEqual(['u-bob']);
      expect((await context.store().getMessage('r-pub', first.seq))?.mentions).toEqual(['u-bob', 'u-carol']);
      log.record('user-u-bob', { type: 'UserUnblocked', data: { userId: 'u-bob', blockedUserId: 'u-carol' } });
      await context.project();
      expect(await context.store().listBlocks('u-bob')).toEqual([]);
      expect((await context.store().listMentions('u-bob', { limit: 10 })).messages.map((m) => m.seq)).toContain(third.seq);
    });
  });
}
