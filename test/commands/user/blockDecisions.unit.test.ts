import { describe, expect, it } from 'vitest';
import type { UserBlocked, UserRegistered, UserStreamEvent, UserUnblocked } from '../../../src/events/chatEvents.js';
import type { UserCommand } from '../../../src/commands/commands.js';
import { MAX_BLOCKED_USERS } from '../../../src/commands/user/blockDecisions.js';
import { userDecider } from '../../../src/commands/user/userDecider.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

// Blocks (#17) on the user's own stream: given events / when command / then events.

const registered: UserRegistered = {
  type: 'UserRegistered',
  data: { userId: 'u1', username: 'Alice', email: null, displayName: 'Alice', passwordHash: '$argon2id$x', role: 'user' },
};
const blocked = (blockedUserId: string): UserBlocked => ({ type: 'UserBlocked', data: { userId: 'u1', blockedUserId } });
const unblocked = (blockedUserId: string): UserUnblocked => ({ type: 'UserUnblocked', data: { userId: 'u1', blockedUserId } });
const block = (blockedUserId: string, userId = 'u1'): UserCommand => ({ type: 'BlockUser', userId, blockedUserId });
const unblock = (blockedUserId: string): UserCommand => ({ type: 'UnblockUser', userId: 'u1', blockedUserId });
const alice = as('u1');

describe('BlockUser and UnblockUser', () => {
  it('blocks a user once: blocking again appends nothing', () => {
    spec(userDecider).given([registered]).when(block('u2'), alice).then([blocked('u2')]);
    spec(userDecider).given([registered, blocked('u2')]).when(block('u2'), alice).then([]);
  });

  it('unblocks a blocked user once: unblocking one not blocked appends nothing', () => {
    spec(userDecider).given([registered, blocked('u2')]).when(unblock('u2'), alice).then([unblocked('u2')]);
    spec(userDecider).given([registered, blocked('u2'), unblocked('u2')]).when(unblock('u2'), alice).then([]);
    spec(userDecider).given([registered, blocked('u2'), unblocked('u2')]).when(block('u2'), alice).then([blocked('u2')]);
  });

  it('is the user\'s own: nobody else, not even an admin, blocks for them; nobody blocks themself', () => {
    spec(userDecider).given([registered]).when(block('u2'), as('u3')).thenThrows('FORBIDDEN');
    spec(userDecider).given([registered]).when(block('u2'), as('root', { role: 'admin' })).thenThrows('FORBIDDEN');
    spec(userDecider).given([registered]).when(block('u1'), alice).thenThrows('VALIDATION_FAILED', { field: 'userId' });
    spec(userDecider).given([]).when(block('u2'), alice).thenThrows('NO_USER');
  });

  it(`holds at most ${MAX_BLOCKED_USERS} blocked users, and keeps them in the state`, () => {
    const many: UserStreamEvent[] = [registered, ...Array.from({ length: MAX_BLOCKED_USERS }, (_, i) => blocked(`b${i}`))];
    spec(userDecider).given(many).when(block('one-more'), alice).thenThrows('VALIDATION_FAILED', { maxBlockedUsers: MAX_BLOCKED_USERS });
    // One already blocked is still no change, and after an unblock there is room again.
    spec(userDecider).given(many).when(block('b0'), alice).then([]);
    spec(userDecider).given([...many, unblocked('b0')]).when(block('one-more'), alice).then([blocked('one-more')]);
    const state = stateAfter(userDecider, [registered, blocked('u2'), blocked('u3'), unblocked('u2')]);
    expect(state.registered && [...state.blocked]).toEqual(['u3']);
  });
});
