import { useState } from 'preact/hooks';
import { ApiError, describeError, path } from '../shared/api.js';
import { nameOf, timeLabel } from '../shared/format.js';
import type { Attachment, Message, Receipt } from '../shared/types.js';
import { Avatar } from './Avatar.js';
import { download, useBlobUrl } from './files.js';
import { useChat, useStore } from './hooks.js';

// One message: who, when, the text (always as text: Preact sets textContent, never HTML), its reply quote,
// reactions, read ticks on my own messages, and its actions (reply, react, edit, delete, pin).

const QUICK_REACTIONS = ['👍', '❤️', '😂', '🎉', '👀'];

export function textOf(message: Message): string {
  if (message.erased) return '[erased]';
  if (message.deleted || message.text === null) return 'message deleted';
  return message.text;
}

function ticks(message: Message, receipts: Receipt[] | undefined, meId: string): { mark: string; label: string } {
  const others = (receipts ?? []).filter((receipt) => receipt.userId !== meId);
  if (others.length === 0) return { mark: '✓', label: 'sent' };
  if (others.every((r) => r.readSeq >= message.seq)) return { mark: '✓✓', label: 'read by everyone' };
  const read = others.filter((r) => r.readSeq >= message.seq).length;
  if (read > 0) return { mark: '✓✓', label: `read by ${read} of ${others.length}` };
  if (others.some((r) => r.deliveredSeq >= message.seq)) return { mark: '✓', label: 'delivered' };
  return { mark: '✓', label: 'sent' };
}

export function MessageItem({ message, quoted, pinned, canModerate, onThread }: {
  message: Message;
  quoted: Message | undefined;
  pinned: boolean;
  canModerate: boolean;
  onThread: (rootId: string) => void;
}) {
  const store = useStore();
  const state = useChat();
  const [reacting, setReacting] = useState(false);
  const [history, setHistory] = useState<{ text: string; editedAt: string }[] | string | null>(null);

  // Earlier versions (GET /api/chat/messages/{id}/history): the sender, moderators and admins may read them.
  async function toggleHistory() {
    if (history !== null) return setHistory(null);
    try {
      const { edits } = await store.api.get<{ edits: { text: string; editedAt: string }[] }>(path`/api/chat/messages/${message.messageId}/history`);
      setHistory(edits);
    } catch (error) {
      setHistory(error instanceof ApiError && error.status === 403 ? 'Only the sender and the room’s moderators see earlier versions.' : describeError(error));
    }
  }
  const me = state.me?.userId ?? '';
  const sender = state.profiles.get(message.senderId);
  const mine = message.senderId === me;
  const live = !message.deleted && !message.erased;
  const tick = mine && live ? ticks(message, state.receipts.get(message.roomId), me) : null;
  const name = (userId: string) => nameOf(state.profiles.get(userId), 'someone');
  const username = state.me?.username.toLowerCase() ?? '';
  const mentionsMe = !mine && !(state.blocked?.has(message.senderId) ?? false) && (message.mentions?.includes(me) || (username !== '' && (message.text ?? '').toLowerCase().includes(`@${username}`)));

  return (
    <li data-seq={message.seq} data-message-id={message.messageId} class={`message${mine ? ' mine' : ''}${mentionsMe ? ' mention' : ''}${message.deleted ? ' deleted' : ''}${message.erased ? ' erased' : ''}`}>
      <Avatar person={sender} size="m" />
      <div class="bubble">
        <div class="meta">
          <span class="who">{nameOf(sender, 'loading…')}</span>
          {state.assistants.has(message.senderId) ? <span class="assistant-badge">assistant</span> : null}
          <time dateTime={message.createdAt} title={new Date(message.createdAt).toLocaleString()}>
            {timeLabel(message.createdAt)}
          </time>
          {message.editedAt && live ? (
            <button type="button" class="link small" aria-expanded={history !== null} onClick={() => void toggleHistory()}>
              (edited)
            </button>
          ) : null}
          {pinned ? <span class="muted small" title="pinned">⚑ pinned</span> : null}
        </div>
        {message.replyTo ? (
          <blockquote class="quote">
            {quoted ? `${name(quoted.senderId)}: ${textOf(quoted)}` : 'a reply to an earlier message'}
          </blockquote>
        ) : null}
        {message.replyCount ? (
          <button type="button" class="link small thread-link" onClick={() => onThread(message.messageId)}>
            {message.replyCount} {message.replyCount === 1 ? 'reply' : 'replies'}
          </button>
        ) : message.threadId ? (
          <button type="button" class="link small thread-link" onClick={() => onThread(message.threadId ?? message.messageId)}>
            View thread
          </button>
        ) : null}
        <p class="text">{textOf(message)}</p>
        {history !== null ? (
          <ul class="edit-history small muted" aria-label="Earlier versions">
            {typeof history === 'string' ? <li>{history}</li> : history.map((edit) => <li key={edit.editedAt}>{edit.text} · {timeLabel(edit.editedAt)}</li>)}
          </ul>
        ) : null}
        {message.attachments?.length ? (
          <ul class="attachments">
            {message.attachments.map((file) => (
              <li key={file.fileId}>
                <FileView file={file} />
              </li>
            ))}
          </ul>
        ) : null}
        {message.reactions.length > 0 ? (
          <div class="reactions">
            {message.reactions.map((reaction) => (
              <button
                type="button"
                key={reaction.emoji}
                class={`reaction${reaction.userIds.includes(me) ? ' mine' : ''}`}
                aria-pressed={reaction.userIds.includes(me)}
                title={reaction.userIds.map(name).join(', ')}
                onClick={() => void store.react(message, reaction.emoji)}
              >
                {reaction.emoji} {reaction.count}
              </button>
            ))}
          </div>
        ) : null}
        {tick ? (
          <span class="ticks" title={tick.label} aria-label={tick.label}>
            {tick.mark}
          </span>
        ) : null}
      </div>
      {live ? (
        <div class="actions" role="group" aria-label="Message actions">
          <button type="button" class="icon" aria-label="Reply" title="Reply" onClick={() => store.set({ replyTo: message, editing: null })}>
            ↩
          </button>
          <button type="button" class="icon" aria-label="React" title="React" aria-expanded={reacting} onClick={() => setReacting(!reacting)}>
            ☺
          </button>
          {mine ? (
            <button type="button" class="icon" aria-label="Edit" title="Edit" onClick={() => store.set({ editing: message, replyTo: null })}>
              ✎
            </button>
          ) : null}
          {mine || canModerate ? (
            <button type="button" class="icon" aria-label="Delete" title="Delete" onClick={() => confirm('Delete this message for everyone?') && void store.remove(message)}>
              ✕
            </button>
          ) : null}
          {canModerate ? (
            <button type="button" class="icon" aria-label={pinned ? 'Unpin' : 'Pin'} title={pinned ? 'Unpin' : 'Pin'} onClick={() => void store.pin(message, pinned)}>
              ⚑
            </button>
          ) : null}
          {reacting ? (
            <span class="reaction-picker">
              {QUICK_REACTIONS.map((emoji) => (
                <button
                  type="button"
                  key={emoji}
                  class="icon"
                  aria-label={`React with ${emoji}`}
                  onClick={() => {
                    setReacting(false);
                    void store.react(message, emoji);
                  }}
                >
                  {emoji}
                </button>
              ))}
            </span>
          ) : null}
        </div>
      ) : null}
    </li>
  );
}

/** An image's thumbnail (fetched with the token), or a button that downloads the file. */
function FileView({ file }: { file: Attachment }) {
  const store = useStore();
  const thumbnail = useBlobUrl(store.session, file.thumbnailUrl ?? null);
  return (
    <button type="button" class="file" onClick={() => void download(store.session, file).catch((error: unknown) => store.fail(error))} title={`Download ${file.name}`}>
      {thumbnail !== null ? <img src={thumbnail} alt={file.name} class="attachment thumbnail" /> : null}
      <span>{file.name}</span> <span class="muted small">{Math.max(1, Math.round(file.size / 1024))} KB</span>
    </button>
  );
}
