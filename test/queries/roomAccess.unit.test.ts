import { describe, expect, it } from 'vitest';
import type { RoomKind, RoomRole } from '../../src/events/chatEvents.js';
import type { RoomUseFacts, RoomView } from '../../src/projections/history/historyStore.js';
import { roomAccess, roomUse, type RoomUse } from '../../src/queries/roomAccess.js';

const room = (kind: RoomKind): RoomView => ({
  roomId: `${kind}-room`,
  name: kind,
  topic: '',
  kind,
  createdBy: 'alice',
  createdAt: '2025-01-01T00:00:00.000Z',
  memberCount: 1,
  headSeq: 3,
  lastMessageSeq: 2,
  lastActivityAt: '2025-01-01T00:00:00.000Z',
});

const kinds: RoomKind[] = ['public', 'private', 'direct'];

/** A view with one room of each kind, alice the owner of each. */
const rooms = new Map(kinds.map((kind) => [`${kind}-room`, room(kind)]));
const history = {
  getRoom: async (roomId: string): Promise<RoomView | undefined> => rooms.get(roomId),
  getRoomUse: async (roomId: string, userId: string): Promise<RoomUseFacts | undefined> => {
    const found = rooms.get(roomId);
    const myRole: RoomRole | null = userId === 'alice' ? 'owner' : null;
    return found === undefined ? undefined : { kind: found.kind, myRole };
  },
};

/** The gateway's subscribe and the REST reads. */
const reading: RoomUse = { publicRoomsOpenTo: 'anyone', action: 'read this room' };
/** Typing and read markers. */
const acting: RoomUse = { publicRoomsOpenTo: 'members', action: 'mark a room read' };

describe('roomAccess', () => {
  it.each(kinds)('lets a member into a %s room, with their role, whatever the use', async (kind) => {
    for (const use of [reading, acting]) {
      expect(await roomAccess(history, `${kind}-room`, 'alice', use)).toEqual({ room: room(kind), myRole: 'owner' });
    }
  });

  it('lets an outsider read a public room, with no role', async () => {
    expect(await roomAccess(history, 'public-room', 'bob', reading)).toEqual({ room: room('public'), myRole: null });
  });

  it.each(['private', 'direct'])('refuses an outsider reading a %s room with NOT_MEMBER', async (kind) => {
    await expect(roomAccess(history, `${kind}-room`, 'bob', reading)).rejects.toMatchObject({
      code: 'NOT_MEMBER',
      message: 'only members can read this room',
      details: { roomId: `${kind}-room` },
    });
  });

  it.each(kinds)('refuses an outsider acting in a %s room with NOT_MEMBER, saying what they tried', async (kind) => {
    await expect(roomAccess(history, `${kind}-room`, 'bob', acting)).rejects.toMatchObject({
      code: 'NOT_MEMBER',
      message: 'only members can mark a room read',
    });
  });

  it.each([reading, acting])('answers NO_ROOM for a room the view does not hold, member or not ($publicRoomsOpenTo)', async (use) => {
    for (const userId of ['alice', 'bob']) {
      await expect(roomAccess(history, 'nowhere', userId, use)).rejects.toMatchObject({
        code: 'NO_ROOM',
        details: { roomId: 'nowhere' },
      });
    }
  });
});

describe('roomUse (the same rule, without the room)', () => {
  it('answers the role of a member and null for an outsider reading a public room', async () => {
    expect(await roomUse(history, 'private-room', 'alice', acting)).toBe('owner');
    expect(await roomUse(history, 'public-room', 'bob', reading)).toBeNull();
  });

  it('refuses as roomAccess does', async () => {
    await expect(roomUse(history, 'direct-room', 'bob', reading)).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await expect(roomUse(history, 'public-room', 'bob', acting)).rejects.toMatchObject({ code: 'NOT_MEMBER' });
    await expect(roomUse(history, 'nowhere', 'alice', reading)).rejects.toMatchObject({ code: 'NO_ROOM' });
  });
});
