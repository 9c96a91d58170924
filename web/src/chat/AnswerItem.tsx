import { nameOf } from '../shared/format.js';
import type { StreamingAnswer } from './answers.js';
import { Avatar } from './Avatar.js';
import { useChat, useStore } from './hooks.js';
import { textOf } from './MessageItem.js';
import type { Timeline } from './timeline.js';
import { findMessage } from './timeline.js';

// An assistant's answer as it streams in (docs/assistants.md "The frames"): its bubble, marked as the assistant's,
// quoting the question, the text so far growing, and for the asker a Stop button (chat.stream.cancel). Once stored,
// the ordinary message takes its place (liveFrames.ts).

export function AnswerItem({ streamId, answer, timeline }: { streamId: string; answer: StreamingAnswer; timeline: Timeline | undefined }) {
  const store = useStore();
  const state = useChat();
  const sender = state.profiles.get(answer.senderId);
  const question = answer.replyTo !== undefined && timeline !== undefined ? findMessage(timeline, answer.replyTo) : undefined;
  const mine = question !== undefined && question.senderId === state.me?.userId;
  const growing = answer.messageId === undefined;
  const who = nameOf(sender, 'Assistant');
  return (
    <li class="message streaming assistant" data-stream-id={streamId} aria-busy={growing} aria-label={`${who} (assistant) ${growing ? 'is answering' : 'answered'}`}>
      <Avatar person={sender} size="m" />
      <div class="bubble">
        <div class="meta">
          <span class="who">{who}</span>
          <span class="assistant-badge">assistant</span>
          <span class="muted small">{growing ? 'answering…' : 'saving…'}</span>
        </div>
        {question !== undefined ? <blockquote class="quote">{`${nameOf(state.profiles.get(question.senderId), 'someone')}: ${textOf(question)}`}</blockquote> : null}
        <p class="answer-text">{answer.text}</p>
      </div>
      {growing && mine ? (
        <div class="actions always" role="group" aria-label="Answer actions">
          <button type="button" class="stop-answer" onClick={() => store.stopAnswer(answer.roomId, streamId)}>
            Stop
          </button>
        </div>
      ) : null}
    </li>
  );
}
