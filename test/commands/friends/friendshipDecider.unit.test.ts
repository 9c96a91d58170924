import { describe, expect, it } from 'vitest';
import type { FriendCommand } from '../../../src/commands/commands.js';
import { friendshipDecider } from '../../../src/commands/friends/friendshipDecider.js';
import type { FriendshipEvent } from '../../../src/events/chatEvents.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

// Every transition of a pair's friendship and every refusal. ann and bob are the pair; ann's commands name bob.

const ann = as('ann');
const bob = as('bob');
const cmd = (type: FriendCommand['type'], userId: string, otherUserId: string): FriendCommand => ({ type, userId, otherUserId });

const annAsked: FriendshipEvent = { type: 'FriendRequested', data: { from: 'ann', to: 'bob' } };
const bobAsked: FriendshipEvent = { type: 'FriendRequested', data: { from: 'bob', to: 'ann' } };
const annAccepted: FriendshipEvent = { type: 'FriendRequestAccepted', data: { from: 'bob', to: 'ann' } };
const bobAccepted: FriendshipEvent = { type: 'FriendRequestAccepted', data: { from: 'ann', to: 'bob' } };
const bobRejected: FriendshipEvent = { type: 'FriendRequestRejected', data: { from: 'ann', to: 'bob' } };
const annCancelled: FriendshipEvent = { type: 'FriendRequestCancelled', data: { from: 'ann', to: 'bob' } };
const annRemoved: FriendshipEvent = { type: 'FriendRemoved', data: { removedBy: 'ann', friendId: 'bob' } };

describe('the friendship state', () => {
  it('folds every event: pending names the asker, accepted makes friends, the rest start over', () => {
    expect(stateAfter(friendshipDecider, [])).toEqual({ status: 'none' });
    expect(stateAfter(friendshipDecider, [annAsked])).toEqual({ status: 'pending', from: 'ann', to: 'bob' });
    expect(stateAfter(friendshipDecider, [annAsked, bobAccepted])).toEqual({ status: 'friends' });
    expect(stateAfter(friendshipDecider, [annAsked, bobRejected])).toEqual({ status: 'none' });
    expect(stateAfter(friendshipDecider, [annAsked, annCancelled])).toEqual({ status: 'none' });
    expect(stateAfter(friendshipDecider, [bobAsked, annAccepted, annRemoved])).toEqual({ status: 'none' });
  });
});

describe('RequestFriend', () => {
  it('asks when nothing is between the two', () => {
    spec(friendshipDecider).given([]).when(cmd('RequestFriend', 'ann', 'bob'), ann).then([annAsked]);
  });

  it("accepts the other's pending request instead of asking back (crossing requests)", () => {
    spec(friendshipDecider).given([bobAsked]).when(cmd('RequestFriend', 'ann', 'bob'), ann).then([annAccepted]);
  });

  it('asks again after a rejection, a withdrawal or a removal', () => {
    spec(friendshipDecider).given([annAsked, bobRejected]).when(cmd('RequestFriend', 'ann', 'bob'), ann).then([annAsked]);
    spec(friendshipDecider).given([annAsked, annCancelled]).when(cmd('RequestFriend', 'ann', 'bob'), ann).then([annAsked]);
    spec(friendshipDecider)
      .given([annAsked, bobAccepted, annRemoved])
      .when(cmd('RequestFriend', 'bob', 'ann'), bob)
      .then([bobAsked]);
  });

  it('refuses a second request while the first is pending', () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('RequestFriend', 'ann', 'bob'), ann).thenThrows('FRIEND_REQUEST_EXISTS', { userId: 'bob' });
  });

  it('refuses asking a friend, from either side', () => {
    spec(friendshipDecider).given([annAsked, bobAccepted]).when(cmd('RequestFriend', 'ann', 'bob'), ann).thenThrows('ALREADY_FRIENDS');
    spec(friendshipDecider).given([annAsked, bobAccepted]).when(cmd('RequestFriend', 'bob', 'ann'), bob).thenThrows('ALREADY_FRIENDS');
  });

  it('refuses asking oneself', () => {
    spec(friendshipDecider).given([]).when(cmd('RequestFriend', 'ann', 'ann'), ann).thenThrows('VALIDATION_FAILED');
  });

  it('refuses a command on behalf of someone else, even from an admin', () => {
    spec(friendshipDecider).given([]).when(cmd('RequestFriend', 'ann', 'bob'), as('carol', { role: 'admin' })).thenThrows('FORBIDDEN');
  });
});

describe('AcceptFriendRequest', () => {
  it('makes friends of the recipient and the asker', () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('AcceptFriendRequest', 'bob', 'ann'), bob).then([bobAccepted]);
  });

  it('refuses the asker accepting their own request, nothing pending, friends already, and an accept for someone else', () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('AcceptFriendRequest', 'ann', 'bob'), ann).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([]).when(cmd('AcceptFriendRequest', 'bob', 'ann'), bob).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([annAsked, annCancelled]).when(cmd('AcceptFriendRequest', 'bob', 'ann'), bob).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([annAsked, bobAccepted]).when(cmd('AcceptFriendRequest', 'bob', 'ann'), bob).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([annAsked]).when(cmd('AcceptFriendRequest', 'bob', 'ann'), ann).thenThrows('FORBIDDEN');
  });
});

describe('RejectFriendRequest', () => {
  it("turns down the asker's request", () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('RejectFriendRequest', 'bob', 'ann'), bob).then([bobRejected]);
  });

  it('refuses the asker rejecting their own request, and nothing pending', () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('RejectFriendRequest', 'ann', 'bob'), ann).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([]).when(cmd('RejectFriendRequest', 'bob', 'ann'), bob).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([annAsked, bobRejected]).when(cmd('RejectFriendRequest', 'bob', 'ann'), bob).thenThrows('NO_FRIEND_REQUEST');
  });
});

describe('CancelFriendRequest', () => {
  it("withdraws the asker's pending request", () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('CancelFriendRequest', 'ann', 'bob'), ann).then([annCancelled]);
  });

  it('refuses the recipient withdrawing, nothing pending, and a request already accepted (accept won the race)', () => {
    spec(friendshipDecider).given([annAsked]).when(cmd('CancelFriendRequest', 'bob', 'ann'), bob).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([]).when(cmd('CancelFriendRequest', 'ann', 'bob'), ann).thenThrows('NO_FRIEND_REQUEST');
    spec(friendshipDecider).given([annAsked, bobAccepted]).when(cmd('CancelFriendRequest', 'ann', 'bob'), ann).thenThrows('NO_FRIEND_REQUEST');
  });
});

describe('RemoveFriend', () => {
  it('ends a friendship, from either side', () => {
    spec(friendshipDecider).given([annAsked, bobAccepted]).when(cmd('RemoveFriend', 'ann', 'bob'), ann).then([annRemoved]);
    spec(friendshipDecider)
      .given([annAsked, bobAccepted])
      .when(cmd('RemoveFriend', 'bob', 'ann'), bob)
      .then([{ type: 'FriendRemoved', data: { removedBy: 'bob', friendId: 'ann' } }]);
  });

  it('refuses when the two are not friends: nothing, pending, or removed already', () => {
    spec(friendshipDecider).given([]).when(cmd('RemoveFriend', 'ann', 'bob'), ann).thenThrows('NOT_FRIENDS');
    spec(friendshipDecider).given([annAsked]).when(cmd('RemoveFriend', 'ann', 'bob'), ann).thenThrows('NOT_FRIENDS');
    spec(friendshipDecider).given([annAsked, bobAccepted, annRemoved]).when(cmd('RemoveFriend', 'bob', 'ann'), bob).thenThrows('NOT_FRIENDS');
  });
});
