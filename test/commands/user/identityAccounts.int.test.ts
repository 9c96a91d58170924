import { pino } from 'pino';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Account, AccountRegistration } from '../../../src/auth/authService.js';
import type { ProviderProfile } from '../../../src/auth/oauth/identityProvider.js';
import { commandBuses } from '../../../src/commands/commandBus.js';
import type { CommandExecutors } from '../../../src/commands/commandExecutors.js';
import { DEFAULT_LIMITS } from '../../../src/commands/decider.js';
import { userStateOf } from '../../../src/commands/user/erasedAccounts.js';
import { IdentityAccounts } from '../../../src/commands/user/identityAccounts.js';
import { identityStreamId, NO_PASSWORD_HASH } from '../../../src/domain/identities.js';
import { userStreamId } from '../../../src/domain/ids.js';
import { SqliteEventLog } from '../../../src/eventlog/sqlite/sqliteEventLog.js';
import type { EventCodec } from '../../../src/events/eventCodec.js';
import { systemClock, uuidGenerator } from '../../../src/support/clock.js';
import { createTestCodec } from '../../support/testCodecs.js';

// The accounts behind identities (issue #18) on a real event log and the embedded single writers: an identity is
// held by one account, and a change a crash left half-done (the identity's stream written, the account's not) is
// finished by the next sign-in with that identity instead of leaving the identity stuck.

const profile = (subject: string, handle: string): ProviderProfile => ({
  identity: { provider: 'github', subject },
  handle,
  name: undefined,
  verifiedEmail: null,
});
const system = { actor: { userId: 'system:test', role: 'user' as const }, limits: DEFAULT_LIMITS };

describe('the accounts behind identities', () => {
  let codec: EventCodec;
  let log: SqliteEventLog;
  let buses: CommandExecutors;
  let accounts: IdentityAccounts;
  let n = 0;
  const next = () => `cmd-${++n}`;

  beforeAll(async () => {
    codec = await createTestCodec();
  });
  beforeEach(() => {
    log = SqliteEventLog.open({ file: ':memory:', codec, pollIntervalMs: 3_600_000 });
    buses = commandBuses({ log, clock: systemClock, ids: uuidGenerator, logger: pino({ level: 'silent' }) });
    // Registration as the use case does it, less the username claims (the e2e tests cover those), and the account
    // read from its stream instead of a view.
    const registerAccount = async (input: AccountRegistration): Promise<Account> => {
      const userId = input.userId ?? uuidGenerator.next();
      const { commandId, correlationId, userId: _ignored, identity, ...fields } = input;
      await buses.users.execute(
        userStreamId(userId),
        { type: 'RegisterUser', userId, ...fields, ...(identity === undefined ? {} : { identity }) },
        { ...system, actor: { userId, role: 'user' } },
        { commandId: `${commandId}/register`, correlationId },
      );
      return accountOf(userId);
    };
    const accountOf = async (userId: string): Promise<Account> => {
      const state = userStateOf(await log.readStream(userStreamId(userId)));
      if (!state.registered) throw new Error(`no account ${userId}`);
      return {
        userId,
        username: state.username,
        email: null,
        displayName: state.profile.displayName,
        statusText: '',
        avatarUrl: null,
        role: state.role,
        createdAt: '',
        passwordHash: state.hasPassword ? 'hash' : NO_PASSWORD_HASH,
      };
    };
    accounts = new IdentityAccounts({
      log,
      users: buses.users,
      identities: buses.identities,
      registerAccount,
      history: { getUser: (userId) => accountOf(userId) },
      limits: DEFAULT_LIMITS,
      ids: uuidGenerator,
      waitForHistory: async () => undefined,
    });
  });
  afterEach(async () => {
    await log.close();
  });

  const claim = (subject: string, userId: string) =>
    buses.identities.execute(identityStreamId({ provider: 'github', subject }), { type: 'ClaimIdentity', provider: 'github', subject, userId }, system, {
      commandId: next(),
      correlationId: 'c',
    });
  const register = (userId: string, username: string, passwordHash = '$argon2id$x') =>
    buses.users.execute(
      userStreamId(userId),
      { type: 'RegisterUser', userId, username, email: null, displayName: username, passwordHash, role: 'user' },
      { ...system, actor: { userId, role: 'user' } },
      { commandId: next(), correlationId: 'c' },
    );
  const typesOf = async (streamId: string) => (await log.readStream(streamId)).map((event) => event.type);

  it('makes one account per identity, and finds it again', async () => {
    const first = await accounts.accountFor(profile('1', 'octocat'), 'c');
    const again = await accounts.accountFor(profile('1', 'renamed'), 'c');
    expect(again.userId).toBe(first.userId);
    expect(first.username).toBe('octocat');
    expect(await accounts.linkedTo(first.userId)).toEqual([{ provider: 'github', subject: '1' }]);
  });

  it('finishes a first sign-in that stopped after claiming the identity: the account gets the reserved id', async () => {
    await claim('2', 'u-reserved');
    const account = await accounts.accountFor(profile('2', 'late'), 'c');
    expect(account.userId).toBe('u-reserved');
    expect(await typesOf(userStreamId('u-reserved'))).toEqual(['UserRegistered', 'IdentityLinked']);
  });

  it('finishes a link that stopped after claiming the identity for the account', async () => {
    await register('u-alice', 'alice');
    await claim('3', 'u-alice');
    const account = await accounts.accountFor(profile('3', 'alice-gh'), 'c');
    expect(account.userId).toBe('u-alice');
    expect(await typesOf(userStreamId('u-alice'))).toEqual(['UserRegistered', 'IdentityLinked']);
  });

  it('finishes an unlink that stopped before releasing: the identity is free for a new account or a link', async () => {
    await register('u-bob', 'bob');
    await accounts.link('u-bob', { provider: 'github', subject: '4' }, 'c');
    // The unlink recorded on Bob's stream, then a crash before the identity's stream was released.
    await buses.users.execute(userStreamId('u-bob'), { type: 'UnlinkIdentity', userId: 'u-bob', provider: 'github' }, { ...system, actor: { userId: 'u-bob', role: 'user' } }, {
      commandId: next(),
      correlationId: 'c',
    });
    await register('u-carol', 'carol');
    await accounts.link('u-carol', { provider: 'github', subject: '4' }, 'c');
    expect(await typesOf(identityStreamId({ provider: 'github', subject: '4' }))).toEqual(['IdentityClaimed', 'IdentityReleased', 'IdentityClaimed']);
    expect((await accounts.accountFor(profile('4', 'x'), 'c')).userId).toBe('u-carol');
  });

  it('refuses an identity another account holds, and lets the first of two accounts racing for it win', async () => {
    await register('u-dave', 'dave');
    await register('u-erin', 'erin');
    const identity = { provider: 'github', subject: '5' };
    const outcomes = await Promise.allSettled([accounts.link('u-dave', identity, 'c'), accounts.link('u-erin', identity, 'c')]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((outcome) => outcome.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({ code: 'IDENTITY_TAKEN' });
    // Exactly one of them has it linked.
    const linked = [...(await accounts.linkedTo('u-dave')), ...(await accounts.linkedTo('u-erin'))];
    expect(linked).toEqual([identity]);
  });

  it('gives two first sign-ins of one identity at once the same account', async () => {
    const [a, b] = await Promise.all([accounts.accountFor(profile('6', 'twin'), 'c'), accounts.accountFor(profile('6', 'twin'), 'c')]);
    expect(a.userId).toBe(b.userId);
  });
});
