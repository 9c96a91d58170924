import type { AuthService } from '../auth/authService.js';
import type { TokenStore } from '../auth/tokenStore.js';
import type { CommandExecutors } from '../commands/commandExecutors.js';
import type { ReadinessChecks } from '../observability/readiness.js';
import type { WebSocketGateway } from '../gateway/webSocketGateway.js';
import type { Endpoint } from '../http/route.js';
import type { Metrics } from '../observability/metrics.js';
import type { ProjectorLagMonitor } from '../observability/projectorLag.js';
import type { PresenceService } from '../presence/presenceService.js';
import type { ProjectionStore } from '../projections/projector.js';
import type { ProjectionProgress } from '../projections/storeCheckpointFollower.js';
import type { ReceiptRecorder } from '../receipts/receiptRecorder.js';
import type { StartableProcessor } from './commandProcessorRole.js';

/**
 * A service resolved when called. Resolving opens stores and connects clients, and some services exist in one mode
 * only (the command processor with the Kafka log), so each role asks at the point of its start where it needs one:
 * the start order in roleRunner.ts is then also the order things open in.
 */
export type Resolve<T> = () => Promise<T>;

/**
 * Everything the roles use, built by the composition root (src/composition/roleServices.ts), so the roles know the
 * services they run and nothing of the container that makes them.
 */
export interface RoleServices {
  /** The health checks each role adds to as it starts. */
  readiness: Resolve<ReadinessChecks>;
  /** The history projector, or the follower of a shared history store's checkpoint (config/processPlan.ts). */
  historyProjector: Resolve<ProjectionProgress>;
  /** Asked for its checkpoint by health, so a store that stopped answering shows as failing. */
  historyStore: Resolve<Pick<ProjectionStore, 'checkpoint'>>;
  analyticsProjector: Resolve<ProjectionProgress>;
  receiptRecorder: Resolve<Pick<ReceiptRecorder, 'flush'>>;
  endpoints: Resolve<Endpoint[]>;
  metrics: Resolve<Metrics>;
  projectorLagMonitor: Resolve<ProjectorLagMonitor>;
  /** Checks the HTTP edge's bearer tokens; resolved only by a process that serves the api role. */
  authService: Resolve<Pick<AuthService, 'authenticate'>>;
  tokenStore: Resolve<Pick<TokenStore, 'purgeExpired'>>;
  /** The edges connect them ahead of the first send. */
  executors: Resolve<Pick<CommandExecutors, 'connect'>>;
  webSocketGateway: Resolve<WebSocketGateway>;
  presenceService: Resolve<PresenceService>;
  /** The uploads' sweeper (issue #16): the api role removes uploads nobody sent. Resolving it checks the file store. */
  fileSweeper: Resolve<{ sweepUnsent(limit?: number): Promise<number> }>;
  /** Bound with the Kafka log only: resolved by the command-processor role when it starts on that log. */
  commandProcessor: Resolve<StartableProcessor>;
  /** The search view's projector and store (issue #17), where config/searchPlan.ts places them. */
  searchProjector: Resolve<ProjectionProgress>;
  searchStore: Resolve<Pick<ProjectionStore, 'checkpoint'>>;
}
