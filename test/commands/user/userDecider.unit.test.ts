import { describe, expect, it } from 'vitest';
import type { PersonalDataErased, UserRegistered, UserRoleChanged } from '../../../src/events/chatEvents.js';
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
      erased: false,
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
      erased: true,
    });
  });
});
