import type { RoomKind } from '../events/chatEvents.js';

// Which assistants a message asks (issue #19), pure. An assistant answers, in rooms it is a member of, the messages
// that mention it by `@username`, and every message in a direct room with it. It never answers an assistant (two
// assistants would answer each other forever), and never itself.

/** `@name` where the name is a username's characters; an e-mail address (`bob@example.com`) mentions nobody. */
const MENTION = /(?<![\p{L}\p{N}_.@-])@([\p{L}\p{N}_.-]{1,64})/gu;

/** The usernames a text mentions, case-folded, without a trailing dot (`@helper.` ends a sentence). */
export function mentionedUsernames(text: string): Set<string> {
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const name = (match[1] ?? '').replace(/[.]+$/u, '');
    if (name.length > 0) names.add(name.toLocaleLowerCase('en-US'));
  }
  return names;
}

export interface TriggerMember {
  userId: string;
  username: string | null;
}

export interface TriggerInput {
  roomKind: RoomKind;
  senderId: string;
  text: string;
  members: readonly TriggerMember[];
}

/**
 * The members a message addresses, in member order: the other member of a direct room, or the mentioned members of
 * any room. Whether each is an assistant (and answers in this room) is the caller's to check.
 */
export function addressedMembers(input: TriggerInput): string[] {
  const others = input.members.filter((member) => member.userId !== input.senderId);
  if (input.roomKind === 'direct') return others.map((member) => member.userId);
  const mentioned = mentionedUsernames(input.text);
  if (mentioned.size === 0) return [];
  return others
    .filter((member) => member.username !== null && mentioned.has(member.username.toLocaleLowerCase('en-US')))
    .map((member) => member.userId);
}
