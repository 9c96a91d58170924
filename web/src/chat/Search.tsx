import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError } from '../shared/api.js';
import { nameOf, timeLabel } from '../shared/format.js';
import type { Message } from '../shared/types.js';
import { useChat, useStore } from './hooks.js';
import { textOf } from './MessageItem.js';
import { roomTitle } from './roomTitle.js';

// Search the rooms you may read (GET /api/chat/search) and the messages that mention you (GET /api/mentions),
// newest first; a result opens its room. Both are on their way from another branch: a 404 says so.

export function Search({ query }: { query: string }) {
  const store = useStore();
  const state = useChat();
  const [results, setResults] = useState<Message[] | null>(null);
  const [message, setMessage] = useState('');
  const mentions = query === '';

  useEffect(() => {
    setResults(null);
    setMessage('');
    const url = mentions ? '/api/mentions?limit=50' : `/api/chat/search?q=${encodeURIComponent(query)}&limit=50`;
    store.api.get<{ messages: Message[] }>(url).then(
      (body) => {
        setResults(body.messages);
        store.need(body.messages.map((m) => m.senderId));
      },
      (error: unknown) => setMessage(error instanceof ApiError && error.missing ? `${mentions ? 'Mentions are' : 'Search is'} not available on this server yet.` : describeError(error)),
    );
  }, [query]);

  const titleOf = (roomId: string) => {
    const room = state.rooms.find((r) => r.roomId === roomId);
    return room ? roomTitle(room, state.members.get(roomId), state.me?.userId, state.profiles) : 'a room';
  };

  return (
    <section id="search" class="page" aria-labelledby="search-title">
      <header class="room-header">
        <button type="button" class="icon back" aria-label="Back to rooms" onClick={() => store.set({ view: 'chat' })}>
          ←
        </button>
        <h2 id="search-title" class="grow">
          {mentions ? 'Mentions of you' : `Search: ${query}`}
        </h2>
      </header>
      <div class="page-body">
        <p class="muted small" role="status">
          {message || (results === null ? 'Searching…' : `${results.length} message${results.length === 1 ? '' : 's'}`)}
        </p>
        <ul class="people" id="search-results">
          {(results ?? []).map((found) => (
            <li key={found.messageId}>
              <button type="button" class="person result" onClick={() => void store.openRoom(found.roomId)}>
                <span class="stack-tight">
                  <span class="small muted">
                    {titleOf(found.roomId)} · {nameOf(state.profiles.get(found.senderId), 'someone')} · {timeLabel(found.createdAt)}
                  </span>
                  <span class="text">{textOf(found)}</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
      </div>
    </section>
  );
}
