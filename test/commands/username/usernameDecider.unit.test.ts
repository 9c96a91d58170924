import { describe, expect, it } from 'vitest';
import type { UsernameClaimed } from '../../../src/events/chatEvents.js';
import type { UsernameCommand } from '../../../src/commands/commands.js';
import { usernameDecider } from '../../../src/commands/username/usernameDecider.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

// The decider sees one stream, `username-<key>`: the key is a normalised name or a name's skeleton
// (domain/usernameSkeleton.ts); which one the caller chose is not its business, only who holds the key and for
// which name.

const claim = (username: string, userId: string): UsernameCommand => ({ type: 'ClaimUsername', username, userId });
const claimed = (username: string, userId: string): UsernameClaimed => ({
  type: 'UsernameClaimed',
  data: { username, userId },
});
const given = (events: UsernameClaimed[]) => spec(usernameDecider).given(events);
const edge = as('system');

describe('ClaimUsername', () => {
  it('claims a name nobody has', () => {
    given([]).when(claim('alice', 'u1'), edge).then([claimed('alice', 'u1')]);
  });

  it('records the normalised name, the key of the stream', () => {
    given([]).when(claim('Ａlice', 'u1'), edge).then([claimed('alice', 'u1')]);
  });

  it('refuses a name someone else claimed with USERNAME_TAKEN', () => {
    const refusal = given([claimed('alice', 'u1')]).when(claim('ALICE', 'u2'), edge).thenThrows('USERNAME_TAKEN');
    expect(refusal.details).toEqual({ username: 'ALICE' });
  });

  it('refuses a look-alike whose skeleton key someone holds with USERNAME_TAKEN naming the name it imitates', () => {
    // username-alice, claimed by alice; аlice (Cyrillic а) has the skeleton alice.
    given([claimed('alice', 'u1')])
      .when(claim('аlice', 'u2'), edge)
      .thenThrows('USERNAME_TAKEN', { username: 'аlice', confusableWith: 'alice' });
  });

  it('refuses a name whose own key holds the skeleton claim of a look-alike (torn after tom)', () => {
    // username-torn, claimed by tom as its skeleton; torn is its own skeleton.
    given([claimed('tom', 'u1')])
      .when(claim('torn', 'u2'), edge)
      .thenThrows('USERNAME_TAKEN', { username: 'torn', confusableWith: 'tom' });
  });

  it('compares with the holder normalised, whatever spelling an old claim carried', () => {
    const refusal = given([claimed('Alice', 'u1')]).when(claim('alice', 'u2'), edge).thenThrows('USERNAME_TAKEN');
    expect(refusal.details).toEqual({ username: 'alice' });
  });

  it('is idempotent for the user who holds the name (a retried registration)', () => {
    given([claimed('alice', 'u1')]).when(claim('alice', 'u1'), edge).then([]);
  });

  it('is idempotent for the user who holds the skeleton key (the retry of a look-alike registration)', () => {
    given([claimed('tom', 'u1')]).when(claim('tom', 'u1'), edge).then([]);
  });

  it('refuses an empty name with VALIDATION_FAILED', () => {
    given([]).when(claim('  ', 'u1'), edge).thenThrows('VALIDATION_FAILED', { field: 'username' });
  });
});

describe('evolve', () => {
  it('keeps the first claim and the name it was for', () => {
    expect(stateAfter(usernameDecider, [])).toEqual({ claimedBy: null });
    expect(stateAfter(usernameDecider, [claimed('alice', 'u1'), claimed('alice', 'u2')])).toEqual({
      claimedBy: 'u1',
      username: 'alice',
    });
  });
});
