import type { UserRole } from '../events/chatEvents.js';
import type { RecordedEvent } from '../events/envelope.js';
import type { ChatEvent } from '../events/chatEvents.js';

/** Limits a decider enforces; configurable, so they arrive with the command instead of being imported. */
export interface DomainLimits {
  /** Maximum message length in characters (Unicode code points) after normalisation. Default 1000. */
  maxMessageLength: number;
  /** Maximum members of a private or public room. Default 100. */
  maxRoomMembers: number;
  /** Maximum room name length in characters. Default 100. */
  maxRoomNameLength: number;
  /** Maximum files one message carries (MAX_ATTACHMENTS_PER_MESSAGE, issue #16). Default 10; absent means 10. */
  maxAttachments?: number;
}

export const DEFAULT_LIMITS: DomainLimits = { maxMessageLength: 1000, maxRoomMembers: 100, maxRoomNameLength: 100 };

/** The most files a message may carry, whatever the configuration says (API.md: 1..10). */
export const MAX_ATTACHMENTS = 10;

export interface DecisionContext {
  /** Who issued the command, with their global role (admins may moderate any room). */
  actor: { userId: string; role: UserRole };
  limits: DomainLimits;
}

/**
 * A pure decider: `decide` turns a command and the current state into new events (or throws a
 * CommandRejectedError with a stable code); `evolve` folds a recorded event into state. Neither does I/O, reads
 * the clock or makes ids.
 */
export interface Decider<Command, State, Event extends ChatEvent> {
  initialState(): State;
  evolve(state: State, event: RecordedEvent<Event>): State;
  decide(command: Command, state: State, context: DecisionContext): Event[];
}
