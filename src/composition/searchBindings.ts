import type { Container, ResolutionContext } from 'inversify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import type { Endpoint } from '../http/route.js';
import { searchRoutes } from '../http/routes/searchRoutes.js';
import { Projector, UNAWAITED_VIEW_SETTLE_MS } from '../projections/projector.js';
import { openOracleSearchStore } from '../projections/search/oracle/openOracleSearchStore.js';
import type { SearchStore } from '../projections/search/searchStore.js';
import { openSqliteSearch } from '../projections/search/switchableSearchStore.js';
import { SearchQueries } from '../queries/searchQueries.js';
import { RateLimiter, type RateLimitRule } from '../ratelimit/rateLimiter.js';
import { limiterFactory } from './rateLimiters.js';
import { unknownSelector } from './selectors.js';
import { resolve, TOKENS, type Token } from './tokens.js';

// Search (issue #17): the search view (SQLite FTS5 beside the SQLite history view, Oracle Text beside the Oracle
// one), its projector, the query use case and its route. Where the projector runs: src/config/searchPlan.ts.

const token = <T>(name: string): Token<T> => ({ id: Symbol.for(`chat.${name}`) });

export const SEARCH_TOKENS = {
  searchStore: token<SearchStore>('searchStore'),
  searchProjector: token<Projector>('searchProjector'),
  searchQueries: token<SearchQueries>('searchQueries'),
};

/**
 * Searches per user, kept where RATE_LIMIT_STORE says like the other shared budgets: a search costs more than a page
 * of history, and type-ahead sends one per keystroke or so.
 */
export const SEARCH_RULES: readonly RateLimitRule[] = [
  { points: 10, durationSeconds: 1 },
  { points: 120, durationSeconds: 60 },
];

export function bindSearch(container: Container, config: AppConfig, logger: Logger): void {
  container
    .bind<SearchStore>(SEARCH_TOKENS.searchStore.id)
    .toDynamicValue(async (context) => {
      const store = config.historyStore;
      switch (store) {
        case 'sqlite':
          return openSqliteSearch({ dataDir: config.dataDir, log: await resolve(context, TOKENS.eventLog), logger });
        case 'oracle':
          if (config.oracle === undefined) throw new Error('HISTORY_STORE=oracle without its ORACLE_* settings');
          // The history store migrates (or checks) the shared schema first, so two migrations never run at once here.
          await resolve(context, TOKENS.historyStore);
          return openOracleSearchStore(config.oracle);
        default:
          return unknownSelector('HISTORY_STORE', store);
      }
    })
    .onDeactivation((store) => store.close());
  container.bind<Projector>(SEARCH_TOKENS.searchProjector.id).toDynamicValue(
    async (context) =>
      new Projector({
        name: 'search',
        log: await resolve(context, TOKENS.eventLog),
        store: await resolve(context, SEARCH_TOKENS.searchStore),
        settleMs: UNAWAITED_VIEW_SETTLE_MS,
        logger,
      }),
  );
  container.bind<SearchQueries>(SEARCH_TOKENS.searchQueries.id).toDynamicValue(
    async (context) =>
      new SearchQueries({
        search: await resolve(context, SEARCH_TOKENS.searchStore),
        history: await resolve(context, TOKENS.historyStore),
        limiter: new RateLimiter('search', [...SEARCH_RULES], 'RATE_LIMIT_EXCEEDED', await limiterFactory(context)),
      }),
  );
}

/** The search route, for the api's endpoint list. */
export async function searchEndpoints(context: ResolutionContext): Promise<Endpoint[]> {
  return searchRoutes(await resolve(context, SEARCH_TOKENS.searchQueries));
}
