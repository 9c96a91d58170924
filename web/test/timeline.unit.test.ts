import { describe, expect, it } from 'vitest';
import type { ChatEventFrame } from '../src/chat/frames.js';
import { EMPTY_TIMELINE, withEvent, withPage, withReaction, type Timeline } from '../src/chat/timeline.js';
import type { Message } from '../src/shared/types.js';

const at = '2026-12-07T10:00:00.000Z';
const facts = { occurredAt: at, actorId: 'u-a' };

function message(seq: number, text = `m${seq}`): Message {
  return { messageId: `r.${seq}`, roomId: 'r', seq, senderId: 'u-a', text, createdAt: at, deleted: false, reactions: [] };
}

function sent(seq: number, text: string): ChatEventFrame {
  return { type: 'chat.event', roomId: 'r', seq, event: 'MessageSent', data: { ...facts, messageId: `r.${seq}`, senderId: 'u-b', text } };
}

const texts = (timeline: Timeline) => timeline.entries.map((entry) => (entry.kind === 'message' ? entry.message.text : `(${entry.event})`));

describe('a room timeline', () => {
  it('keeps the latest page, then prepends older pages and knows when the first one is reached', () => {
    const latest = withPage(EMPTY_TIMELINE, { messages: [message(3), message(4)], nextCursor: 3 }, false);
    expect(latest.olderCursor).toBe(3);
    expect(latest.lastSeq).toBe(4);
    const all = withPage(latest, { messages: [message(1), message(2)] }, true);
    expect(texts(all)).toEqual(['m1', 'm2', 'm3', 'm4']);
    expect(all.olderCursor).toBeNull();
    expect(all.lastSeq).toBe(4);
  });

  it('adds live messages once, even when a replay after a reconnect repeats them', () => {
    let timeline = withPage(EMPTY_TIMELINE, { messages: [message(1)] }, false);
    timeline = withEvent(timeline, sent(2, 'live'));
    timeline = withEvent(timeline, sent(2, 'live'));
    timeline = withEvent(timeline, sent(3, 'after'));
    expect(texts(timeline)).toEqual(['m1', 'live', 'after']);
    expect(timeline.lastSeq).toBe(3);
  });

  it("counts a live reply on its thread's root", () => {
    let timeline = withPage(EMPTY_TIMELINE, { messages: [message(1)] }, false);
    const reply: ChatEventFrame = {
      type: 'chat.event', roomId: 'r', seq: 2, event: 'MessageSent',
      data: { ...facts, messageId: 'r.2', senderId: 'u-b', text: 'me too', replyTo: 'r.1', threadId: 'r.1' },
    };
    timeline = withEvent(withEvent(timeline, reply), reply);
    const [root] = timeline.entries;
    expect(root?.kind === 'message' && root.message.replyCount).toBe(1);
  });

  it('applies edits, deletes and membership notes by seq', () => {
    let timeline = withPage(EMPTY_TIMELINE, { messages: [message(1), message(2)] }, false);
    timeline = withEvent(timeline, { type: 'chat.event', roomId: 'r', seq: 3, event: 'MessageEdited', data: { ...facts, messageId: 'r.1', text: 'better' } });
    timeline = withEvent(timeline, { type: 'chat.event', roomId: 'r', seq: 4, event: 'MessageDeleted', data: { ...facts, messageId: 'r.2' } });
    timeline = withEvent(timeline, { type: 'chat.event', roomId: 'r', seq: 5, event: 'MemberJoined', data: { ...facts, userId: 'u-c', role: 'member', addedBy: null } });
    expect(texts(timeline)).toEqual(['better', null, '(MemberJoined)']);
    const [first, second] = timeline.entries;
    expect(first?.kind === 'message' && first.message.editedAt).toBe(at);
    expect(second?.kind === 'message' && second.message.deleted).toBe(true);
    expect(timeline.lastSeq).toBe(5);
  });

  it('counts reactions per emoji and takes one back', () => {
    let reactions = withReaction([], '👍', 'u-a', true);
    reactions = withReaction(reactions, '👍', 'u-b', true);
    reactions = withReaction(reactions, '👍', 'u-b', true);
    expect(reactions).toEqual([{ emoji: '👍', count: 2, userIds: ['u-a', 'u-b'] }]);
    reactions = withReaction(reactions, '👍', 'u-a', false);
    expect(reactions).toEqual([{ emoji: '👍', count: 1, userIds: ['u-b'] }]);
    expect(withReaction(reactions, '👍', 'u-b', false)).toEqual([]);
  });
});
