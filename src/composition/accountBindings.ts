import type { Container, ResolutionContext } from 'inversify';
import { AccountCommands } from '../commands/user/accountCommands.js';
import type { DomainLimits } from '../commands/decider.js';
import type { Endpoint } from '../http/route.js';
import { userRoutes } from '../http/routes/userRoutes.js';
import { uuidGenerator } from '../support/clock.js';
import { historyWait } from './historyWait.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Account self-service: the profile use cases and the recording of a password change (the auth service verifies
// and hashes; this records it on the user's stream through its single writer and waits for the history view).

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const ACCOUNT_TOKENS = {
  accountCommands: token<AccountCommands>('accountCommands'),
};

export function bindAccounts(container: Container, limits: DomainLimits): void {
  container.bind<AccountCommands>(ACCOUNT_TOKENS.accountCommands.id).toDynamicValue(async (context) => {
    return new AccountCommands({
      users: (await resolve(context, TOKENS.executors)).users,
      history: await resolve(context, TOKENS.historyStore),
      limits,
      ids: uuidGenerator,
      waitForHistory: await historyWait(context),
    });
  });
}

export function accountCommandsOf(context: ResolutionContext): Promise<AccountCommands> {
  return context.getAsync<AccountCommands>(ACCOUNT_TOKENS.accountCommands.id);
}

/** The profile REST routes, for the api's endpoint list. */
export async function accountEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return userRoutes(await accountCommandsOf(context));
}
