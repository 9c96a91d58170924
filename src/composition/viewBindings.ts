import type { Container } from 'inversify';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { planProcess } from '../config/processPlan.js';
import { searchProjectorRuns } from '../config/searchPlan.js';
import { ProjectorLagMonitor } from '../observability/projectorLag.js';
import { AnalyticsQueries } from '../projections/analytics/analyticsQueries.js';
import { MemoryAnalyticsStore } from '../projections/analytics/memoryAnalyticsStore.js';
import { openRedisAnalytics } from '../projections/analytics/switchableAnalyticsStore.js';
import { openOracleHistoryStore } from '../projections/history/oracle/openOracleHistoryStore.js';
import { openSqliteHistory } from '../projections/history/switchableHistoryStore.js';
import { Projector, UNAWAITED_VIEW_SETTLE_MS } from '../projections/projector.js';
import { StoreCheckpointFollower } from '../projections/storeCheckpointFollower.js';
import { systemClock } from '../support/clock.js';
import { SEARCH_TOKENS } from './searchBindings.js';
import { unknownSelector } from './selectors.js';
import { resolve, TOKENS } from './tokens.js';

/** The history and analytics views, what keeps them current in this process, and their lag metric. */
export function bindViews(container: Container, config: AppConfig, logger: Logger): void {
  const bind = <T>(key: { id: symbol; type?: T }) => container.bind<T>(key.id);
  bind(TOKENS.historyStore)
    .toDynamicValue(async (context) => {
      const store = config.historyStore;
      switch (store) {
        case 'sqlite':
          // The file DATA_DIR/history.current names (history.db before any rebuild), followed when a rebuild moves it.
          return openSqliteHistory({ dataDir: config.dataDir, log: await resolve(context, TOKENS.eventLog), logger });
        case 'oracle':
          // loadConfig guarantees the settings with the selector; migrations run (or are checked) before use.
          if (config.oracle === undefined) throw new Error('HISTORY_STORE=oracle without its ORACLE_* settings');
          return openOracleHistoryStore(config.oracle);
        default:
          return unknownSelector('HISTORY_STORE', store);
      }
    })
    .onDeactivation((store) => store.close());
  // This process's roles decide whether it projects the history view or follows a shared store another process
  // projects into (src/config/processPlan.ts); either way callers wait on it for read-your-writes.
  const plan = planProcess(config);
  bind(TOKENS.historyProjector).toDynamicValue(async (context) =>
    plan.historyView === 'follower'
      ? new StoreCheckpointFollower({ name: 'history', store: await resolve(context, TOKENS.historyStore), logger })
      : new Projector({
          name: 'history',
          log: await resolve(context, TOKENS.eventLog),
          store: await resolve(context, TOKENS.historyStore),
          logger,
        }),
  );
  // Analytics counters live in memory in the embedded mode: the projector rebuilds them from position 0 on every
  // start (its checkpoint is the store's, and a fresh memory store's is 0). In Redis they and their checkpoint
  // persist, so the projector goes on from where it stopped.
  bind(TOKENS.analyticsStore)
    .toDynamicValue(async (context) => {
      const store = config.stores.analytics;
      switch (store) {
        case 'memory':
          return new MemoryAnalyticsStore();
        case 'redis':
          // The counters under redisKeys('analytics'), or the prefix a rebuild made live, followed when it moves.
          return openRedisAnalytics({
            client: await resolve(context, TOKENS.redis),
            keyPrefix: config.redis.keyPrefix,
            log: await resolve(context, TOKENS.eventLog),
            logger,
          });
        default:
          return unknownSelector('ANALYTICS_STORE', store);
      }
    })
    .onDeactivation((store) => store.close());
  bind(TOKENS.analyticsProjector).toDynamicValue(
    async (context) =>
      new Projector({
        name: 'analytics',
        log: await resolve(context, TOKENS.eventLog),
        store: await resolve(context, TOKENS.analyticsStore),
        settleMs: UNAWAITED_VIEW_SETTLE_MS,
        logger,
      }),
  );
  bind(TOKENS.analyticsQueries).toDynamicValue(
    async (context) => new AnalyticsQueries(await resolve(context, TOKENS.analyticsStore), systemClock),
  );
  bind(TOKENS.projectorLagMonitor)
    .toDynamicValue(
      async (context) =>
        new ProjectorLagMonitor(
          await resolve(context, TOKENS.eventLog),
          [
            ...(plan.historyView !== undefined ? [await resolve(context, TOKENS.historyProjector)] : []),
            ...(plan.analyticsProjector ? [await resolve(context, TOKENS.analyticsProjector)] : []),
            ...(searchProjectorRuns(config) ? [await resolve(context, SEARCH_TOKENS.searchProjector)] : []),
          ],
          await resolve(context, TOKENS.metrics),
          logger,
        ),
    )
    .onDeactivation((monitor) => monitor.stop());

}
