import type { RoomKind } from '../events/chatEvents.js';

// Which assistants a message asks (issue #19), pure. An assistant answers, in rooms it is a member of, the messages
// that mention it (MessageSent's `mentions`: the `@username`s of the text resolved to the room's members when it was
// sent, #17), and every message in a direct room with it. It never answers an assistant (two assistants would answer
// each other forever; the caller checks the sender), and never itself.

export interface TriggerInput {
  roomKind: RoomKind;
  senderId: string;
  /** The members the message mentions (MessageSent's `mentions`; absent: nobody). */
  mentions: readonly string[] | undefined;
  /** The room's members. */
  members: readonly { userId: string }[];
}

/**
 * The members a message addresses, in member order: the other member of a direct room, or the mentioned members of
 * any room. Whether each is an assistant (and answers in this room) is the caller's to check.
 */
export function addressedMembers(input: TriggerInput): string[] {
  const others = input.members.filter((member) => member.userId !== input.senderId);
  if (input.roomKind === 'direct') return others.map((member) => member.userId);
  const mentioned = new Set(input.mentions ?? []);
  return others.filter((member) => mentioned.has(member.userId)).map((member) => member.userId);
}
