import type { Message, MessagePage, Reaction } from '../shared/types.js';
import type { ChatEventFrame } from './frames.js';

// A room's timeline as the page shows it: messages and membership notes by seq, built from history pages (REST)
// and chat.event frames (live or replayed after a reconnect). Pure, so it is unit-tested without a browser
// (web/test/timeline.unit.test.ts). Applying a frame twice changes nothing: replays may overlap what a page held.

export interface SystemNote {
  kind: 'note';
  seq: number;
  event: 'MemberJoined' | 'MemberLeft' | 'MemberRemoved' | 'RoomRenamed' | 'RoomTopicChanged' | 'RoomCreated';
  userId: string | null;
  actorId: string | null;
  detail: string;
  at: string;
}

export interface MessageEntry {
  kind: 'message';
  seq: number;
  message: Message;
}

export type Entry = MessageEntry | SystemNote;

export interface Timeline {
  entries: Entry[];
  /** The highest seq seen: a resubscription asks for what came after it. */
  lastSeq: number;
  /** before= for the next older page; null when the first page has been reached. */
  olderCursor: number | null;
}

export const EMPTY_TIMELINE: Timeline = { entries: [], lastSeq: 0, olderCursor: null };

function insert(entries: Entry[], entry: Entry): Entry[] {
  const at = entries.findIndex((existing) => existing.seq >= entry.seq);
  if (at === -1) return [...entries, entry];
  if (entries[at]?.seq === entry.seq) return entries.map((existing, index) => (index === at ? entry : existing));
  return [...entries.slice(0, at), entry, ...entries.slice(at)];
}

/** A history page: the latest (first load) or an older one (load older). */
export function withPage(timeline: Timeline, page: MessagePage, older: boolean): Timeline {
  let entries = timeline.entries;
  for (const message of page.messages) entries = insert(entries, { kind: 'message', seq: message.seq, message });
  const highest = page.messages.at(-1)?.seq ?? 0;
  const hasOlder = page.nextCursor !== undefined;
  return {
    entries,
    lastSeq: Math.max(timeline.lastSeq, highest),
    olderCursor: older || timeline.entries.length === 0 ? (hasOlder ? (page.nextCursor ?? null) : null) : timeline.olderCursor,
  };
}

function updateMessage(timeline: Timeline, messageId: string, change: (message: Message) => Message): Entry[] {
  return timeline.entries.map((entry) =>
    entry.kind === 'message' && entry.message.messageId === messageId ? { ...entry, message: change(entry.message) } : entry,
  );
}

export function withReaction(reactions: Reaction[], emoji: string, userId: string, added: boolean): Reaction[] {
  const existing = reactions.find((reaction) => reaction.emoji === emoji);
  if (added) {
    if (existing?.userIds.includes(userId)) return reactions;
    if (existing) return reactions.map((r) => (r === existing ? { ...r, count: r.count + 1, userIds: [...r.userIds, userId] } : r));
    return [...reactions, { emoji, count: 1, userIds: [userId] }];
  }
  if (!existing?.userIds.includes(userId)) return reactions;
  const userIds = existing.userIds.filter((id) => id !== userId);
  return userIds.length === 0
    ? reactions.filter((r) => r !== existing)
    : reactions.map((r) => (r === existing ? { ...r, count: userIds.length, userIds } : r));
}

/** One chat.event frame of this room. */
export function withEvent(timeline: Timeline, frame: ChatEventFrame): Timeline {
  const lastSeq = Math.max(timeline.lastSeq, frame.seq);
  const note = (event: SystemNote['event'], userId: string | null, detail = ''): Timeline => ({
    ...timeline,
    lastSeq,
    entries: insert(timeline.entries, { kind: 'note', seq: frame.seq, event, userId, actorId: frame.data.actorId, detail, at: frame.data.occurredAt }),
  });
  switch (frame.event) {
    case 'MessageSent': {
      const { data } = frame;
      const message: Message = {
        messageId: data.messageId,
        roomId: frame.roomId,
        seq: frame.seq,
        senderId: data.senderId,
        text: data.text,
        createdAt: data.occurredAt,
        deleted: data.text === null && data.erased !== true,
        reactions: [],
        ...(data.erased ? { erased: true } : {}),
        ...(data.replyTo ? { replyTo: data.replyTo } : {}),
        ...(data.threadId ? { threadId: data.threadId } : {}),
        ...(data.mentions ? { mentions: data.mentions } : {}),
        ...(data.attachments ? { attachments: data.attachments } : {}),
      };
      const known = timeline.entries.find((entry) => entry.seq === frame.seq);
      if (known?.kind === 'message') return { ...timeline, lastSeq };
      const withReply: Timeline = data.threadId
        ? { ...timeline, entries: updateMessage(timeline, data.threadId, (root) => ({ ...root, replyCount: (root.replyCount ?? 0) + 1 })) }
        : timeline;
      return { ...timeline, lastSeq, entries: insert(withReply.entries, { kind: 'message', seq: frame.seq, message }) };
    }
    case 'MessageEdited': {
      const { data } = frame;
      const entries = updateMessage(timeline, data.messageId, (m) => ({
        ...m,
        text: data.text,
        editedAt: data.occurredAt,
        ...(data.erased ? { erased: true } : {}),
      }));
      return { ...timeline, lastSeq, entries };
    }
    case 'MessageDeleted':
      return { ...timeline, lastSeq, entries: updateMessage(timeline, frame.data.messageId, (m) => ({ ...m, text: null, deleted: true, reactions: [] })) };
    case 'ReactionAdded':
    case 'ReactionRemoved': {
      const { data } = frame;
      const added = frame.event === 'ReactionAdded';
      const entries = updateMessage(timeline, data.messageId, (m) => ({ ...m, reactions: withReaction(m.reactions, data.emoji, data.userId, added) }));
      return { ...timeline, lastSeq, entries };
    }
    case 'MemberJoined':
    case 'MemberLeft':
    case 'MemberRemoved':
      return note(frame.event, frame.data.userId);
    case 'RoomRenamed':
      return note('RoomRenamed', null, frame.data.name);
    case 'RoomTopicChanged':
      return note('RoomTopicChanged', null, frame.data.topic);
    case 'RoomCreated':
      return note('RoomCreated', null, frame.data.name);
    case 'MemberRoleChanged':
    case 'MessagePinned':
    case 'MessageUnpinned':
      return { ...timeline, lastSeq };
    default: {
      const never: never = frame;
      return never;
    }
  }
}

/** The message a reply quotes, when it is on screen. */
export function findMessage(timeline: Timeline, messageId: string): Message | undefined {
  for (const entry of timeline.entries) if (entry.kind === 'message' && entry.message.messageId === messageId) return entry.message;
  return undefined;
}
