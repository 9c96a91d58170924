import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { get } from '../composition/container.js';
import { TOKENS } from '../composition/tokens.js';
import type { RoleComponent } from './roleComponent.js';

const TOKEN_PURGE_INTERVAL_MS = 60 * 60 * 1000;

/**
 * api: the REST routes are mounted by the HTTP edge when this role is present (composition/container.ts,
 * TOKENS.endpoints); what the role adds is the housekeeping of the accounts it serves.
 */
export class ApiRole implements RoleComponent {
  readonly name = 'api';
  readonly layer = 'edge';
  private purgeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly container: Container,
    private readonly logger: Logger,
  ) {}

  async start(): Promise<void> {
    // Resolved now, so a token store that cannot open fails the start rather than the first login.
    const tokens = await get(this.container, TOKENS.tokenStore);
    this.purgeTimer = setInterval(() => {
      tokens.purgeExpired(Date.now()).catch((error: unknown) => this.logger.warn({ err: error }, 'token purge failed'));
    }, TOKEN_PURGE_INTERVAL_MS);
    this.purgeTimer.unref();
    // In the background: with Kafka away the role still starts (health says why), and a send connects on demand.
    const executors = await get(this.container, TOKENS.executors);
    executors.connect().catch((error: unknown) => this.logger.warn({ err: error }, 'command client not connected yet'));
  }

  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
  }
}
