import { describe, expect, it } from 'vitest';
import type { RegisterUser } from '../../../src/commands/commands.js';
import { userDecider } from '../../../src/commands/user/userDecider.js';
import { NO_PASSWORD_HASH } from '../../../src/domain/identities.js';
import type { IdentityLinked, IdentityUnlinked, PasswordChanged, PersonalDataErased, UserRegistered } from '../../../src/events/chatEvents.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

// The identities at sign-in providers linked to an account (issue #18), as the user stream's decider rules on them:
// a first sign-in registers a passwordless account linked to its identity in one append; a signed-in user links one
// identity per provider and unlinks it, unless it is the last way left to sign in.

const atGoogle = { provider: 'google', subject: '1101' };
const atGitHub = { provider: 'github', subject: '583231' };

const firstSignIn: RegisterUser = {
  type: 'RegisterUser',
  userId: 'u1',
  username: 'alice',
  email: null,
  displayName: 'Alice',
  passwordHash: NO_PASSWORD_HASH,
  role: 'user',
  identity: atGoogle,
};
const registeredWithoutPassword: UserRegistered = {
  type: 'UserRegistered',
  data: { userId: 'u1', username: 'alice', email: null, displayName: 'Alice', passwordHash: NO_PASSWORD_HASH, role: 'user' },
};
const registeredWithPassword: UserRegistered = {
  type: 'UserRegistered',
  data: { ...registeredWithoutPassword.data, passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA' },
};
const linked = (identity: { provider: string; subject: string }): IdentityLinked => ({
  type: 'IdentityLinked',
  data: { userId: 'u1', ...identity },
});
const unlinked = (identity: { provider: string; subject: string }): IdentityUnlinked => ({
  type: 'IdentityUnlinked',
  data: { userId: 'u1', ...identity },
});
const passwordSet: PasswordChanged = { type: 'PasswordChanged', data: { userId: 'u1', passwordHash: '$argon2id$new' } };
const erased: PersonalDataErased = { type: 'PersonalDataErased', data: { userId: 'u1', erasedBy: 'u-admin' } };
const self = as('u1');

describe('RegisterUser with an identity (a first sign-in)', () => {
  it('registers the account and links the identity in the same append', () => {
    spec(userDecider).given([]).when(firstSignIn, as('system')).then([registeredWithoutPassword, linked(atGoogle)]);
  });

  it('knows the account has no password and holds the identity', () => {
    const state = stateAfter(userDecider, [registeredWithoutPassword, linked(atGoogle)]);
    expect(state.registered && { hasPassword: state.hasPassword, identities: state.identities }).toEqual({
      hasPassword: false,
      identities: [atGoogle],
    });
  });
});

describe('LinkIdentity', () => {
  it('links an identity to the signed-in user', () => {
    spec(userDecider)
      .given([registeredWithPassword])
      .when({ type: 'LinkIdentity', userId: 'u1', ...atGitHub }, self)
      .then([linked(atGitHub)]);
  });

  it('records nothing for the identity already linked (a retry)', () => {
    spec(userDecider)
      .given([registeredWithPassword, linked(atGitHub)])
      .when({ type: 'LinkIdentity', userId: 'u1', ...atGitHub }, self)
      .then([]);
  });

  it('refuses a second identity of the same provider with PROVIDER_ALREADY_LINKED', () => {
    spec(userDecider)
      .given([registeredWithPassword, linked(atGitHub)])
      .when({ type: 'LinkIdentity', userId: 'u1', provider: 'github', subject: '999' }, self)
      .thenThrows('PROVIDER_ALREADY_LINKED', { provider: 'github' });
  });

  it('refuses anybody else (an admin too), unknown users and erased accounts', () => {
    const link = { type: 'LinkIdentity', userId: 'u1', ...atGitHub } as const;
    spec(userDecider).given([registeredWithPassword]).when(link, as('u-admin', { role: 'admin' })).thenThrows('FORBIDDEN');
    spec(userDecider).given([]).when(link, self).thenThrows('NO_USER');
    spec(userDecider).given([registeredWithPassword, erased]).when(link, self).thenThrows('ACCOUNT_ERASED');
  });
});

describe('UnlinkIdentity', () => {
  it('unlinks the identity of the provider when a password is left', () => {
    spec(userDecider)
      .given([registeredWithPassword, linked(atGitHub)])
      .when({ type: 'UnlinkIdentity', userId: 'u1', provider: 'github' }, self)
      .then([unlinked(atGitHub)]);
  });

  it('unlinks one identity of a passwordless account when another is left', () => {
    spec(userDecider)
      .given([registeredWithoutPassword, linked(atGoogle), linked(atGitHub)])
      .when({ type: 'UnlinkIdentity', userId: 'u1', provider: 'google' }, self)
      .then([unlinked(atGoogle)]);
  });

  it('refuses to unlink the last way to sign in with LAST_SIGN_IN_METHOD', () => {
    spec(userDecider)
      .given([registeredWithoutPassword, linked(atGoogle)])
      .when({ type: 'UnlinkIdentity', userId: 'u1', provider: 'google' }, self)
      .thenThrows('LAST_SIGN_IN_METHOD', { provider: 'google' });
  });

  it('allows it once a password was set', () => {
    spec(userDecider)
      .given([registeredWithoutPassword, linked(atGoogle), passwordSet])
      .when({ type: 'UnlinkIdentity', userId: 'u1', provider: 'google' }, self)
      .then([unlinked(atGoogle)]);
  });

  it('refuses a provider with nothing linked with NO_IDENTITY, and anybody else with FORBIDDEN', () => {
    spec(userDecider)
      .given([registeredWithPassword, linked(atGitHub), unlinked(atGitHub)])
      .when({ type: 'UnlinkIdentity', userId: 'u1', provider: 'github' }, self)
      .thenThrows('NO_IDENTITY', { provider: 'github' });
    spec(userDecider)
      .given([registeredWithPassword, linked(atGitHub)])
      .when({ type: 'UnlinkIdentity', userId: 'u1', provider: 'github' }, as('u2'))
      .thenThrows('FORBIDDEN');
  });
});
