import { useEffect } from 'preact/hooks';
import { Friends } from './Friends.js';
import { useChat } from './hooks.js';
import { Profile } from './Profile.js';
import { RoomView } from './RoomView.js';
import { Search } from './Search.js';
import { Sidebar } from './Sidebar.js';
import { SignIn } from './SignIn.js';

// Signed out: the sign-in screen. Signed in: rooms on the left, the open room (or friends, or the profile) on the
// right; on a phone's width one of the two at a time (app.css), with a back button in every header.

export function App() {
  const state = useChat();
  const unread = state.rooms.reduce((sum, room) => sum + (room.unreadCount ?? 0), 0);
  // The tab's title counts unread messages, so a background tab shows that something arrived.
  useEffect(() => {
    document.title = unread > 0 ? `(${unread}) Chat` : 'Chat';
  }, [unread]);
  if (state.me === null) return <SignIn />;
  const showing = state.view !== 'chat' || state.currentRoomId !== null;
  return (
    <div id="chat" class={`layout${showing ? ' showing' : ''}`}>
      <Sidebar />
      <main class="main">
        {state.view === 'friends' ? (
          <Friends />
        ) : state.view === 'profile' ? (
          <Profile />
        ) : state.view === 'search' ? (
          <Search query={state.searchQuery} />
        ) : state.currentRoomId !== null ? (
          <RoomView roomId={state.currentRoomId} />
        ) : (
          <section class="empty">
            <h2>Pick a room</h2>
            <p class="muted">Choose one on the left, create one, or start a direct message.</p>
            {state.error ? (
              <p class="error" role="alert">
                {state.error}
              </p>
            ) : null}
          </section>
        )}
      </main>
    </div>
  );
}
