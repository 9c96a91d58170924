import { useEffect, useState } from 'preact/hooks';
import { describeError } from '../shared/api.js';
import { nameOf } from '../shared/format.js';
import type { FriendEntry, PublicProfile } from '../shared/types.js';
import { Avatar } from './Avatar.js';
import { useChat, useStore } from './hooks.js';

// Choose a person: your friends and the people of your rooms, filtered as you type; an e-mail address looks the
// person up on the service (GET /api/users/search, by the e-mail they signed up with).

export function PersonPicker({ label, onPick, onCancel, exclude = [] }: { label: string; onPick: (userId: string) => void; onCancel: () => void; exclude?: string[] }) {
  const store = useStore();
  const state = useChat();
  const [query, setQuery] = useState('');
  const [friends, setFriends] = useState<PublicProfile[]>([]);
  const [found, setFound] = useState<PublicProfile[]>([]);
  const [error, setError] = useState('');

  useEffect(() => {
    store.api.get<{ friends: FriendEntry[] }>('/api/friends').then((body) => setFriends(body.friends.map((entry) => entry.user)), () => setFriends([]));
  }, [store]);

  useEffect(() => {
    setError('');
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(query.trim())) {
      setFound([]);
      return;
    }
    const timer = setTimeout(() => {
      store.api
        .get<{ users: PublicProfile[] }>(`/api/users/search?email=${encodeURIComponent(query.trim())}`)
        .then((body) => setFound(body.users), (caught: unknown) => setError(describeError(caught)));
    }, 300);
    return () => clearTimeout(timer);
  }, [query, store]);

  const skip = new Set([state.me?.userId ?? '', ...exclude]);
  const known = new Map<string, PublicProfile>();
  for (const person of [...found, ...friends, ...state.profiles.values()]) if (!skip.has(person.userId) && !known.has(person.userId)) known.set(person.userId, person);
  const needle = query.trim().toLowerCase();
  const people = [...known.values()].filter(
    (person) => needle === '' || needle.includes('@') || person.username.toLowerCase().includes(needle) || nameOf(person).toLowerCase().includes(needle),
  );

  return (
    <div class="picker" role="dialog" aria-label={label}>
      <label>
        {label}
        <input
          type="search"
          placeholder="Name, username or e-mail"
          value={query}
          onInput={(event) => setQuery(event.currentTarget.value)}
          onKeyDown={(event) => event.key === 'Escape' && onCancel()}
          autoFocus
        />
      </label>
      <ul class="people">
        {people.slice(0, 30).map((person) => (
          <li key={person.userId}>
            <button type="button" class="person" data-user-id={person.userId} onClick={() => onPick(person.userId)}>
              <Avatar person={person} size="s" online={state.presence.get(person.userId)?.online} />
              <span>{nameOf(person)}</span>
              <span class="muted small">@{person.username}</span>
            </button>
          </li>
        ))}
        {people.length === 0 ? <li class="muted small">Nobody yet: type a friend's e-mail address.</li> : null}
      </ul>
      <p class="error" role="alert">
        {error}
      </p>
      <button type="button" class="link" onClick={onCancel}>
        Cancel
      </button>
    </div>
  );
}
