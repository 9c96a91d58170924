import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { buildContainer, get } from './composition/container.js';
import { roleServices } from './composition/roleServices.js';
import type { AppConfig } from './config/config.js';
import { RoleRunner } from './roles/roleRunner.js';

/**
 * One `chat serve` process: the roles its configuration names (all of them by default: the embedded all-in-one of
 * `npm start`), composed from one container. src/roles/roleRunner.ts says what each role starts, and in which order.
 */
export class ChatServer {
  private constructor(
    private readonly container: Container,
    private readonly runner: RoleRunner,
    private readonly logger: Logger,
  ) {}

  static async start(config: AppConfig, logger: Logger, version: string): Promise<ChatServer> {
    const container = buildContainer(config, logger);
    try {
      return new ChatServer(container, await RoleRunner.start(roleServices(container), config, logger, version), logger);
    } catch (error) {
      // Close what the failed start opened (files, connections), so the process can exit with the error.
      await container.unbindAll().catch((closeError: unknown) => logger.warn({ err: closeError }, 'closing after a failed start'));
      throw error;
    }
  }

  /** A service from the container: for the CLI's maintenance commands and for tests that look inside. */
  service<T>(key: { id: symbol; type?: T }): Promise<T> {
    return get(this.container, key);
  }

  get port(): number {
    return this.runner.port;
  }

  /** Graceful stop of every role (edges first, then writers, then views), then every store and connection. */
  async stop(): Promise<void> {
    await this.runner.stop();
    await this.container.unbindAll();
    this.logger.info({ roles: this.runner.plan.roles }, 'chat service stopped');
  }
}
