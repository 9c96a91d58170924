import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { lastSeenLabel, nameOf, timeLabel, typingLabel } from '../shared/format.js';
import { AnswerItem } from './AnswerItem.js';
import { Composer } from './Composer.js';
import { useChat, useStore } from './hooks.js';
import { MembersPanel } from './MembersPanel.js';
import { MessageItem } from './MessageItem.js';
import { otherMember, roomTitle } from './roomTitle.js';
import { ThreadPanel } from './ThreadPanel.js';
import { findMessage, type SystemNote } from './timeline.js';

// The open room: its header (name or the other person's, presence, members, pins), the timeline with "load older",
// who is typing, and the composer.

function noteText(note: SystemNote, name: (userId: string | null) => string): string {
  switch (note.event) {
    case 'MemberJoined':
      return note.actorId !== null && note.actorId !== note.userId ? `${name(note.actorId)} added ${name(note.userId)}` : `${name(note.userId)} joined`;
    case 'MemberLeft':
      return `${name(note.userId)} left`;
    case 'MemberRemoved':
      return `${name(note.userId)} was removed`;
    case 'RoomRenamed':
      return `${name(note.actorId)} renamed the room to “${note.detail}”`;
    case 'RoomTopicChanged':
      return note.detail === '' ? `${name(note.actorId)} cleared the topic` : `${name(note.actorId)} set the topic: ${note.detail}`;
    case 'RoomCreated':
      return `${name(note.actorId)} created the room`;
    default: {
      const never: never = note.event;
      return never;
    }
  }
}

export function RoomView({ roomId }: { roomId: string }) {
  const store = useStore();
  const state = useChat();
  const [panel, setPanel] = useState<'members' | 'pins' | 'thread' | null>(null);
  const [threadRoot, setThreadRoot] = useState<string | null>(null);
  const [loadingOlder, setLoadingOlder] = useState(false);
  const list = useRef<HTMLOListElement>(null);
  const atBottom = useRef(true);
  const room = state.rooms.find((r) => r.roomId === roomId);
  const timeline = state.timelines.get(roomId);
  const members = state.members.get(roomId);
  const me = state.me?.userId ?? '';
  const lastSeq = timeline?.lastSeq ?? 0;
  // Answers growing in this room: how much of them shows, so the view follows them down as they grow.
  const answering = [...state.streams.values()].reduce((sum, answer) => (answer.roomId === roomId ? sum + 1 + answer.text.length : sum), 0);

  // Stay at the bottom as messages arrive, unless the reader scrolled up to read older ones.
  useLayoutEffect(() => {
    const element = list.current;
    if (element && atBottom.current) element.scrollTop = element.scrollHeight;
  }, [lastSeq, timeline?.entries.length, roomId, answering]);
  useEffect(() => {
    atBottom.current = true;
    setPanel(null);
  }, [roomId]);

  if (room === undefined) return <section id="room" class="room"><p class="muted pad">Opening…</p></section>;
  const name = (userId: string | null) => (userId === null ? 'someone' : nameOf(state.profiles.get(userId), 'someone'));
  const title = roomTitle(room, members, me, state.profiles);
  const other = room.kind === 'direct' ? otherMember(room, members, me) : undefined;
  const otherPresence = other === undefined ? undefined : state.presence.get(other);
  const typingNow = [...(state.typing.get(roomId) ?? new Map<string, number>()).entries()].filter(([userId, until]) => until > Date.now() && userId !== me);
  const pins = state.pins.get(roomId);
  const pinnedIds = new Set((pins ?? []).map((message) => message.messageId));
  const canModerate = room.myRole === 'owner' || room.myRole === 'moderator' || state.me?.role === 'admin';
  const streams = [...state.streams.entries()].filter(([, stream]) => stream.roomId === roomId);

  async function older() {
    setLoadingOlder(true);
    const element = list.current;
    const before = element ? element.scrollHeight - element.scrollTop : 0;
    atBottom.current = false;
    await store.loadOlder().catch((error: unknown) => store.fail(error));
    setLoadingOlder(false);
    if (element) element.scrollTop = element.scrollHeight - before; // keep the reader's place
  }

  return (
    <section id="room" class="room" aria-label={title}>
      <header class="room-header">
        <button type="button" class="icon back" aria-label="Back to rooms" onClick={() => store.set({ currentRoomId: null })}>
          ←
        </button>
        <div class="grow">
          <h2 id="room-name">{title}</h2>
          <p class="muted small" id="room-subtitle">
            {room.kind === 'direct'
              ? otherPresence?.online
                ? 'online'
                : lastSeenLabel(otherPresence?.lastSeenAt ?? null)
              : room.topic || `${room.kind} room`}
          </p>
        </div>
        <button type="button" class="link" id="room-members" aria-expanded={panel === 'members'} onClick={() => setPanel(panel === 'members' ? null : 'members')}>
          {`${members?.length ?? room.memberCount} member${(members?.length ?? room.memberCount) === 1 ? '' : 's'}`}
        </button>
        {pins !== null ? (
          <button type="button" class="link" id="room-pins" aria-expanded={panel === 'pins'} onClick={() => setPanel(panel === 'pins' ? null : 'pins')}>
            ⚑ {pins?.length ?? 0} pinned
          </button>
        ) : null}
      </header>
      <div class="room-body">
        <div class="timeline">
          <ol
            id="messages"
            ref={list}
            aria-live="polite"
            aria-label="Messages"
            tabIndex={0}
            onScroll={(event) => {
              const element = event.currentTarget;
              atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < 40;
            }}
          >
            {timeline?.olderCursor != null ? (
              <li class="older">
                <button type="button" id="load-older" disabled={loadingOlder} onClick={() => void older()}>
                  {loadingOlder ? 'Loading…' : 'Load older messages'}
                </button>
              </li>
            ) : timeline && timeline.entries.length > 0 ? (
              <li class="older muted small">This is the beginning of the room.</li>
            ) : null}
            {timeline?.entries.map((entry) =>
              entry.kind === 'message' ? (
                <MessageItem
                  key={entry.seq}
                  message={entry.message}
                  quoted={entry.message.replyTo ? findMessage(timeline, entry.message.replyTo) : undefined}
                  pinned={pinnedIds.has(entry.message.messageId)}
                  canModerate={canModerate}
                  onThread={(rootId) => {
                    setThreadRoot(rootId);
                    setPanel('thread');
                  }}
                />
              ) : (
                <li key={entry.seq} class="note muted small">
                  {noteText(entry, name)} · <time dateTime={entry.at}>{timeLabel(entry.at)}</time>
                </li>
              ),
            )}
            {streams.map(([streamId, answer]) => (
              <AnswerItem key={streamId} streamId={streamId} answer={answer} timeline={timeline} />
            ))}
          </ol>
          <p id="typing" class="muted small" aria-live="polite">
            {typingLabel(typingNow.map(([userId]) => name(userId)))}
          </p>
          <Composer roomId={roomId} />
        </div>
        {panel === 'members' ? <MembersPanel room={room} onClose={() => setPanel(null)} /> : null}
        {panel === 'thread' && threadRoot !== null ? <ThreadPanel rootId={threadRoot} onClose={() => setPanel(null)} /> : null}
        {panel === 'pins' ? (
          <aside class="panel" aria-label="Pinned messages">
            <h3>Pinned</h3>
            <ul id="pins">
              {(pins ?? []).map((message) => (
                <li key={message.messageId}>
                  <strong>{name(message.senderId)}</strong>: {message.text ?? 'message deleted'}
                </li>
              ))}
              {pins?.length === 0 ? <li class="muted small">Nothing pinned.</li> : null}
            </ul>
          </aside>
        ) : null}
      </div>
    </section>
  );
}
