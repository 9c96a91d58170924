import { userStreamId } from '../../domain/ids.js';
import type { RecordedEvent } from '../../events/envelope.js';
import { asUserStreamEvent } from '../../events/eventGuards.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import { evolveUser, initialUserState, type UserState } from './userDecider.js';

// An account whose personal data was erased is closed for good (issue #15): no sign-in, no refresh, no token. What
// says so is what the erasure recorded, PersonalDataErased on the user's stream as the user decider folds it, not a
// flag kept anywhere else, so the log alone answers it in every mode and after any rebuild of a view.

/** The user decider's state after a user stream's events (events of other streams are skipped). */
export function userStateOf(events: readonly RecordedEvent[]): UserState {
  let state = initialUserState();
  for (const event of events) {
    const own = asUserStreamEvent(event);
    if (own) state = evolveUser(state, own);
  }
  return state;
}

export interface ErasedAccountsDeps {
  /** Decoded reads of the user stream. */
  log: Pick<EventLog, 'readStream'>;
}

export class ErasedAccounts {
  constructor(private readonly deps: ErasedAccountsDeps) {}

  /** True once the user's stream records PersonalDataErased; false for unknown users (nothing to close). */
  async isErased(userId: string): Promise<boolean> {
    const state = userStateOf(await this.deps.log.readStream(userStreamId(userId)));
    return state.registered && state.erased;
  }
}
