import { useState } from 'preact/hooks';
import { lastSeenLabel, nameOf } from '../shared/format.js';
import type { Room } from '../shared/types.js';
import { Avatar } from './Avatar.js';
import { useChat, useStore } from './hooks.js';
import { PersonPicker } from './PersonPicker.js';

// Who is in the room (names, roles, online or last seen), blocking and unblocking them, adding people to a group
// room, the room's topic, leaving.

export function MembersPanel({ room, onClose }: { room: Room; onClose: () => void }) {
  const store = useStore();
  const state = useChat();
  const [adding, setAdding] = useState(false);
  const members = state.members.get(room.roomId) ?? [];
  const me = state.me?.userId;
  const manages = room.myRole === 'owner' || room.myRole === 'moderator';

  return (
    <aside class="panel" id="members-panel" aria-label="Members">
      <header class="row">
        <h3 class="grow">Members</h3>
        <button type="button" class="icon" aria-label="Close members" onClick={onClose}>
          ×
        </button>
      </header>
      <ul id="members" class="people">
        {members.map((member) => {
          const presence = state.presence.get(member.userId);
          const profile = state.profiles.get(member.userId);
          return (
            <li key={member.userId} data-user-id={member.userId} class="person">
              <Avatar person={profile ?? { ...member, statusText: '', avatarUrl: null }} online={presence?.online ?? false} size="s" />
              <span class="stack-tight grow">
                <span class="member-name">{nameOf(profile ?? member)}</span>
                <span class="muted small">
                  @{member.username} · {member.role} · {presence?.online ? 'online' : lastSeenLabel(presence?.lastSeenAt ?? null)}
                </span>
                {profile?.statusText ? <span class="small">{profile.statusText}</span> : null}
              </span>
              {member.userId !== me && room.kind !== 'direct' ? (
                <button type="button" class="link" onClick={() => void store.startDirect(member.userId).then((problem) => problem !== null && store.set({ error: problem }))}>
                  Message
                </button>
              ) : null}
              {member.userId !== me && state.blocked !== null ? (
                state.blocked.has(member.userId) ? (
                  <button type="button" class="link" aria-label={`Unblock ${nameOf(profile ?? member)}`} onClick={() => void store.setBlocked(member.userId, false)}>
                    Unblock
                  </button>
                ) : (
                  <button
                    type="button"
                    class="link danger"
                    aria-label={`Block ${nameOf(profile ?? member)}`}
                    onClick={() => confirm(`Block ${nameOf(profile ?? member)}? They cannot message you directly, befriend or mention you.`) && void store.setBlocked(member.userId, true)}
                  >
                    Block
                  </button>
                )
              ) : null}
            </li>
          );
        })}
      </ul>
      {room.kind !== 'direct' && manages ? (
        adding ? (
          <PersonPicker
            label="Add whom?"
            exclude={members.map((member) => member.userId)}
            onPick={(userId) => {
              setAdding(false);
              void store.addMember(room.roomId, userId);
            }}
            onCancel={() => setAdding(false)}
          />
        ) : (
          <button type="button" id="add-member" onClick={() => setAdding(true)}>
            Add people
          </button>
        )
      ) : null}
      {room.kind !== 'direct' && manages ? (
        <form
          class="stack"
          onSubmit={(event) => {
            event.preventDefault();
            const data = new FormData(event.currentTarget);
            void store.setTopic(room.roomId, { name: String(data.get('name') ?? ''), topic: String(data.get('topic') ?? '') });
          }}
        >
          <label>
            Name
            <input name="name" defaultValue={room.name} required maxLength={100} />
          </label>
          <label>
            Topic
            <input name="topic" defaultValue={room.topic} maxLength={250} />
          </label>
          <button type="submit" class="secondary">
            Save room settings
          </button>
        </form>
      ) : null}
      {room.kind !== 'direct' ? (
        <button type="button" class="link danger" onClick={() => confirm(`Leave ${room.name}?`) && void store.leaveRoom(room.roomId)}>
          Leave room
        </button>
      ) : null}
    </aside>
  );
}
