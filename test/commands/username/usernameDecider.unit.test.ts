import { describe, expect, it } from 'vitest';
import type { UsernameClaimed } from '../../../src/events/chatEvents.js';
import type { UsernameCommand } from '../../../src/commands/commands.js';
import { usernameDecider } from '../../../src/commands/username/usernameDecider.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

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
    given([claimed('alice', 'u1')])
      .when(claim('ALICE', 'u2'), edge)
      .thenThrows('USERNAME_TAKEN', { username: 'ALICE' });
  });

  it('is idempotent for the user who holds the name (a retried registration)', () => {
    given([claimed('alice', 'u1')]).when(claim('alice', 'u1'), edge).then([]);
  });

  it('refuses an empty name with VALIDATION_FAILED', () => {
    given([]).when(claim('  ', 'u1'), edge).thenThrows('VALIDATION_FAILED', { field: 'username' });
  });
});

describe('evolve', () => {
  it('keeps the first claim', () => {
    expect(stateAfter(usernameDecider, [])).toEqual({ claimedBy: null });
    expect(stateAfter(usernameDecider, [claimed('alice', 'u1'), claimed('alice', 'u2')])).toEqual({ claimedBy: 'u1' });
  });
});
