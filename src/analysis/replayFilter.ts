// Which events a replay keeps. Pure, so the rules are unit-tested without a log.

import { receiptsStreamId, roomStreamId, userStreamId } from '../domain/ids.js';
import type { RecordedEvent } from '../events/envelope.js';
import { covers } from '../eventlog/checkpoint.js';
import type { ReplayQuery } from './replayQuery.js';

export type ReplayFilter = Pick<ReplayQuery, 'after' | 'until' | 'sinceMs' | 'untilMs' | 'roomId' | 'userId' | 'types'>;

/** Whether a replay with this filter writes the event. */
export function matchesReplay(filter: ReplayFilter, event: RecordedEvent): boolean {
  if (filter.after !== undefined && covers(filter.after, event)) return false;
  if (filter.until !== undefined && !covers(filter.until, event)) return false;
  const at = event.metadata.occurredAt;
  if (filter.sinceMs !== undefined && at < filter.sinceMs) return false;
  if (filter.untilMs !== undefined && at >= filter.untilMs) return false;
  if (filter.types.size > 0 && !filter.types.has(event.type)) return false;
  if (filter.roomId !== undefined && event.streamId !== roomStreamId(filter.roomId)) return false;
  if (filter.userId !== undefined && !concernsUser(filter.userId, event)) return false;
  return true;
}

/**
 * A user's events: those they acted in (the actor of the command), plus their own streams (account, receipts,
 * their friendships: a pair's stream is half theirs, so a request made to them is theirs too), the claims of
 * their username and of their identities at sign-in providers, whoever the actor was recorded as, and a room's
 * delivery report that names them (it is their delivery marker, recorded by the gateway, as a MessagesDelivered
 * in their receipts stream used to be).
 */
export function concernsUser(userId: string, event: RecordedEvent): boolean {
  if (event.metadata.actorId === userId) return true;
  if (event.streamId === userStreamId(userId) || event.streamId === receiptsStreamId(userId)) return true;
  switch (event.type) {
    case 'UsernameClaimed':
    case 'IdentityClaimed':
    case 'IdentityReleased':
      return event.data.userId === userId;
    case 'FriendRequested':
    case 'FriendRequestAccepted':
    case 'FriendRequestRejected':
    case 'FriendRequestCancelled':
      return event.data.from === userId || event.data.to === userId;
    case 'FriendRemoved':
      return event.data.removedBy === userId || event.data.friendId === userId;
    case 'DeliveriesRecorded':
      return event.data.markers.some((marker) => marker.userId === userId);
    default:
      return false;
  }
}

/** The one stream a filter is confined to, when it is (then the replay reads that stream instead of the log). */
export function onlyStream(filter: Pick<ReplayFilter, 'roomId'>): string | undefined {
  return filter.roomId === undefined ? undefined : roomStreamId(filter.roomId);
}
