import { useState } from 'preact/hooks';
import { nameOf } from '../shared/format.js';
import type { Room } from '../shared/types.js';
import { Avatar } from './Avatar.js';
import { useChat, useStore } from './hooks.js';
import { PersonPicker } from './PersonPicker.js';
import { otherMember, roomTitle } from './roomTitle.js';

// Who I am and whether the socket is up, the rooms I am in (unread counts), new rooms and direct messages, and the
// public rooms I could join.

export function Sidebar() {
  const store = useStore();
  const state = useChat();
  const [picking, setPicking] = useState(false);
  /** Why the direct room just picked could not open (403 BLOCKED), shown here: on a phone the room pane is hidden. */
  const [refusal, setRefusal] = useState('');
  const me = state.me;
  if (me === null) return null;

  function onCreate(event: SubmitEvent) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!(form instanceof HTMLFormElement)) return;
    const data = new FormData(form);
    const kind = data.get('kind') === 'private' ? 'private' : 'public';
    void store.createRoom(String(data.get('name') ?? ''), kind).then(() => form.reset());
  }

  const item = (room: Room, joinable: boolean) => {
    const members = state.members.get(room.roomId);
    const other = room.kind === 'direct' ? otherMember(room, members, me.userId) : undefined;
    const title = roomTitle(room, members, me.userId, state.profiles);
    const unread = room.unreadCount ?? 0;
    return (
      <li key={room.roomId} data-room-id={room.roomId} class={room.roomId === state.currentRoomId ? 'active' : ''}>
        <button type="button" class="room-button" onClick={() => void store.openRoom(room.roomId)} aria-current={room.roomId === state.currentRoomId ? 'true' : undefined}>
          {other !== undefined ? (
            <Avatar person={state.profiles.get(other)} online={state.presence.get(other)?.online ?? false} size="s" />
          ) : (
            <span class="room-icon" aria-hidden="true">{room.kind === 'private' ? '◇' : '#'}</span>
          )}
          <span class="room-title">{title}</span>
          {joinable ? <span class="muted small">join</span> : null}
          {(room.mentionCount ?? 0) > 0 ? (
            <span class="mention-badge" aria-label={`${room.mentionCount} mentioning you`}>
              @
            </span>
          ) : null}
          {unread > 0 ? (
            <span class="unread" aria-label={`${unread} unread`}>
              {unread}
            </span>
          ) : null}
        </button>
      </li>
    );
  };

  return (
    <aside class="sidebar" aria-label="Rooms">
      <header class="me row">
        <button type="button" class="plain me-button" onClick={() => store.set({ view: 'profile', currentRoomId: null })} id="nav-profile" title="Your profile">
          <Avatar person={me} size="s" />
          <span class="stack-tight">
            <strong id="me">{me.username}</strong>
            {nameOf(me) !== me.username ? <span class="muted small">{nameOf(me)}</span> : null}
          </span>
        </button>
        <span id="status" class={`badge ${state.status}`} role="status">
          {state.status}
        </span>
      </header>
      <nav class="row nav">
        <button type="button" class="link" id="nav-friends" onClick={() => store.set({ view: 'friends', currentRoomId: null })}>
          Friends
        </button>
        <button
          type="button"
          class="link"
          onClick={() => {
            setPicking(!picking);
            setRefusal('');
          }}
          aria-expanded={picking}
          id="nav-dm"
        >
          New direct message
        </button>
        <button type="button" class="link" id="nav-mentions" onClick={() => store.set({ view: 'search', searchQuery: '', currentRoomId: null })}>
          Mentions
        </button>
        {me.role === 'admin' || me.role === 'analyst' ? (
          <a class="link" href="/admin">
            Dashboard
          </a>
        ) : null}
        <button type="button" class="link" id="logout" onClick={() => void store.signOut()}>
          Sign out
        </button>
      </nav>
      {picking ? (
        <PersonPicker
          label="Message whom?"
          onPick={(userId) => {
            setPicking(false);
            setRefusal('');
            void store.startDirect(userId).then((problem) => setRefusal(problem ?? ''));
          }}
          onCancel={() => setPicking(false)}
        />
      ) : null}
      <p id="dm-error" class="error" role="alert">
        {refusal}
      </p>
      <form
        id="search-form"
        role="search"
        class="row nowrap"
        onSubmit={(event) => {
          event.preventDefault();
          const query = String(new FormData(event.currentTarget).get('q') ?? '').trim();
          if (query) store.set({ view: 'search', searchQuery: query, currentRoomId: null });
        }}
      >
        <label class="grow">
          <span class="visually-hidden">Search messages</span>
          <input name="q" type="search" placeholder="Search messages" maxLength={200} />
        </label>
        <button type="submit" class="secondary">
          Search
        </button>
      </form>
      <form id="new-room" class="row" onSubmit={onCreate}>
        <label class="grow">
          <span class="visually-hidden">New room name</span>
          <input name="name" placeholder="New room name" required maxLength={100} />
        </label>
        <label>
          <span class="visually-hidden">Kind</span>
          <select name="kind">
            <option value="public">public</option>
            <option value="private">private</option>
          </select>
        </label>
        <button type="submit">Create</button>
      </form>
      <h2>My rooms</h2>
      <ul id="rooms" class="room-list">
        {state.rooms.map((room) => item(room, false))}
      </ul>
      <h2>Public rooms</h2>
      <ul id="public-rooms" class="room-list">
        {state.publicRooms.length === 0 ? <li class="muted small">none to join</li> : state.publicRooms.map((room) => item(room, true))}
      </ul>
    </aside>
  );
}
