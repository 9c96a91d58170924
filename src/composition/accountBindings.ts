import type { Container, ResolutionContext } from 'inversify';
import { AccountCommands } from '../commands/user/accountCommands.js';
import { ErasedAccounts } from '../commands/user/erasedAccounts.js';
import { UsernameLookAlikes } from '../commands/username/usernameLookAlikes.js';
import type { DomainLimits } from '../commands/decider.js';
import type { Endpoint } from '../http/route.js';
import { userRoutes } from '../http/routes/userRoutes.js';
import { uuidGenerator } from '../support/clock.js';
import { historyWait } from './historyWait.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Account self-service: the profile use cases and the recording of a password change (the auth service verifies
// and hashes; this records it on the user's stream through its single writer and waits for the history view), and
// whether an account is closed because its personal data was erased (read from the user's stream).

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const ACCOUNT_TOKENS = {
  accountCommands: token<AccountCommands>('accountCommands'),
  erasedAccounts: token<ErasedAccounts>('erasedAccounts'),
  /** One per process: registration and profile updates share its index of old usernames (it is built once). */
  usernameLookAlikes: token<UsernameLookAlikes>('usernameLookAlikes'),
};

export function bindAccounts(container: Container, limits: DomainLimits): void {
  container.bind<UsernameLookAlikes>(ACCOUNT_TOKENS.usernameLookAlikes.id).toDynamicValue(async (context) => {
    return new UsernameLookAlikes({
      log: await resolve(context, TOKENS.eventLog),
      history: await resolve(context, TOKENS.historyStore),
      waitForHistory: await historyWait(context),
    });
  });
  container.bind<AccountCommands>(ACCOUNT_TOKENS.accountCommands.id).toDynamicValue(async (context) => {
    return new AccountCommands({
      users: (await resolve(context, TOKENS.executors)).users,
      history: await resolve(context, TOKENS.historyStore),
      limits,
      ids: uuidGenerator,
      waitForHistory: await historyWait(context),
      lookAlikes: await usernameLookAlikesOf(context),
    });
  });
  container
    .bind<ErasedAccounts>(ACCOUNT_TOKENS.erasedAccounts.id)
    .toDynamicValue(async (context) => new ErasedAccounts({ log: await resolve(context, TOKENS.eventLog) }));
}

export function erasedAccountsOf(context: ResolutionContext): Promise<ErasedAccounts> {
  return context.getAsync<ErasedAccounts>(ACCOUNT_TOKENS.erasedAccounts.id);
}

export function usernameLookAlikesOf(context: ResolutionContext): Promise<UsernameLookAlikes> {
  return context.getAsync<UsernameLookAlikes>(ACCOUNT_TOKENS.usernameLookAlikes.id);
}

export function accountCommandsOf(context: ResolutionContext): Promise<AccountCommands> {
  return context.getAsync<AccountCommands>(ACCOUNT_TOKENS.accountCommands.id);
}

/** The profile REST routes, for the api's endpoint list. */
export async function accountEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return userRoutes(await accountCommandsOf(context));
}
