import { describe, expect, it } from 'vitest';
import { ErasedAccounts, userStateOf } from '../../../src/commands/user/erasedAccounts.js';
import type { RecordedEvent } from '../../../src/events/envelope.js';
import { RecordedEventLog } from '../../support/recordedEvents.js';

// An account is closed when its user stream records PersonalDataErased: read from the log, folded by the user
// decider, no flag kept elsewhere.

/** ErasedAccounts over the events a log recorded, read per stream as EventLog.readStream would. */
function erasedAccountsOver(log: RecordedEventLog): ErasedAccounts {
  return new ErasedAccounts({
    log: {
      readStream: async (streamId: string): Promise<RecordedEvent[]> => log.events.filter((event) => event.streamId === streamId),
    },
  });
}

describe('userStateOf', () => {
  it("folds a user stream with the user decider's evolve, skipping other streams' events", () => {
    const log = new RecordedEventLog();
    const registration = log.registerUser('u1', 'alice');
    const erasure = log.erasePersonalData('u1');
    expect(userStateOf(registration)).toMatchObject({ registered: true, userId: 'u1', username: 'alice', erased: false });
    expect(userStateOf([...registration, erasure])).toMatchObject({ registered: true, username: 'alice', erased: true });
    expect(userStateOf([])).toEqual({ registered: false });
  });
});

describe('ErasedAccounts.isErased', () => {
  it('is false for a registered user, true once their stream records PersonalDataErased, for that user only', async () => {
    const log = new RecordedEventLog();
    log.registerUser('u1', 'alice');
    log.registerUser('u2', 'bob');
    const accounts = erasedAccountsOver(log);
    expect(await accounts.isErased('u1')).toBe(false);

    log.erasePersonalData('u1');
    expect(await accounts.isErased('u1')).toBe(true);
    expect(await accounts.isErased('u2')).toBe(false);
  });

  it('stays true whatever follows (an erasure is final)', async () => {
    const log = new RecordedEventLog();
    log.registerUser('u1', 'alice');
    log.erasePersonalData('u1');
    log.changeUserRole('u1', 'admin');
    expect(await erasedAccountsOver(log).isErased('u1')).toBe(true);
  });

  it('is false for a user nobody registered: there is no account to close', async () => {
    expect(await erasedAccountsOver(new RecordedEventLog()).isErased('nobody')).toBe(false);
  });
});
