import type { HealthCheck } from '../../observability/readiness.js';
import { EMPTY_CHECKPOINT, lag, partitionsOf, positionIn, type Checkpoint } from '../../eventlog/checkpoint.js';
import type { EventLog } from '../../eventlog/eventLog.js';
import type { ProjectionStore } from '../../projections/projector.js';
import { NO_BODY, NO_PARAMS, NO_QUERY, publicRoute, type Endpoint } from '../route.js';
import { healthSchema } from '../schemas.js';

interface Check {
  status: 'ok' | 'failing';
  detail?: string;
}

export interface HealthDependencies {
  log: EventLog;
  /** For a log that can be running but not connected (Kafka): asked before the log itself, so it fails fast. */
  eventLogReadiness?: () => { ready: boolean; reason?: string };
  /** The history view and what keeps it current; omitted by a process that neither reads nor writes it. */
  history?: Pick<ProjectionStore, 'checkpoint'>;
  projector?: { readonly isRunning: boolean };
  /** The checks of whatever else this process runs (its roles), asked in order after the log. */
  checks?: () => readonly HealthCheck[];
  /** The roles this process runs, reported beside the checks. */
  roles?: readonly string[];
}

/** Each dependency is asked something real (a read), so a dead file handle or a stopped projector shows up. */
export function healthRoutes(deps: HealthDependencies): Endpoint[] {
  return [
    publicRoute({
      method: 'get',
      path: '/api/health',
      summary: 'Liveness and readiness: 200 when every dependency answers, 503 naming the failing one',
      tags: ['health'],
      body: NO_BODY,
      query: NO_QUERY,
      params: NO_PARAMS,
      responses: {
        200: { description: 'ok', schema: healthSchema },
        503: { description: 'a dependency is failing', schema: healthSchema },
      },
      async handler() {
        const checks: Record<string, Check> = {};
        let head: Checkpoint = EMPTY_CHECKPOINT;
        checks.eventLog = await probe(async () => {
          const readiness = deps.eventLogReadiness?.();
          if (readiness && !readiness.ready) throw new Error(`not ready: ${readiness.reason ?? 'not connected'}`);
          head = await deps.log.headPosition();
          return `head ${describeHead(head)}`;
        });
        const { history, projector } = deps;
        if (history !== undefined && projector !== undefined) {
          checks.historyProjection = await probe(async () => {
            if (!projector.isRunning) throw new Error('projector is not running');
            return `lag ${lag(head, await history.checkpoint())} events`;
          });
        }
        for (const check of deps.checks?.() ?? []) checks[check.name] = await probe(() => check.probe(head));
        const healthy = Object.values(checks).every((check) => check.status === 'ok');
        const status = healthy ? 'ok' : 'unavailable';
        return { status: healthy ? 200 : 503, body: deps.roles ? { status, roles: [...deps.roles], checks } : { status, checks } };
      },
    }),
  ];
}

/** One partition (the SQLite log) reads as before, `head 42`; several as `head 0:17 3:5`. */
function describeHead(head: Checkpoint): string {
  const partitions = partitionsOf(head);
  if (partitions.length === 0) return '0';
  if (partitions.length === 1 && partitions[0] === 0) return String(positionIn(head, 0));
  return partitions.map((partition) => `${partition}:${positionIn(head, partition)}`).join(' ');
}

async function probe(check: () => Promise<string>): Promise<Check> {
  try {
    return { status: 'ok', detail: await check() };
  } catch (error) {
    return { status: 'failing', detail: error instanceof Error ? error.message : 'failed' };
  }
}
