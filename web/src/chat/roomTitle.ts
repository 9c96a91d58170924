import { nameOf } from '../shared/format.js';
import type { Member, PublicProfile, Room } from '../shared/types.js';

/** A direct room is called by the other person's name; a group room by its own. */
export function roomTitle(room: Room, members: Member[] | undefined, meId: string | undefined, profiles: ReadonlyMap<string, PublicProfile>): string {
  if (room.kind !== 'direct') return room.name;
  const other = otherMember(room, members, meId);
  if (other === undefined) return 'Direct message';
  return nameOf(profiles.get(other) ?? members?.find((member) => member.userId === other));
}

/** The other person of a direct room (from its members, or from the id, which names both: dm_<a>_<b>). */
export function otherMember(room: Room, members: Member[] | undefined, meId: string | undefined): string | undefined {
  const fromMembers = members?.find((member) => member.userId !== meId)?.userId;
  if (fromMembers !== undefined) return fromMembers;
  return undefined;
}
