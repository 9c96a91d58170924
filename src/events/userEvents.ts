// The events of accounts: `username-*` claims, the `user-<id>` stream (registration, role, profile, password,
// erasure, linked identities, blocks, assistant configuration). Part of the catalogue in chatEvents.ts.

import type { SealedValue, UserRole } from './eventBasics.js';

/** Stream `username-<normalised>`: claimed once with expected version "no stream". */
export interface UsernameClaimed {
  type: 'UsernameClaimed';
  data: { username: string; userId: string };
}

/** Stream `user-<id>`. */
export interface UserRegistered {
  type: 'UserRegistered';
  data: {
    userId: string;
    username: string;
    email: string | null;
    displayName: string;
    passwordHash: string;
    role: UserRole;
    /** The email as stored: sealed with the user's own key (then `email` is stored null). */
    sealedEmail?: SealedValue;
    /** Read after the user's key was destroyed: `email` reads null and is gone for good. */
    erased?: boolean;
  };
}

/** Stream `user-<id>`: an admin changed the user's service-wide role; tokens issued from now on carry it. */
export interface UserRoleChanged {
  type: 'UserRoleChanged';
  data: { userId: string; role: UserRole; changedBy: string };
}

/**
 * Stream `user-<id>`: the user changed their own profile. Carries the whole profile after the change (not only the
 * fields sent), so the latest ProfileUpdated alone says what the profile is.
 */
export interface ProfileUpdated {
  type: 'ProfileUpdated';
  data: {
    userId: string;
    displayName: string;
    statusText: string;
    avatarUrl: string | null;
    /**
     * The avatar is a file the user uploaded (PUT /api/users/me/avatar, issue #16): `avatarUrl` is then its service URL
     * `/api/files/<id>`, and anyone signed in may read it. null for none or an outside URL (and in events before it).
     */
    avatarFileId: string | null;
  };
}

/**
 * Stream `user-<id>`: the user changed their password. Holds the new password's hash (argon2id), hashed at the edge;
 * tokens issued before it are void (src/auth/tokenStore.ts). Replays leave the hash out and the audit API redacts it.
 */
export interface PasswordChanged {
  type: 'PasswordChanged';
  data: { userId: string; passwordHash: string };
}

/**
 * Stream `user-<id>`: the user's personal data key was destroyed (crypto-shredding). Every sealed text and email of
 * theirs now reads as erased, in the log and in the views.
 */
export interface PersonalDataErased {
  type: 'PersonalDataErased';
  data: { userId: string; erasedBy: string };
}

/**
 * Stream `user-<id>`: an identity at a sign-in provider (issue #18) now signs in to this account, because the account
 * was created by that identity's first sign-in or its signed-in user asked to link it. Never by a matching e-mail.
 */
export interface IdentityLinked {
  type: 'IdentityLinked';
  data: { userId: string; provider: string; subject: string };
}

/** Stream `user-<id>`: the user unlinked the identity; it no longer signs in to this account. */
export interface IdentityUnlinked {
  type: 'IdentityUnlinked';
  data: { userId: string; provider: string; subject: string };
}

/**
 * Stream `user-<id>`: an admin made the account an assistant (issue #19), or changed its configuration. Carries the
 * whole configuration after the change, so the latest AssistantConfigured alone says what the assistant is. An
 * account with one is of kind `assistant`: it answers, in the rooms it is a member of, the messages that mention it.
 */
export interface AssistantConfigured {
  type: 'AssistantConfigured';
  data: {
    userId: string;
    /** The instructions sent first with every question (the system message). */
    systemPrompt: string;
    /** The model's name at the provider; "" uses ASSISTANT_MODEL. */
    model: string;
    /** The rooms it answers in; empty: every room it is a member of. */
    allowedRoomIds: string[];
    configuredBy: string;
  };
}

/**
 * Stream `user-<id>` (#17): the user blocked `blockedUserId`, who can no longer open a direct room with them, reach
 * them with a friend request, or have a mention of them counted or listed. Blocking one already blocked appends nothing.
 */
export interface UserBlocked {
  type: 'UserBlocked';
  data: { userId: string; blockedUserId: string };
}

/** Stream `user-<id>` (#17): the user unblocked `blockedUserId`; unblocking one not blocked appends nothing. */
export interface UserUnblocked {
  type: 'UserUnblocked';
  data: { userId: string; blockedUserId: string };
}
