// The HistoryStore contract's part on replies and threads (#17), run by historyStoreContract.ts inside each
// adapter's suite: a reply carries replyTo and threadId, a root its count of standing replies and the latest one's
// time, a thread reads oldest first in pages, and a deleted root keeps its thread readable.

import { describe, expect, it } from 'vitest';

import type { HistoryStore } from '../../../src/projections/history/historyStore.js';
import type { RecordedEventLog } from '../../support/recordedEvents.js';

export interface ContractContext {
  store(): HistoryStore;
  log(): RecordedEventLog;
  /** Applies everything the test log recorded since the store's checkpoint. */
  project(): Promise<void>;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function threadsContract(context: ContractContext): void {
  describe('threads (#17)', () => {
    /** alice's root (3), bob's reply (4), alice's reply to that reply (5), an unrelated message (6). */
    function threadedRoom() {
      const log = context.log();
      log.registerUser('u-alice', 'Alice');
      log.registerUser('u-bob', 'bob');
      log.createRoom('r-1', 'One', 'public', 'u-alice');
      log.join('r-1', 'u-bob');
      const root = log.send('r-1', 'u-alice', 'root');
      const reply = log.send('r-1', 'u-bob', 'first reply', { thread: { replyTo: root.messageId, threadId: root.messageId } });
      const nested = log.send('r-1', 'u-alice', 'reply to a reply', {
        thread: { replyTo: reply.messageId, threadId: root.messageId },
      });
      const other = log.send('r-1', 'u-bob', 'no thread');
      return { root, reply, nested, other };
    }

    it('shows replies with replyTo and threadId, and the root with its reply count and latest reply', async () => {
      const { root, reply, nested, other } = threadedRoom();
      await context.project();
      const page = await context.store().getMessages('r-1', { limit: 10 });
      const bySeq = new Map(page.messages.map((message) => [message.seq, message]));
      expect(bySeq.get(root.seq)).toMatchObject({
        replyTo: null,
        threadId: null,
        replyCount: 2,
        lastReplyAt: iso(nested.event.metadata.occurredAt),
      });
      expect(bySeq.get(reply.seq)).toMatchObject({ replyTo: root.messageId, threadId: root.messageId, replyCount: 0 });
      expect(bySeq.get(nested.seq)).toMatchObject({ replyTo: reply.messageId, threadId: root.messageId, lastReplyAt: null });
      expect(bySeq.get(other.seq)).toMatchObject({ replyTo: null, threadId: null, replyCount: 0, lastReplyAt: null });
      expect(await context.store().getMessage('r-1', nested.seq)).toMatchObject({ threadId: root.messageId });
    });

    it('reads a thread oldest first, a page at a time', async () => {
      const { root, reply, nested } = threadedRoom();
      await context.project();
      const first = await context.store().getThread('r-1', root.seq, { limit: 1 });
      expect(first.messages.map((message) => [message.seq, message.text])).toEqual([[reply.seq, 'first reply']]);
      expect(first.hasMore).toBe(true);
      const second = await context.store().getThread('r-1', root.seq, { after: reply.seq, limit: 1 });
      expect(second.messages.map((message) => message.seq)).toEqual([nested.seq]);
      expect(second.hasMore).toBe(false);
      expect(await context.store().getThread('r-1', root.seq + 99, { limit: 10 })).toEqual({ messages: [], hasMore: false });
    });

    it('keeps the thread of a deleted root readable, and stops counting a deleted reply', async () => {
      const { root, reply, nested } = threadedRoom();
      const log = context.log();
      log.delete('r-1', root.seq, 'u-alice');
      log.delete('r-1', nested.seq, 'u-alice');
      await context.project();
      const thread = await context.store().getThread('r-1', root.seq, { limit: 10 });
      expect(thread.messages.map((message) => [message.seq, message.text, message.deleted])).toEqual([
        [reply.seq, 'first reply', false],
        [nested.seq, null, true],
      ]);
      expect(await context.store().getMessage('r-1', root.seq)).toMatchObject({
        deleted: true,
        text: null,
        replyCount: 1,
        lastReplyAt: iso(reply.event.metadata.occurredAt),
      });
    });

    it('counts a re-delivered reply once', async () => {
      const { root } = threadedRoom();
      const all = context.log().since();
      await context.store().applyBatch(all);
      await context.store().applyBatch(all);
      expect(await context.store().getMessage('r-1', root.seq)).toMatchObject({ replyCount: 2 });
    });
  });
}
