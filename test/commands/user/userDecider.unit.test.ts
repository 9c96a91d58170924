import { describe, expect, it } from 'vitest';
import type { PersonalDataErased, ProfileUpdated, UserRegistered, UserRoleChanged } from '../../../src/events/chatEvents.js';
import type { RegisterUser } from '../../../src/commands/commands.js';
import { userDecider } from '../../../src/commands/user/userDecider.js';
import { as, spec, stateAfter } from '../../support/deciderSpecification.js';

const register: RegisterUser = {
  type: 'RegisterUser',
  userId: 'u1',
  username: 'Alice',
  email: 'alice@example.com',
  displayName: 'Alice A.',
  passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
  role: 'user',
};
const registered: UserRegistered = {
  type: 'UserRegistered',
  data: {
    userId: 'u1',
    username: 'Alice',
    email: 'alice@example.com',
    displayName: 'Alice A.',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA',
    role: 'user',
  },
};
const edge = as('system');

describe('RegisterUser', () => {
  it('registers a new user with every field of the command', () => {
    spec(userDecider).given([]).when(register, edge).then([registered]);
  });

  it('keeps a missing email as null and the role as given', () => {
    spec(userDecider)
      .given([])
      .when({ ...register, email: null, role: 'auditor' }, edge)
      .then([{ ...registered, data: { ...registered.data, email: null, role: 'auditor' } }]);
  });

  it('refuses a user id that is already registered with IDEMPOTENCY_CONFLICT', () => {
    spec(userDecider)
      .given([registered])
      .when({ ...register, username: 'mallory' }, edge)
      .thenThrows('IDEMPOTENCY_CONFLICT', { userId: 'u1' });
  });
});

describe('evolve', () => {
  it('remembers who registered', () => {
    expect(stateAfter(userDecider, [])).toEqual({ registered: false });
    expect(stateAfter(userDecider, [registered])).toEqual({
      registered: true,
      userId: 'u1',
      username: 'Alice',
      role: 'user',
      profile: { displayName: 'Alice A.', statusText: '', avatarUrl: null, avatarFileId: null },
      erased: false,
      hasPassword: true,
      identities: [],
      assistant: null,
      blocked: new Set(),
    });
  });
});

const admin = as('u-admin', { role: 'admin' });
const roleChanged = (role: 'user' | 'admin' | 'auditor' | 'analyst'): UserRoleChanged => ({
  type: 'UserRoleChanged',
  data: { userId: 'u1', role, changedBy: 'u-admin' },
});
const erased: PersonalDataErased = { type: 'PersonalDataErased', data: { userId: 'u1', erasedBy: 'u-admin' } };

describe('ChangeUserRole (grant)', () => {
  it('records the new role when an admin grants it', () => {
    spec(userDecider).given([registered]).when({ type: 'ChangeUserRole', userId: 'u1', role: 'auditor' }, admin).then([roleChanged('auditor')]);
  });

  it('records nothing when the user already has the role', () => {
    spec(userDecider)
      .given([registered, roleChanged('analyst')])
      .when({ type: 'ChangeUserRole', userId: 'u1', role: 'analyst' }, admin)
      .then([]);
  });

  it('refuses anyone but an admin with FORBIDDEN, also for themself', () => {
    spec(userDecider).given([registered]).when({ type: 'ChangeUserRole', userId: 'u1', role: 'admin' }, as('u1')).thenThrows('FORBIDDEN');
    spec(userDecider)
      .given([registered])
      .when({ type: 'ChangeUserRole', userId: 'u1', role: 'auditor' }, as('u-aud', { role: 'auditor' }))
      .thenThrows('FORBIDDEN');
  });

  it('refuses an unknown user with NO_USER', () => {
    spec(userDecider).given([]).when({ type: 'ChangeUserRole', userId: 'u1', role: 'auditor' }, admin).thenThrows('NO_USER');
  });
});

describe('RevokeUserRole', () => {
  it('takes a held role away, back to user', () => {
    spec(userDecider)
      .given([registered, roleChanged('auditor')])
      .when({ type: 'RevokeUserRole', userId: 'u1', role: 'auditor' }, admin)
      .then([roleChanged('user')]);
  });

  it('records nothing when the user does not hold that role', () => {
    spec(userDecider)
      .given([registered, roleChanged('analyst')])
      .when({ type: 'RevokeUserRole', userId: 'u1', role: 'auditor' }, admin)
      .then([]);
  });
});

describe('ErasePersonalData', () => {
  it('records the erasure once; a second erasure records nothing', () => {
    spec(userDecider).given([registered]).when({ type: 'ErasePersonalData', userId: 'u1' }, admin).then([erased]);
    spec(userDecider).given([registered, erased]).when({ type: 'ErasePersonalData', userId: 'u1' }, admin).then([]);
  });

  it('refuses non-admins with FORBIDDEN and unknown users with NO_USER', () => {
    spec(userDecider).given([registered]).when({ type: 'ErasePersonalData', userId: 'u1' }, as('u1')).thenThrows('FORBIDDEN');
    spec(userDecider).given([]).when({ type: 'ErasePersonalData', userId: 'u1' }, admin).thenThrows('NO_USER');
  });

  it('folds role changes and the erasure into the state', () => {
    expect(stateAfter(userDecider, [registered, roleChanged('auditor'), erased])).toEqual({
      registered: true,
      userId: 'u1',
      username: 'Alice',
      role: 'auditor',
      profile: { displayName: 'Alice A.', statusText: '', avatarUrl: null, avatarFileId: null },
      erased: true,
      hasPassword: true,
      identities: [],
      assistant: null,
      blocked: new Set(),
    });
  });
});

const self = as('u1');
const profileUpdated = (profile: Partial<ProfileUpdated['data']>): ProfileUpdated => ({
  type: 'ProfileUpdated',
  data: { userId: 'u1', displayName: 'Alice A.', statusText: '', avatarUrl: null, avatarFileId: null, ...profile },
});

describe('UpdateProfile', () => {
  it('takes an uploaded avatar: the URL becomes the service\'s own for that file (issue #16)', () => {
    spec(userDecider)
      .given([registered])
      .when({ type: 'UpdateProfile', userId: 'u1', avatarFileId: 'f-1' }, self)
      .then([profileUpdated({ avatarUrl: '/api/files/f-1', avatarFileId: 'f-1' })]);
  });

  it('drops the uploaded avatar when an outside URL replaces it, and refuses a file URL set by hand', () => {
    const withFile = profileUpdated({ avatarUrl: '/api/files/f-1', avatarFileId: 'f-1' });
    spec(userDecider)
      .given([registered, withFile])
      .when({ type: 'UpdateProfile', userId: 'u1', avatarUrl: 'https://example.com/a.png' }, self)
      .then([profileUpdated({ avatarUrl: 'https://example.com/a.png', avatarFileId: null })]);
    spec(userDecider)
      .given([registered])
      .when({ type: 'UpdateProfile', userId: 'u1', avatarUrl: '/api/files/f-2' }, self)
      .thenThrows('VALIDATION_FAILED', { field: 'avatarUrl' });
  });

  it('records the whole profile after the change, with the display name trimmed', () => {
    spec(userDecider)
      .given([registered])
      .when({ type: 'UpdateProfile', userId: 'u1', displayName: '  Alice 🐇  ', statusText: 'in a meeting' }, self)
      .then([profileUpdated({ displayName: 'Alice 🐇', statusText: 'in a meeting' })]);
  });

  it('keeps the fields a command leaves out, and null removes the avatar', () => {
    const withAvatar = profileUpdated({ statusText: 'away', avatarUrl: 'https://example.com/a.png' });
    spec(userDecider)
      .given([registered, withAvatar])
      .when({ type: 'UpdateProfile', userId: 'u1', avatarUrl: null }, self)
      .then([profileUpdated({ statusText: 'away', avatarUrl: null })]);
  });

  it('records nothing when nothing would change (a trimmed name equal to the current one included)', () => {
    spec(userDecider)
      .given([registered])
      .when({ type: 'UpdateProfile', userId: 'u1', displayName: ' Alice A. ', statusText: '', avatarUrl: null }, self)
      .then([]);
    spec(userDecider).given([registered]).when({ type: 'UpdateProfile', userId: 'u1' }, self).then([]);
  });

  it('refuses a value breaking the rules with VALIDATION_FAILED naming the field', () => {
    const when = (change: Omit<Parameters<typeof userDecider.decide>[0] & { type: 'UpdateProfile' }, 'type' | 'userId'>) =>
      spec(userDecider).given([registered]).when({ type: 'UpdateProfile', userId: 'u1', ...change }, self);
    when({ displayName: '   ' }).thenThrows('VALIDATION_FAILED', { field: 'displayName' });
    when({ displayName: 'x'.repeat(65) }).thenThrows('VALIDATION_FAILED', { field: 'displayName' });
    when({ statusText: 's'.repeat(141) }).thenThrows('VALIDATION_FAILED', { field: 'statusText' });
    when({ avatarUrl: 'javascript:alert(1)' }).thenThrows('VALIDATION_FAILED', { field: 'avatarUrl' });
    when({ avatarUrl: '/relative.png' }).thenThrows('VALIDATION_FAILED', { field: 'avatarUrl' });
    when({ avatarUrl: `https://example.com/${'a'.repeat(2049)}` }).thenThrows('VALIDATION_FAILED', { field: 'avatarUrl' });
  });

  it('takes limits in characters: 64 emoji are a valid display name, 140 a valid status', () => {
    spec(userDecider)
      .given([registered])
      .when({ type: 'UpdateProfile', userId: 'u1', displayName: '🐇'.repeat(64), statusText: '🐇'.repeat(140) }, self)
      .then([profileUpdated({ displayName: '🐇'.repeat(64), statusText: '🐇'.repeat(140) })]);
  });

  it("refuses anybody else, an admin included, with FORBIDDEN, and an unknown user with NO_USER", () => {
    spec(userDecider).given([registered]).when({ type: 'UpdateProfile', userId: 'u1', statusText: 'x' }, admin).thenThrows('FORBIDDEN');
    spec(userDecider).given([]).when({ type: 'UpdateProfile', userId: 'u1', statusText: 'x' }, self).thenThrows('NO_USER');
  });

  it('folds the latest profile into the state', () => {
    const state = stateAfter(userDecider, [registered, profileUpdated({ statusText: 'a' }), profileUpdated({ displayName: 'B' })]);
    expect(state.registered && state.profile).toEqual({ displayName: 'B', statusText: '', avatarUrl: null, avatarFileId: null });
  });
});

describe('ChangePassword', () => {
  const newHash = '$argon2id$v=19$m=19456,t=2,p=1$bmV3$bmV3aGFzaA';

  it("records the new hash for the user's own change", () => {
    spec(userDecider)
      .given([registered])
      .when({ type: 'ChangePassword', userId: 'u1', passwordHash: newHash }, self)
      .then([{ type: 'PasswordChanged', data: { userId: 'u1', passwordHash: newHash } }]);
  });

  it('refuses anybody else with FORBIDDEN, an unknown user with NO_USER, an empty hash with VALIDATION_FAILED', () => {
    spec(userDecider).given([registered]).when({ type: 'ChangePassword', userId: 'u1', passwordHash: newHash }, admin).thenThrows('FORBIDDEN');
    spec(userDecider).given([]).when({ type: 'ChangePassword', userId: 'u1', passwordHash: newHash }, self).thenThrows('NO_USER');
    spec(userDecider).given([registered]).when({ type: 'ChangePassword', userId: 'u1', passwordHash: '' }, self).thenThrows('VALIDATION_FAILED');
  });
});
