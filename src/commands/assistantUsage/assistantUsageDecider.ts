import { CommandRejectedError } from '../../domain/errors.js';
import type { AssistantUsageEvent } from '../../events/chatEvents.js';
import type { AssistantUsageCommand } from '../commands.js';
import type { Decider } from '../decider.js';

// What each answer of an assistant cost (issue #19), in the assistant's own usage stream `assistant-usage-<id>`.
// Only the assistant records its usage (the responder acts as it); each answer once, by its command id.

export interface AssistantUsageState {
  /** Answers recorded so far, and their tokens. */
  readonly answers: number;
  readonly tokens: number;
}

export function assistantUsageStreamId(assistantId: string): string {
  return `assistant-usage-${assistantId}`;
}

export const assistantUsageDecider: Decider<AssistantUsageCommand, AssistantUsageState, AssistantUsageEvent> = {
  initialState: () => ({ answers: 0, tokens: 0 }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AssistantUsageRecorded':
        return { answers: state.answers + 1, tokens: state.tokens + event.data.promptTokens + event.data.completionTokens };
      default: {
        const unreachable: never = event.type;
        throw new Error(`unhandled assistant usage event ${JSON.stringify(unreachable)}`);
      }
    }
  },
  decide: (command, _state, context) => {
    switch (command.type) {
      case 'RecordAssistantUsage': {
        if (command.assistantId !== context.actor.userId) {
          throw new CommandRejectedError('FORBIDDEN', 'an assistant records its own usage only', { assistantId: command.assistantId });
        }
        const { assistantId, roomId, messageId, askerId, model, promptTokens, completionTokens } = command;
        return [{ type: 'AssistantUsageRecorded', data: { assistantId, roomId, messageId, askerId, model, promptTokens, completionTokens } }];
      }
      default: {
        const unreachable: never = command.type;
        throw new Error(`unhandled assistant usage command ${JSON.stringify(unreachable)}`);
      }
    }
  },
};
