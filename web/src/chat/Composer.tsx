import { useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../shared/api.js';
import { nameOf } from '../shared/format.js';
import type { Attachment } from '../shared/types.js';
import { upload } from './files.js';
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
  const picker = useRef<HTMLInputElement>(null);
  const [files, setFiles] = useState<Attachment[]>([]);
  const [uploading, setUploading] = useState(false);

  async function attach(list: FileList | null) {
    if (list === null) return;
    setUploading(true);
    try {
      const stored: Attachment[] = [];
      for (const file of Array.from(list).slice(0, 10)) stored.push(await upload(store.session, file));
      setFiles((old) => [...old, ...stored].slice(0, 10));
    } catch (error) {
      store.set({ error: describeError(error) });
    } finally {
      setUploading(false);
      if (picker.current) picker.current.value = '';
    }
  }

  useEffect(() => {
    if (editing && input.current) input.current.value = editing.text ?? '';
    if ((editing || replyTo) && input.current) input.current.focus();
  }, [editing, replyTo]);

  function submit() {
    const element = input.current;
    if (!element || (element.value.trim() === '' && files.length === 0)) return;
    const text = element.value;
    element.value = '';
    const sending = files;
    setFiles([]);
    // Refused or unreachable (the error shows below): the text and files come back, to send again.
    void store.send(text, sending).then((sent) => {
      if (sent) return;
      if (element.value === '') element.value = text;
      setFiles((now) => (now.length === 0 ? sending : now));
    });
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
      {files.length > 0 ? (
        <ul class="pending-files row" aria-label="Files to send">
          {files.map((file) => (
            <li key={file.fileId}>
              <span class="file-name">{file.name}</span>{' '}
              <button type="button" class="icon" aria-label={`Remove ${file.name}`} onClick={() => setFiles(files.filter((f) => f !== file))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      <div class="row nowrap">
        <input ref={picker} type="file" name="file" multiple class="visually-hidden" tabIndex={-1} aria-hidden="true" onChange={(event) => void attach(event.currentTarget.files)} />
        <button type="button" class="icon attach" aria-label="Attach files" title="Attach files" disabled={uploading || editing !== null} onClick={() => picker.current?.click()}>
          {uploading ? '…' : '+'}
        </button>
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
