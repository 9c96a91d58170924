import { answerErrorText, withoutStored, withoutUnfinished, withStreamFrame } from './answers.js';
import type { ServerFrame } from './frames.js';
import type { ChatStore } from './store.js';
import { findMessage, withEvent } from './timeline.js';

// What each WebSocket frame changes in the chat page's state (store.ts): timelines, unread counts, typing notes,
// presence, receipts, pins, streaming answers.

export function applyFrame(store: ChatStore, frame: ServerFrame): void {
  switch (frame.type) {
    case 'chat.event': {
      const timeline = store.state.timelines.get(frame.roomId);
      if (timeline !== undefined) store.set({ timelines: new Map(store.state.timelines).set(frame.roomId, withEvent(timeline, frame)) });
      if (frame.event === 'MessageSent') {
        store.need([frame.data.senderId]);
        const streams = withoutStored(store.state.streams, frame.data.messageId);
        if (streams !== store.state.streams) store.set({ streams });
        clearTyping(store, frame.roomId, frame.data.senderId);
        if (frame.roomId === store.state.currentRoomId) store.markRead();
        else if (frame.data.senderId !== store.state.me?.userId) bumpUnread(store, frame.roomId, frame.seq, mentionsMe(store, frame.data));
      }
      if (frame.event === 'MemberJoined' || frame.event === 'MemberLeft' || frame.event === 'MemberRemoved') {
        store.need([frame.data.userId]);
        if (store.state.members.has(frame.roomId)) void store.loadMembers(frame.roomId);
      }
      if (frame.event === 'MessagePinned' || frame.event === 'MessageUnpinned') void store.loadPins(frame.roomId);
      if (frame.event === 'RoomRenamed' || frame.event === 'RoomTopicChanged') void store.loadRooms();
      break;
    }
    case 'chat.typing': {
      const typing = new Map(store.state.typing);
      typing.set(frame.roomId, new Map(typing.get(frame.roomId)).set(frame.userId, Date.now() + frame.expiresInMs));
      store.set({ typing });
      store.need([frame.userId]);
      setTimeout(() => store.set({}), frame.expiresInMs + 50);
      break;
    }
    case 'chat.receipt':
      void store.loadReceipts(frame.roomId);
      break;
    case 'presence':
      store.set({ presence: new Map(store.state.presence).set(frame.userId, { userId: frame.userId, online: frame.online, lastSeenAt: frame.lastSeenAt }) });
      break;
    case 'room.unsubscribed':
      if (frame.reason !== 'requested') void store.loadRooms();
      break;
    case 'chat.stream': {
      const timeline = store.state.timelines.get(frame.roomId);
      // A room whose timeline is not loaded gets the stored message with its history: nothing to wait for.
      const stored = (messageId: string) => timeline === undefined || findMessage(timeline, messageId) !== undefined;
      const assistants = store.state.assistants.has(frame.senderId) ? store.state.assistants : new Set(store.state.assistants).add(frame.senderId);
      store.set({ streams: withStreamFrame(store.state.streams, frame, stored), assistants });
      store.need([frame.senderId]);
      break;
    }
    case 'chat.error':
      store.set({ error: answerErrorText(frame.code, frame.message, frame.details) });
      store.sendAnswered(frame.ref, 'refused');
      break;
    case 'room.subscribed': {
      const streams = withoutUnfinished(store.state.streams, frame.roomId);
      if (streams !== store.state.streams) store.set({ streams });
      break;
    }
    case 'chat.ack':
      store.sendAnswered(frame.clientMessageId, 'acked');
      break;
    case 'auth.success':
    case 'ping':
      break;
    default: {
      const never: never = frame;
      return never;
    }
  }
}

function clearTyping(store: ChatStore, roomId: string, userId: string): void {
  const room = store.state.typing.get(roomId);
  if (!room?.has(userId)) return;
  const next = new Map(room);
  next.delete(userId);
  store.set({ typing: new Map(store.state.typing).set(roomId, next) });
}

/**
 * A live message names me in `mentions` even from someone I blocked (it is what they sent): like the service's
 * mentionCount, the badge skips senders in my blocks (docs/clients.md "Blocks").
 */
function mentionsMe(store: ChatStore, data: { senderId: string; mentions?: string[] }): boolean {
  return (data.mentions?.includes(store.state.me?.userId ?? '') ?? false) && !(store.state.blocked?.has(data.senderId) ?? false);
}

function bumpUnread(store: ChatStore, roomId: string, seq: number, mentionsMe: boolean): void {
  store.set({
    rooms: store.state.rooms.map((room) =>
      room.roomId === roomId
        ? {
            ...room,
            unreadCount: (room.unreadCount ?? 0) + 1,
            ...(mentionsMe ? { mentionCount: (room.mentionCount ?? 0) + 1 } : {}),
            headSeq: Math.max(room.headSeq, seq),
          }
        : room,
    ),
  });
}
