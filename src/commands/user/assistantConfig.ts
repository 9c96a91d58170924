import { CommandRejectedError } from '../../domain/errors.js';

// What makes an account an assistant (issue #19), and the rules its configuration follows. Pure: the user decider
// applies them; the admin edge (REST, CLI) has already bounded the sizes.

export interface AssistantConfig {
  systemPrompt: string;
  /** "" uses ASSISTANT_MODEL. */
  model: string;
  /** Empty: every room the assistant is a member of. */
  allowedRoomIds: readonly string[];
}

/** Longest system prompt, in characters: it is sent with every question, so it costs tokens every time. */
export const MAX_SYSTEM_PROMPT_LENGTH = 8000;
/** Model names as providers spell them: `gpt-4o-mini`, `meta-llama/Llama-3.1-8B-Instruct`, `qwen2.5:7b`. */
const MODEL_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/@-]{0,199}$/;
export const MAX_ALLOWED_ROOMS = 1000;

/** The configuration as it will be stored (prompt trimmed, rooms de-duplicated in order), or VALIDATION_FAILED. */
export function normaliseAssistantConfig(config: AssistantConfig): AssistantConfig {
  const systemPrompt = config.systemPrompt.trim();
  if (systemPrompt.length === 0) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'an assistant needs a system prompt', { field: 'systemPrompt' });
  }
  if ([...systemPrompt].length > MAX_SYSTEM_PROMPT_LENGTH) {
    throw new CommandRejectedError('VALIDATION_FAILED', `the system prompt is longer than ${MAX_SYSTEM_PROMPT_LENGTH} characters`, {
      field: 'systemPrompt',
    });
  }
  const model = config.model.trim();
  if (model !== '' && !MODEL_NAME.test(model)) {
    throw new CommandRejectedError('VALIDATION_FAILED', 'the model name is not one a provider uses', { field: 'model' });
  }
  const allowedRoomIds = [...new Set(config.allowedRoomIds)];
  if (allowedRoomIds.length > MAX_ALLOWED_ROOMS) {
    throw new CommandRejectedError('VALIDATION_FAILED', `at most ${MAX_ALLOWED_ROOMS} allowed rooms`, { field: 'allowedRoomIds' });
  }
  return { systemPrompt, model, allowedRoomIds };
}

export function sameAssistantConfig(a: AssistantConfig, b: AssistantConfig): boolean {
  return (
    a.systemPrompt === b.systemPrompt &&
    a.model === b.model &&
    a.allowedRoomIds.length === b.allowedRoomIds.length &&
    a.allowedRoomIds.every((roomId, index) => b.allowedRoomIds[index] === roomId)
  );
}

/** Whether the assistant answers in this room (it must also be a member: that is the room's to say). */
export function answersIn(config: AssistantConfig, roomId: string): boolean {
  return config.allowedRoomIds.length === 0 || config.allowedRoomIds.includes(roomId);
}
