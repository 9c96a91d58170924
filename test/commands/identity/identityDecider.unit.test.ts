import { describe, it } from 'vitest';
import { identityDecider } from '../../../src/commands/identity/identityDecider.js';
import type { IdentityClaimed, IdentityReleased } from '../../../src/events/chatEvents.js';
import { as, spec } from '../../support/deciderSpecification.js';

// identity-<provider>-<subject digest>: one account at most holds an identity at a sign-in provider (issue #18).

const identity = { provider: 'google', subject: '1101' };
const claimed = (userId: string): IdentityClaimed => ({ type: 'IdentityClaimed', data: { ...identity, userId } });
const released = (userId: string): IdentityReleased => ({ type: 'IdentityReleased', data: { ...identity, userId } });
const edge = as('system');

describe('ClaimIdentity', () => {
  it('gives an identity nobody holds to the account', () => {
    spec(identityDecider).given([]).when({ type: 'ClaimIdentity', ...identity, userId: 'u1' }, edge).then([claimed('u1')]);
  });

  it('records nothing when the account holds it already (a retry or a resumed sign-in)', () => {
    spec(identityDecider).given([claimed('u1')]).when({ type: 'ClaimIdentity', ...identity, userId: 'u1' }, edge).then([]);
  });

  it('refuses an identity another account holds with IDENTITY_TAKEN', () => {
    spec(identityDecider)
      .given([claimed('u1')])
      .when({ type: 'ClaimIdentity', ...identity, userId: 'u2' }, edge)
      .thenThrows('IDENTITY_TAKEN', { provider: 'google' });
  });

  it('gives a released identity to another account', () => {
    spec(identityDecider)
      .given([claimed('u1'), released('u1')])
      .when({ type: 'ClaimIdentity', ...identity, userId: 'u2' }, edge)
      .then([claimed('u2')]);
  });
});

describe('ReleaseIdentity', () => {
  it('lets the holder release it', () => {
    spec(identityDecider).given([claimed('u1')]).when({ type: 'ReleaseIdentity', ...identity, userId: 'u1' }, edge).then([released('u1')]);
  });

  it('records nothing for anyone but the holder, or when nobody holds it', () => {
    spec(identityDecider).given([claimed('u1')]).when({ type: 'ReleaseIdentity', ...identity, userId: 'u2' }, edge).then([]);
    spec(identityDecider).given([]).when({ type: 'ReleaseIdentity', ...identity, userId: 'u1' }, edge).then([]);
    spec(identityDecider)
      .given([claimed('u1'), released('u1')])
      .when({ type: 'ReleaseIdentity', ...identity, userId: 'u1' }, edge)
      .then([]);
  });
});
