import { estimateTokens, type ModelMessage } from './modelClient.js';

// What is sent with a question (issue #19), pure: the assistant's system prompt, then the conversation up to and
// including the question, newest kept first, within a budget of tokens estimated as characters / 4 (the rule of
// thumb for English text with OpenAI's tokenizers; a budget, not a bill: the bill is the usage the server reports).
// Messages whose sender's personal data was erased, and deleted ones, are never sent: their text is not ours to
// pass on. The assistant's own messages go as `assistant`, everybody else's as `user`, prefixed with their name so
// the model can tell people apart.

export interface ContextMessage {
  senderId: string;
  /** The sender's display name (or username) as the room shows it. */
  senderName: string;
  /** null when deleted. */
  text: string | null;
  erased: boolean;
  deleted: boolean;
}

export interface PromptInput {
  systemPrompt: string;
  assistantId: string;
  /** Oldest first; the question is the last one. */
  conversation: readonly ContextMessage[];
  budgetTokens: number;
}

/** The messages of the request. The question always goes, even alone over budget (the server then refuses it). */
export function buildPrompt(input: PromptInput): ModelMessage[] {
  const usable = input.conversation.filter((message) => !message.erased && !message.deleted && message.text !== null && message.text.length > 0);
  const turns = usable.map((message): ModelMessage =>
    message.senderId === input.assistantId
      ? { role: 'assistant', content: message.text ?? '' }
      : { role: 'user', content: `${message.senderName}: ${message.text ?? ''}` },
  );
  let spent = estimateTokens(input.systemPrompt);
  const kept: ModelMessage[] = [];
  for (let index = turns.length - 1; index >= 0; index--) {
    const turn = turns[index];
    if (turn === undefined) continue;
    const cost = estimateTokens(turn.content);
    if (kept.length > 0 && spent + cost > input.budgetTokens) break;
    spent += cost;
    kept.unshift(turn);
  }
  return [{ role: 'system', content: input.systemPrompt }, ...kept];
}
