// Stream and id naming. Pure: no I/O, no randomness (ids are generated at the edge and passed in).

export const userStreamId = (userId: string): string => `user-${userId}`;
export const roomStreamId = (roomId: string): string => `room-${roomId}`;
export const receiptsStreamId = (userId: string): string => `receipts-${userId}`;
/** One uploaded file (commands/files/fileDecider.ts, issue #16). */
export const fileStreamId = (fileId: string): string => `file-${fileId}`;
/** Where clients fetch a file from this service: the download route (also an uploaded avatar's `avatarUrl`). */
export const fileUrlOf = (fileId: string): string => `/api/files/${encodeURIComponent(fileId)}`;
/** A file's thumbnail (images only). */
export const thumbnailUrlOf = (fileId: string): string => `${fileUrlOf(fileId)}/thumbnail`;
/** A room's delivery markers, every member's in one stream (commands/deliveries/deliveriesDecider.ts). */
export const deliveriesStreamId = (roomId: string): string => `deliveries-${roomId}`;
/** The claim stream of a username key: the normalised name, or its confusable skeleton (usernameSkeleton.ts). */
export const usernameKeyStreamId = (key: string): string => `username-${key}`;
export const usernameStreamId = (username: string): string => usernameKeyStreamId(normaliseUsername(username));

/** Usernames compare case-insensitively and after Unicode compatibility folding ("Ａlice" is "alice"). */
export function normaliseUsername(username: string): string {
  return username.normalize('NFKC').toLowerCase();
}

/**
 * The friendship of two users is one stream named after the sorted pair, so both users' commands about it meet at
 * one single writer (crossing requests, an accept racing a cancel are decided in order).
 */
export function friendshipStreamId(userA: string, userB: string): string {
  const [first, second] = [userA, userB].sort();
  return `friendship-${first}-${second}`;
}

/**
 * A direct room's id is derived from the sorted pair of user ids, so there is exactly one per pair:
 * the single writer of that stream makes its creation unique without any global lock.
 */
export function directRoomId(userA: string, userB: string): string {
  const [first, second] = [userA, userB].sort();
  return `dm_${first}_${second}`;
}

/**
 * A message's id names its room and its seq, so a command about a message can be routed to the room's stream
 * (its single writer) without asking a read model, and the decider can find it by seq.
 */
export function messageIdOf(roomId: string, seq: number): string {
  return `${roomId}.${seq}`;
}

export function parseMessageId(messageId: string): { roomId: string; seq: number } | undefined {
  const dot = messageId.lastIndexOf('.');
  if (dot <= 0) return undefined;
  const roomId = messageId.slice(0, dot);
  const seqText = messageId.slice(dot + 1);
  if (!/^[1-9][0-9]{0,15}$/.test(seqText)) return undefined;
  const seq = Number(seqText);
  return Number.isSafeInteger(seq) ? { roomId, seq } : undefined;
}
