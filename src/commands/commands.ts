import type { RoomKind, RoomRole, UserRole } from '../events/chatEvents.js';

// Commands are data. Each names the stream it targets through its ids; the actor, time and ids of new things
// arrive from the edge (DecisionContext, or fields chosen there), never from inside a decider.

export interface ClaimUsername {
  type: 'ClaimUsername';
  username: string;
  userId: string;
}

export interface RegisterUser {
  type: 'RegisterUser';
  userId: string;
  username: string;
  email: string | null;
  displayName: string;
  /** Already hashed at the edge: deciders never see a password. */
  passwordHash: string;
  role: UserRole;
}

export type UsernameCommand = ClaimUsername;
/** Admin only: set a user's service-wide role (grant); the same role again changes nothing. */
export interface ChangeUserRole {
  type: 'ChangeUserRole';
  userId: string;
  role: UserRole;
}

/** Admin only: take `role` away from the user (back to `user`); a role the user does not hold changes nothing. */
export interface RevokeUserRole {
  type: 'RevokeUserRole';
  userId: string;
  role: Exclude<UserRole, 'user'>;
}

/**
 * Admin only: record that the user's personal data key was destroyed (crypto-shredding). The key is destroyed
 * outside the log first; an already erased user changes nothing.
 */
export interface ErasePersonalData {
  type: 'ErasePersonalData';
  userId: string;
}

/**
 * The user changes their own profile. Absent fields keep their value; the edge validated the fields' shape, the
 * decider applies the same rules again (it owns them) and appends nothing when nothing would change.
 */
export interface UpdateProfile {
  type: 'UpdateProfile';
  userId: string;
  displayName?: string;
  statusText?: string;
  /** null removes the avatar. */
  avatarUrl?: string | null;
}

/** The user changes their own password; the edge checked the current one and hashed the new one. */
export interface ChangePassword {
  type: 'ChangePassword';
  userId: string;
  passwordHash: string;
}

export type UserCommand =
  | RegisterUser
  | ChangeUserRole
  | RevokeUserRole
  | ErasePersonalData
  | UpdateProfile
  | ChangePassword;

export interface CreateRoom {
  type: 'CreateRoom';
  roomId: string;
  name: string;
  kind: RoomKind;
  /** Other initial members (the actor is always a member and the owner). A direct room needs exactly one. */
  memberIds: string[];
}

export interface JoinRoom {
  type: 'JoinRoom';
  roomId: string;
}

export interface LeaveRoom {
  type: 'LeaveRoom';
  roomId: string;
}

export interface AddMember {
  type: 'AddMember';
  roomId: string;
  userId: string;
}

export interface RemoveMember {
  type: 'RemoveMember';
  roomId: string;
  userId: string;
}

export interface ChangeMemberRole {
  type: 'ChangeMemberRole';
  roomId: string;
  userId: string;
  role: Exclude<RoomRole, 'owner'>;
}

export interface SendMessage {
  type: 'SendMessage';
  roomId: string;
  text: string;
  clientMessageId: string;
}

export interface EditMessage {
  type: 'EditMessage';
  roomId: string;
  seq: number;
  text: string;
}

export interface DeleteMessage {
  type: 'DeleteMessage';
  roomId: string;
  seq: number;
}

export type RoomCommand =
  | CreateRoom
  | JoinRoom
  | LeaveRoom
  | AddMember
  | RemoveMember
  | ChangeMemberRole
  | SendMessage
  | EditMessage
  | DeleteMessage;

/**
 * Stream `receipts-<userId>`: move one of the user's markers for a room forward to `seq`. `userId` names the
 * stream; the room and the seq were checked against the history view at the edge (membership, seq ≤ head),
 * because the receipts stream knows nothing of rooms.
 */
export interface AdvanceDeliveryMarker {
  type: 'AdvanceDeliveryMarker';
  userId: string;
  roomId: string;
  seq: number;
}

export interface AdvanceReadMarker {
  type: 'AdvanceReadMarker';
  userId: string;
  roomId: string;
  seq: number;
}

export type ReceiptCommand = AdvanceDeliveryMarker | AdvanceReadMarker;

/**
 * Stream `friendship-<smaller id>-<larger id>`: the friendship of `userId` (always the actor) and `otherUserId`.
 * The edge checked that the other user exists; the decider owns every rule about the pair's state.
 */
export interface RequestFriend {
  type: 'RequestFriend';
  userId: string;
  otherUserId: string;
}

/** Accept the pending request `otherUserId` sent to `userId`. */
export interface AcceptFriendRequest {
  type: 'AcceptFriendRequest';
  userId: string;
  otherUserId: string;
}

/** Turn down the pending request `otherUserId` sent to `userId`. */
export interface RejectFriendRequest {
  type: 'RejectFriendRequest';
  userId: string;
  otherUserId: string;
}

/** Withdraw the pending request `userId` sent to `otherUserId`. */
export interface CancelFriendRequest {
  type: 'CancelFriendRequest';
  userId: string;
  otherUserId: string;
}

/** End the friendship of `userId` and `otherUserId`. */
export interface RemoveFriend {
  type: 'RemoveFriend';
  userId: string;
  otherUserId: string;
}

export type FriendCommand =
  | RequestFriend
  | AcceptFriendRequest
  | RejectFriendRequest
  | CancelFriendRequest
  | RemoveFriend;

export type ChatCommand = UsernameCommand | UserCommand | RoomCommand | ReceiptCommand | FriendCommand;
