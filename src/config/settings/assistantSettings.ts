// Assistants (issue #19): the model server and the limits on what assistants may spend, the reference's "Assistants"
// section (CONFIG_GROUPS.assistants). OPENAI_BASE_URL and OPENAI_API_KEY are the names every OpenAI-compatible
// client reads, so one environment serves this service and the provider's own tools alike.

import { z } from 'zod';
import { doc } from './configGroups.js';
import { positiveInt } from './settingValues.js';

export const assistantSettings = {
  OPENAI_BASE_URL: z
    .url({ protocol: /^https?$/ })
    .optional()
    .meta(
      doc(
        'assistants',
        'Base URL of the chat-completions API, up to and including `/v1` (`https://api.openai.com/v1`, ' +
          '`http://localhost:8080/v1` for llama.cpp, an Azure OpenAI `.../openai/v1` endpoint).',
        "the `openai` client's default, `https://api.openai.com/v1`",
      ),
    ),
  OPENAI_API_KEY: z
    .string()
    .min(1)
    .max(4096)
    .optional()
    .meta(
      doc(
        'assistants',
        'The key sent as a bearer token to the model server. Never logged, never sent to clients.',
        'assistants do not answer: start-up logs it, `/api/health` reports `assistants: not-configured` and an ' +
          'asker gets `chat.error` AI_ERROR with `details.reason` `not-configured`',
      ),
    ),
  ASSISTANT_MODEL: z
    .string()
    .min(1)
    .max(200)
    .default('gpt-4o-mini')
    .meta(doc('assistants', 'The model an assistant uses when its own configuration names none.')),
  ASSISTANT_TIMEOUT_MS: positiveInt
    .max(600_000)
    .default(60_000)
    .meta(doc('assistants', 'Longest time one answer may take, first byte to last; then the request is aborted (AI_TIMEOUT).')),
  ASSISTANT_CONTEXT_TOKENS: positiveInt
    .max(1_000_000)
    .default(3000)
    .meta(
      doc(
        'assistants',
        'Budget of the conversation sent with a question (the thread, or the room\'s recent messages), estimated as ' +
          'characters / 4; the oldest messages are left out first.',
      ),
    ),
  ASSISTANT_MAX_ANSWER_TOKENS: positiveInt
    .max(100_000)
    .default(1000)
    .meta(doc('assistants', '`max_completion_tokens` of each request: the longest answer.')),
  ASSISTANT_USER_REQUESTS_PER_DAY: positiveInt
    .default(200)
    .meta(doc('assistants', 'Questions one user may have answered per day, in every room (RATE_LIMIT_EXCEEDED after).')),
  ASSISTANT_USER_TOKENS_PER_DAY: positiveInt
    .default(200_000)
    .meta(doc('assistants', 'Tokens (prompt and answer) one user\'s questions may use per day, in every room.')),
  ASSISTANT_ROOM_REQUESTS_PER_DAY: positiveInt
    .default(1000)
    .meta(doc('assistants', 'Questions answered per day in one room, whoever asks.')),
  ASSISTANT_ROOM_TOKENS_PER_DAY: positiveInt
    .default(1_000_000)
    .meta(doc('assistants', 'Tokens (prompt and answer) used per day in one room, whoever asks.')),
};
