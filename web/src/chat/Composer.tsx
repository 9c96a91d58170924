import { useEffect, useRef } from 'preact/hooks';
import { nameOf } from '../shared/format.js';
import { useChat, useStore } from './hooks.js';
import { textOf } from './MessageItem.js';

// Enter sends, Shift+Enter starts a new line, Escape cancels a reply or an edit. Typing notes go out at most every
// two seconds.

const MAX_TEXT = 1000;

export function Composer({ roomId }: { roomId: string }) {
  const store = useStore();
  const state = useChat();
  const input = useRef<HTMLTextAreaElement>(null);
  const lastTyping = useRef(0);
  const { replyTo, editing } = state;

  useEffect(() => {
    if (editing && input.current) input.current.value = editing.text ?? '';
    if ((editing || replyTo) && input.current) input.current.focus();
  }, [editing, replyTo]);

  function submit() {
    const element = input.current;
    if (!element || element.value.trim() === '') return;
    const text = element.value;
    element.value = '';
    void store.send(text);
  }

  return (
    <form
      id="composer"
      class="composer"
      onSubmit={(event) => {
        event.preventDefault();
        submit();
      }}
    >
      {replyTo || editing ? (
        <div class="composer-context row">
          <span class="grow small">
            {editing ? 'Editing your message' : `Replying to ${nameOf(state.profiles.get(replyTo?.senderId ?? ''), 'someone')}: ${replyTo ? textOf(replyTo) : ''}`}
          </span>
          <button type="button" class="link" onClick={() => store.set({ replyTo: null, editing: null })}>
            Cancel
          </button>
        </div>
      ) : null}
      <div class="row">
        <label class="grow">
          <span class="visually-hidden">Message</span>
          <textarea
            ref={input}
            name="text"
            rows={1}
            placeholder="Message"
            autocomplete="off"
            maxLength={MAX_TEXT}
            onKeyDown={(event) => {
              if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
                event.preventDefault();
                submit();
              } else if (event.key === 'Escape') store.set({ replyTo: null, editing: null });
            }}
            onInput={() => {
              const now = Date.now();
              if (now - lastTyping.current > 2000) {
                lastTyping.current = now;
                store.typing();
              }
            }}
            data-room-id={roomId}
          />
        </label>
        <button type="submit">{editing ? 'Save' : 'Send'}</button>
      </div>
      <p id="room-error" class="error" role="alert">
        {state.error}
      </p>
    </form>
  );
}
