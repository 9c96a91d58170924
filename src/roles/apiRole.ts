import type { Logger } from 'pino';
import type { RoleComponent } from './roleComponent.js';
import type { RoleServices } from './roleServices.js';

const TOKEN_PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** How often unsent uploads are looked for (issue #16); each sweep removes at most a page of them. */
const FILE_SWEEP_INTERVAL_MS = 5 * 60 * 1000;

/**
 * api: the REST routes are mounted by the HTTP edge when this role is present (composition/container.ts,
 * TOKENS.endpoints); what the role adds is the housekeeping of the accounts it serves.
 */
export class ApiRole implements RoleComponent {
  readonly name = 'api';
  readonly layer = 'edge';
  private purgeTimer: NodeJS.Timeout | undefined;
  private sweepTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly services: Pick<RoleServices, 'tokenStore' | 'executors' | 'fileSweeper'>,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // Resolved now, so a token store that cannot open fails the start rather than the first login.
    const tokens = await this.services.tokenStore();
    this.purgeTimer = setInterval(() => {
      tokens.purgeExpired(Date.now()).catch((error: unknown) => this.logger.warn({ err: error }, 'token purge failed'));
    }, TOKEN_PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
    // Resolved now: a file store that cannot be used (a bucket out of reach, a folder not writable) fails the start.
    const files = await this.services.fileSweeper();
    this.sweepTimer = setInterval(() => {
      files.sweepUnsent().catch((error: unknown) => this.logger.warn({ err: error }, 'sweeping unsent uploads failed'));
    }, FILE_SWEEP_INTERVAL_MS);
    this.sweepTimer.unref();
    // In the background: with Kafka away the role still starts (health says why), and a send connects on demand.
    const executors = await this.services.executors();
    executors.connect().catch((error: unknown) => this.logger.warn({ err: error }, 'command client not connected yet'));
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    clearInterval(this.sweepTimer);
  }
}
