import { useEffect, useState } from 'preact/hooks';
import { ApiError, describeError } from '../shared/api.js';
import { nameOf, timeLabel } from '../shared/format.js';
import type { Message } from '../shared/types.js';
import { useChat, useStore } from './hooks.js';
import { textOf } from './MessageItem.js';
import { roomTitle } from './roomTitle.js';

// Search the rooms you may read now (GET /api/chat/search, newest first) and the messages that mention you
// (GET /api/mentions); a result opens its room. Both answer `{messages, nextCursor?}`: "More results" passes the
// cursor back as `before`. A 404 (a server older than #17) says the feature is not there.

interface Page {
  messages: Message[];
  nextCursor?: string;
}

export function Search({ query }: { query: string }) {
  const store = useStore();
  const state = useChat();
  const [results, setResults] = useState<Message[] | null>(null);
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [message, setMessage] = useState('');
  const mentions = query === '';

  function load(before: string | undefined) {
    const after = before === undefined ? '' : `&before=${encodeURIComponent(before)}`;
    const url = mentions ? `/api/mentions?limit=50${after}` : `/api/chat/search?q=${encodeURIComponent(query)}&limit=50${after}`;
    store.api.get<Page>(url).then(
      (body) => {
        setResults((earlier) => [...(before === undefined ? [] : (earlier ?? [])), ...body.messages]);
        setCursor(body.nextCursor);
        store.need(body.messages.map((m) => m.senderId));
      },
      (error: unknown) => {
        if (error instanceof ApiError && error.missing) setMessage(`${mentions ? 'Mentions are' : 'Search is'} not available on this server yet.`);
        // 400 VALIDATION_FAILED: no letter or digit, more than 200 characters or 12 words (docs/clients.md "Search").
        else if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') setMessage('Search for words of letters or digits: at most 12 words, 200 characters.');
        else setMessage(describeError(error));
      },
    );
  }

  useEffect(() => {
    setResults(null);
    setCursor(undefined);
    setMessage('');
    load(undefined);
  }, [query]);

  const titleOf = (roomId: string) => {
    // Search also finds public rooms one has not joined: their titles come from the public list.
    const room = state.rooms.find((r) => r.roomId === roomId) ?? state.publicRooms.find((r) => r.roomId === roomId);
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
        {cursor !== undefined ? (
          <button type="button" class="secondary" id="more-results" onClick={() => load(cursor)}>
            More results
          </button>
        ) : null}
      </div>
    </section>
  );
}
