import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { planProcess, type ProcessPlan } from '../config/processPlan.js';
import { searchProjectorRuns } from '../config/searchPlan.js';
import { ApiRole } from './apiRole.js';
import { CommandProcessorRole, type ProcessorSource } from './commandProcessorRole.js';
import { GatewayRole } from './gatewayRole.js';
import { HttpEdge } from './httpEdge.js';
import { ProjectionComponent } from './projectionComponent.js';
import { ReceiptsDrain } from './receiptsDrain.js';
import { startAll, stopAll } from './componentLifecycle.js';
import type { RoleComponent } from './roleComponent.js';
import type { RoleServices } from './roleServices.js';

/** How often chat_projector_lag_events is refreshed between scrapes (every scrape refreshes it too). */
const PROJECTOR_LAG_REFRESH_MS = 5_000;

/**
 * Starts what this process's roles need, each piece after what it uses:
 *
 *   history view, analytics projector → receipts → HTTP → command processor → api → gateway → lag metric
 *
 * Views first, so the first request can wait on them; HTTP before the command processor, so /api/health answers
 * (not ready, with the reason) while the processor waits for Kafka and joins its group; the gateway on the
 * listening server. Stopping goes by layer (roleComponent.ts), each layer last-started first:
 *
 *   gateway, api, HTTP (edges) → receipts flush (drain) → command processor (writer) → projectors (views)
 *
 * so nothing takes requests any more when the last receipts are written, and they are still decided.
 */
export class RoleRunner {
  private constructor(
    readonly plan: ProcessPlan,
    private readonly http: HttpEdge,
    private readonly started: RoleComponent[],
    private readonly logger: Logger,
  ) {}

  static async start(services: RoleServices, config: AppConfig, logger: Logger, version: string): Promise<RoleRunner> {
    const plan = planProcess(config);
    for (const warning of plan.warnings) logger.warn({ roles: plan.roles }, warning);
    const http = new HttpEdge(services, config, logger, { version, servesApi: plan.api });
    const started = await startAll(await componentsOf(plan, services, config, logger, http), logger.child({ roles: plan.roles }));
    const runner = new RoleRunner(plan, http, started, logger);
    logger.info(
      {
        roles: plan.roles,
        url: `http://localhost:${runner.port}`,
        dataDir: config.dataDir,
        historyView: plan.historyView ?? 'none',
        analyticsProjector: plan.analyticsProjector,
      },
      'chat service listening',
    );
    return runner;
  }

  get port(): number {
    return this.http.port;
  }

  /** Stops every started piece in STOP_ORDER; one that fails to stop is logged and the rest still stop. */
  async stop(): Promise<void> {
    await stopAll(this.started.splice(0), this.logger);
  }
}

async function componentsOf(
  plan: ProcessPlan,
  services: RoleServices,
  config: AppConfig,
  logger: Logger,
  http: HttpEdge,
): Promise<RoleComponent[]> {
  const readiness = await services.readiness();
  const components: RoleComponent[] = [];
  if (plan.historyView !== undefined) {
    components.push(
      new ProjectionComponent(
        plan.historyView === 'projector' ? 'history projector' : 'history view follower',
        'historyProjection',
        await services.historyProjector(),
        readiness,
        {
          store: await services.historyStore(),
          note: plan.historyView === 'follower' ? 'shared store, projected by projector:history' : undefined,
        },
      ),
    );
  }
  if (plan.analyticsProjector) {
    // Nothing waits on analytics (no read-your-writes); its health reads the projector, not the store, so a Redis
    // outage (analytics answers 503 meanwhile) does not take the whole process out of service.
    components.push(
      new ProjectionComponent('analytics projector', 'analyticsProjection', await services.analyticsProjector(), readiness),
    );
  }
  if (searchProjectorRuns(config)) {
    // Nothing waits on the search view (no read-your-writes); health shows its lag like the others'.
    components.push(
      new ProjectionComponent('search projector', 'searchProjection', await services.searchProjector(), readiness, {
        store: await services.searchStore(),
      }),
    );
  }
  if (plan.api || plan.gateway) components.push(new ReceiptsDrain(services));
  components.push(http);
  if (plan.commandProcessor) {
    components.push(new CommandProcessorRole(() => processorSource(services, config), readiness, logger));
  }
  if (plan.api) components.push(new ApiRole(services, logger));
  if (plan.gateway) components.push(new GatewayRole(services, http, readiness));
  components.push(lagMetric(services));
  return components;
}

/** Where commands are decided (composition/commandExecution.ts binds the processor with the Kafka log only). */
async function processorSource(services: Pick<RoleServices, 'commandProcessor'>, config: AppConfig): Promise<ProcessorSource> {
  const log = config.eventLog;
  switch (log) {
    case 'sqlite':
      return { kind: 'in-process', why: 'the SQLite log: its append transaction is the single writer' };
    case 'kafka':
      return { kind: 'processor', processor: await services.commandProcessor() };
    default: {
      const unknown: never = log;
      throw new Error(`EVENT_LOG: no command processing for ${JSON.stringify(unknown)}`);
    }
  }
}

function lagMetric(services: Pick<RoleServices, 'projectorLagMonitor'>): RoleComponent {
  let stop: (() => void) | undefined;
  return {
    name: 'projector lag metric',
    layer: 'edge',
    async start() {
      const monitor = await services.projectorLagMonitor();
      monitor.start(PROJECTOR_LAG_REFRESH_MS);
      stop = () => monitor.stop();
    },
    async stop() {
      stop?.();
    },
  };
}
