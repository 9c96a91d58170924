import { describe, expect, it } from 'vitest';
import type { UserRegistered } from '../../../src/events/chatEvents.js';
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
