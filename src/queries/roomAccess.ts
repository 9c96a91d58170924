import { ForbiddenError, NotFoundError } from '../domain/errors.js';
import type { RoomRole } from '../events/chatEvents.js';
import type { HistoryStore, RoomView } from '../projections/history/historyStore.js';

// Who may use a room, by the history view: the one check behind reading a room (REST reads, the gateway's
// subscribe), marking it read and typing in it. They differ only in who besides members is let in, and in what
// the refusal says the caller tried.

export interface RoomUse {
  /**
   * 'anyone': a public room is open to every signed-in user (reading it: DESIGN.md security model); private and
   * direct rooms to their members. 'members': every room to its members only (acting in it: typing, read markers).
   */
  publicRoomsOpenTo: 'anyone' | 'members';
  /** What the caller tried, for the refusal: "only members can <action>". */
  action: string;
}

export interface RoomAccess {
  room: RoomView;
  /** The caller's role in the room, null when they are not a member (a public room read by an outsider). */
  myRole: RoomRole | null;
}

/**
 * The caller's role in the room (null: a public room read by an outsider); NO_ROOM when the view has no such room,
 * NOT_MEMBER when `use` shuts them out. One read of the view, run before every room read, typing and read marker.
 */
export async function roomUse(
  history: Pick<HistoryStore, 'getRoomUse'>,
  roomId: string,
  userId: string,
  use: RoomUse,
): Promise<RoomRole | null> {
  const facts = await history.getRoomUse(roomId, userId);
  if (!facts) throw new NotFoundError('NO_ROOM', `no room ${roomId}`, { roomId });
  if (facts.myRole === null && (use.publicRoomsOpenTo === 'members' || facts.kind !== 'public')) {
    throw new ForbiddenError('NOT_MEMBER', `only members can ${use.action}`, { roomId });
  }
  return facts.myRole;
}

/** roomUse, and the room itself (with its member count) for the callers that show or need it. */
export async function roomAccess(
  history: Pick<HistoryStore, 'getRoom' | 'getRoomUse'>,
  roomId: string,
  userId: string,
  use: RoomUse,
): Promise<RoomAccess> {
  const myRole = await roomUse(history, roomId, userId, use);
  const room = await history.getRoom(roomId);
  if (!room) throw new NotFoundError('NO_ROOM', `no room ${roomId}`, { roomId });
  return { room, myRole };
}
