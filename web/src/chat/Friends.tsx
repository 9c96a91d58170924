import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { describeError, path } from '../shared/api.js';
import { nameOf } from '../shared/format.js';
import type { FriendEntry, PublicProfile } from '../shared/types.js';
import { Avatar } from './Avatar.js';
import { useChat, useStore } from './hooks.js';

// Friends, requests waiting for me, my requests waiting for others; ask someone by username or find them by e-mail.

interface Lists {
  friends: FriendEntry[];
  pending: FriendEntry[];
  sent: FriendEntry[];
}

export function Friends() {
  const store = useStore();
  const state = useChat();
  const [lists, setLists] = useState<Lists>({ friends: [], pending: [], sent: [] });
  const [message, setMessage] = useState('');

  async function load() {
    const [friends, pending, sent] = await Promise.all([
      store.api.get<{ friends: FriendEntry[] }>('/api/friends'),
      store.api.get<{ requests: FriendEntry[] }>('/api/friends/requests/pending'),
      store.api.get<{ requests: FriendEntry[] }>('/api/friends/requests/sent'),
    ]);
    setLists({ friends: friends.friends, pending: pending.requests, sent: sent.requests });
    for (const entry of [...friends.friends, ...pending.requests, ...sent.requests]) store.remember(entry.user);
  }

  useEffect(() => {
    load().catch((error: unknown) => setMessage(describeError(error)));
  }, []);

  async function act(action: () => Promise<unknown>, done: string) {
    try {
      await action();
      setMessage(done);
      await load();
    } catch (error) {
      setMessage(describeError(error));
    }
  }

  async function ask(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!(form instanceof HTMLFormElement)) return;
    const who = String(new FormData(form).get('who') ?? '').trim();
    if (who === '') return;
    let body: { username: string } | { userId: string } = { username: who };
    if (who.includes('@')) {
      const { users } = await store.api.get<{ users: PublicProfile[] }>(`/api/users/search?email=${encodeURIComponent(who)}`).catch(() => ({ users: [] }));
      const first = users[0];
      if (first === undefined) return setMessage('Nobody signed up with that e-mail address.');
      body = { userId: first.userId };
    }
    await act(() => store.api.post('/api/friends/requests', body), 'Request sent.');
    form.reset();
  }

  const row = (entry: FriendEntry, buttons: ComponentChildren) => (
    <li key={entry.user.userId} class="person" data-user-id={entry.user.userId}>
      <Avatar person={entry.user} online={state.presence.get(entry.user.userId)?.online} size="s" />
      <span class="stack-tight grow">
        <span>{nameOf(entry.user)}</span>
        <span class="muted small">
          @{entry.user.username}
          {entry.user.statusText ? ` · ${entry.user.statusText}` : ''}
        </span>
      </span>
      {buttons}
    </li>
  );

  return (
    <section id="friends" class="page" aria-labelledby="friends-title">
      <header class="room-header">
        <button type="button" class="icon back" aria-label="Back to rooms" onClick={() => store.set({ view: 'chat' })}>
          ←
        </button>
        <h2 id="friends-title" class="grow">
          Friends
        </h2>
      </header>
      <div class="page-body">
        <form class="row" id="friend-request" onSubmit={(event) => void ask(event)}>
          <label class="grow">
            <span class="visually-hidden">Username or e-mail</span>
            <input name="who" placeholder="Username or e-mail address" required maxLength={254} />
          </label>
          <button type="submit">Add friend</button>
        </form>
        <p class="muted small" role="status" id="friends-message">
          {message}
        </p>
        <h3>Requests for you</h3>
        <ul class="people" id="pending-requests">
          {lists.pending.length === 0 ? <li class="muted small">none</li> : null}
          {lists.pending.map((entry) =>
            row(entry, [
              <button type="button" key="a" onClick={() => void act(() => store.api.post(path`/api/friends/requests/${entry.user.userId}/accept`), 'Accepted.')}>
                Accept
              </button>,
              <button type="button" key="r" class="secondary" onClick={() => void act(() => store.api.post(path`/api/friends/requests/${entry.user.userId}/reject`), 'Declined.')}>
                Decline
              </button>,
            ]),
          )}
        </ul>
        <h3>Your friends</h3>
        <ul class="people" id="friend-list">
          {lists.friends.length === 0 ? <li class="muted small">none yet</li> : null}
          {lists.friends.map((entry) =>
            row(entry, [
              <button type="button" key="m" onClick={() => void store.startDirect(entry.user.userId).then((problem) => problem !== null && setMessage(problem))}>
                Message
              </button>,
              <button type="button" key="x" class="link danger" onClick={() => confirm(`Remove ${nameOf(entry.user)} from your friends?`) && void act(() => store.api.delete(path`/api/friends/${entry.user.userId}`), 'Removed.')}>
                Remove
              </button>,
            ]),
          )}
        </ul>
        <h3>Waiting for an answer</h3>
        <ul class="people" id="sent-requests">
          {lists.sent.length === 0 ? <li class="muted small">none</li> : null}
          {lists.sent.map((entry) =>
            row(
              entry,
              <button type="button" class="link" onClick={() => void act(() => store.api.delete(path`/api/friends/requests/${entry.user.userId}`), 'Withdrawn.')}>
                Withdraw
              </button>,
            ),
          )}
        </ul>
      </div>
    </section>
  );
}
