import type { Container, ResolutionContext } from 'inversify';
import { FriendCommands } from '../commands/friends/friendCommands.js';
import type { DomainLimits } from '../commands/decider.js';
import type { Endpoint } from '../http/route.js';
import { friendRoutes } from '../http/routes/friendRoutes.js';
import { FriendQueries } from '../queries/friendQueries.js';
import { RateLimiter, type RateLimitRule } from '../ratelimit/rateLimiter.js';
import { uuidGenerator } from '../support/clock.js';
import { historyWait } from './historyWait.js';
import { limiterFactory } from './rateLimiters.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Friends: the use cases over the friendship streams' single writer (src/commands/friends), the lists and the email
// search over the history view (src/queries/friendQueries.ts), and their REST routes.

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const FRIEND_TOKENS = {
  friendCommands: token<FriendCommands>('friendCommands'),
  friendQueries: token<FriendQueries>('friendQueries'),
};

/**
 * Email searches per user. A search tells whether an address has an account here, so the budget is small and, like
 * the other shared budgets, kept where RATE_LIMIT_STORE says (Redis: one budget across every api process).
 */
export const EMAIL_SEARCH_RULES: readonly RateLimitRule[] = [
  { points: 5, durationSeconds: 1 },
  { points: 30, durationSeconds: 60 },
];

export function bindFriends(container: Container, limits: DomainLimits): void {
  container.bind<FriendCommands>(FRIEND_TOKENS.friendCommands.id).toDynamicValue(
    async (context) =>
      new FriendCommands({
        log: await resolve(context, TOKENS.eventLog),
        history: await resolve(context, TOKENS.historyStore),
        friendships: (await resolve(context, TOKENS.executors)).friendships,
        limits,
        ids: uuidGenerator,
        waitForHistory: await historyWait(context),
      }),
  );
  container.bind<FriendQueries>(FRIEND_TOKENS.friendQueries.id).toDynamicValue(
    async (context) =>
      new FriendQueries({
        history: await resolve(context, TOKENS.historyStore),
        searchLimiter: new RateLimiter('email-search', [...EMAIL_SEARCH_RULES], 'RATE_LIMIT_EXCEEDED', await limiterFactory(context)),
      }),
  );
}

/** The friends REST routes, for the api's endpoint list. */
export async function friendEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return friendRoutes(
    await context.getAsync<FriendCommands>(FRIEND_TOKENS.friendCommands.id),
    await context.getAsync<FriendQueries>(FRIEND_TOKENS.friendQueries.id),
  );
}
