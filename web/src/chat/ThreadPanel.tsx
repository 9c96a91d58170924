import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError, path } from '../shared/api.js';
import { nameOf, timeLabel } from '../shared/format.js';
import type { Message } from '../shared/types.js';
import { useChat, useStore } from './hooks.js';
import { textOf } from './MessageItem.js';

// A conversation under one message (GET /api/chat/messages/{id}/thread, API.md "Conversations"): the root and its
// replies, oldest first. Shown only for messages that carry a threadId, i.e. on servers that have threads.

export function ThreadPanel({ rootId, onClose }: { rootId: string; onClose: () => void }) {
  const store = useStore();
  const state = useChat();
  const [thread, setThread] = useState<{ root: Message; messages: Message[] } | null>(null);
  const [problem, setProblem] = useState('');
  const lastSeq = state.timelines.get(state.currentRoomId ?? '')?.lastSeq ?? 0;

  useEffect(() => {
    store.api.get<{ root: Message; messages: Message[] }>(path`/api/chat/messages/${rootId}/thread?limit=100`).then(
      (body) => {
        setThread(body);
        store.need([body.root.senderId, ...body.messages.map((m) => m.senderId)]);
      },
      (error: unknown) => setProblem(error instanceof ApiError && error.missing ? 'Threads are not available on this server yet.' : describeError(error)),
    );
  }, [rootId, lastSeq]);

  const line = (message: Message) => (
    <li key={message.messageId}>
      <strong>{nameOf(state.profiles.get(message.senderId), 'someone')}</strong> <span class="muted small">{timeLabel(message.createdAt)}</span>
      <p class="text-plain">{textOf(message)}</p>
    </li>
  );

  return (
    <aside class="panel" id="thread-panel" aria-label="Thread">
      <header class="row">
        <h3 class="grow">Thread</h3>
        <button type="button" class="icon" aria-label="Close thread" onClick={onClose}>
          ×
        </button>
      </header>
      <p class="error" role="alert">
        {problem}
      </p>
      {thread ? (
        <>
          <ul class="thread">{line(thread.root)}</ul>
          <ul class="thread replies">{thread.messages.map(line)}</ul>
          <button type="button" class="secondary" onClick={() => store.set({ replyTo: thread.root, editing: null })}>
            Reply in thread
          </button>
        </>
      ) : null}
    </aside>
  );
}
