// The shapes of the service's public contract (/work/shared/API.md, /api/openapi.json) that the pages read.
// Fields a page does not use are left out; fields that arrive with features still landing are optional.

export type Role = 'user' | 'admin' | 'auditor' | 'analyst';
export type RoomKind = 'public' | 'private' | 'direct';
export type RoomRole = 'owner' | 'moderator' | 'member';

export interface User {
  userId: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  createdAt: string;
  statusText: string;
  avatarUrl: string | null;
}

export interface PublicProfile {
  userId: string;
  username: string;
  displayName: string;
  statusText: string;
  avatarUrl: string | null;
}

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  user: User;
}

export interface Room {
  roomId: string;
  name: string;
  topic: string;
  kind: RoomKind;
  createdBy: string;
  createdAt: string;
  memberCount: number;
  headSeq: number;
  lastActivityAt: string;
  myRole: RoomRole | null;
  unreadCount?: number;
  /** Messages after my read marker that mention me (threads and mentions, #17). */
  mentionCount?: number;
  readSeq?: number;
}

export interface Member {
  userId: string;
  username: string;
  displayName: string;
  role: RoomRole;
  joinedAt: string;
}

export interface Reaction {
  emoji: string;
  count: number;
  userIds: string[];
}

/** A file as API.md's "Files and images" names it (on its way from another branch). */
export interface Attachment {
  fileId: string;
  name: string;
  contentType: string;
  size: number;
  url: string;
  thumbnailUrl?: string;
}

export interface Message {
  messageId: string;
  roomId: string;
  seq: number;
  senderId: string;
  text: string | null;
  createdAt: string;
  editedAt?: string;
  deleted: boolean;
  erased?: true;
  reactions: Reaction[];
  replyTo?: string;
  threadId?: string;
  /** On a thread's root: its standing replies (#17). */
  replyCount?: number;
  mentions?: string[];
  attachments?: Attachment[];
}

export interface MessagePage {
  messages: Message[];
  nextCursor?: number;
}

export interface Receipt {
  userId: string;
  deliveredSeq: number;
  readSeq: number;
}

export interface Presence {
  userId: string;
  online: boolean;
  lastSeenAt: string | null;
}

export interface Provider {
  id: string;
  name: string;
}

export interface FriendEntry {
  user: PublicProfile;
  since: string;
}
