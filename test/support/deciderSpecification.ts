import { expect } from 'vitest';
import type { ChatEvent, UserRole } from '../../src/events/chatEvents.js';
import type { EventMetadata, RecordedEvent } from '../../src/events/envelope.js';
import type { Decider, DecisionContext, DomainLimits } from '../../src/commands/decider.js';
import { DEFAULT_LIMITS } from '../../src/commands/decider.js';
import type { ErrorCode } from '../../src/domain/errors.js';
import { ChatError, CommandRejectedError } from '../../src/domain/errors.js';

// Given events / when command / then events (or error code), in the spirit of emmett's DeciderSpecification:
//
//   spec(roomDecider).given([roomCreated, aliceJoined]).when(sendMessage, as('alice')).then([messageSent]);
//   spec(roomDecider).given([]).when(joinRoom, as('bob')).thenThrows('NO_ROOM');
//
// Given events are plain {type, data}; the helper records them as the log would (stream versions 1..n, global
// positions, event ids, metadata), so tests never spell out envelopes.

/** A decision context for `userId` with the default limits, or the ones given. */
export function as(userId: string, options: { role?: UserRole; limits?: Partial<DomainLimits> } = {}): DecisionContext {
  return {
    actor: { userId, role: options.role ?? 'user' },
    limits: { ...DEFAULT_LIMITS, ...options.limits },
  };
}

const FIXED_TIME = Date.UTC(2025, 0, 1);

/** Records plain events as the log would: versions from `fromVersion`, positions and ids made up but stable. */
export function recorded<E extends ChatEvent>(
  events: readonly E[],
  options: { streamId?: string; fromVersion?: number } = {},
): RecordedEvent<E>[] {
  const streamId = options.streamId ?? 'test-stream';
  const fromVersion = options.fromVersion ?? 1;
  return events.map((event, index) => {
    const streamVersion = fromVersion + index;
    const metadata: EventMetadata = {
      actorId: null,
      commandId: `command-${streamVersion}`,
      correlationId: `correlation-${streamVersion}`,
      occurredAt: FIXED_TIME + streamVersion * 1000,
    };
    return {
      ...event,
      eventId: `${streamId}-event-${streamVersion}`,
      streamId,
      streamVersion,
      partition: 0,
      position: 1000 + streamVersion,
      previousHash: null,
      metadata,
    };
  });
}

/** The state after folding the given events, recorded from version 1. */
export function stateAfter<C, S, E extends ChatEvent>(decider: Decider<C, S, E>, events: readonly E[]): S {
  return recorded(events).reduce(decider.evolve, decider.initialState());
}

export interface Outcome<S> {
  /** The command produced exactly these events (compared deeply, in order). Returns the state after them. */
  then(expected: readonly ChatEvent[]): S;
  /**
   * The command was refused with a CommandRejectedError with this stable code (and, if given, details containing
   * these fields).
   */
  thenThrows(code: ErrorCode, details?: Record<string, unknown>): ChatError;
}

export interface When<C, S> {
  when(command: C, context: DecisionContext): Outcome<S>;
}

export interface Given<C, S, E extends ChatEvent> {
  given(events: readonly E[]): When<C, S>;
  /** Starts from a state built some other way (e.g. with injected message facts). */
  givenState(state: S): When<C, S>;
}

export function spec<C, S, E extends ChatEvent>(decider: Decider<C, S, E>): Given<C, S, E> {
  const from = (state: S, version: number): When<C, S> => ({
    when: (command, context) => ({
      then(expected) {
        const events = decider.decide(command, state, context);
        expect(events).toEqual(expected);
        // The emitted events must fold too: evolve is what the next command will see.
        return recorded(events, { fromVersion: version + 1 }).reduce(decider.evolve, state);
      },
      thenThrows(code, details) {
        let thrown: unknown;
        try {
          const events = decider.decide(command, state, context);
          expect.fail(`expected ${code}, but the decider emitted ${JSON.stringify(events.map((e) => e.type))}`);
        } catch (error) {
          thrown = error;
        }
        if (!(thrown instanceof ChatError)) throw thrown;
        expect({ code: thrown.code, message: thrown.message }).toMatchObject({ code });
        // A decider refuses with CommandRejectedError only: that is what the edge maps to a refusal.
        expect(thrown).toBeInstanceOf(CommandRejectedError);
        if (details) expect(thrown.details).toMatchObject(details);
        return thrown;
      },
    }),
  });
  return {
    given: (events) => from(stateAfter(decider, events), events.length),
    givenState: (state) => from(state, versionOf(state)),
  };
}

/** States that track their stream version expose it as `version`; others start emitted events at version 1. */
function versionOf(state: unknown): number {
  if (typeof state === 'object' && state !== null && 'version' in state && typeof state.version === 'number') {
    return state.version;
  }
  return 0;
}
