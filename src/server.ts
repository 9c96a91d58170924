import { createServer, type Server } from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Container } from 'inversify';
import type { Logger } from 'pino';
import { buildContainer, get } from './composition/container.js';
import { TOKENS } from './composition/tokens.js';
import type { AppConfig } from './config/config.js';
import { createHttpApp } from './http/app.js';
import { buildOpenApiDocument } from './http/openapi.js';
import { packageRoot } from './support/packageRoot.js';

const TOKEN_PURGE_INTERVAL_MS = 60 * 60 * 1000;
/** How often chat_projector_lag_events is refreshed between scrapes (every scrape refreshes it too). */
const PROJECTOR_LAG_REFRESH_MS = 5_000;

/** The whole embedded service in one process: event log, history projector and the REST API. */
export class ChatServer {
  private constructor(
    private readonly container: Container,
    private readonly server: Server,
    private readonly stopProjector: () => Promise<void>,
    private readonly purgeTimer: NodeJS.Timeout,
    private readonly logger: Logger,
  ) {}

  static async start(config: AppConfig, logger: Logger, version: string): Promise<ChatServer> {
    const container = buildContainer(config, logger);
    const projector = await get(container, TOKENS.historyProjector);
    await projector.start();
    // Nothing waits on analytics (no read-your-writes), so it catches up from position 0 in the background.
    const analyticsProjector = await get(container, TOKENS.analyticsProjector);
    await analyticsProjector.start();
    const metrics = await get(container, TOKENS.metrics);
    const lagMonitor = await get(container, TOKENS.projectorLagMonitor);
    const auth = await get(container, TOKENS.authService);
    const endpoints = await get(container, TOKENS.endpoints);
    const app = createHttpApp({
      endpoints,
      openApiDocument: buildOpenApiDocument(endpoints, { version }),
      authenticate: (token) => auth.authenticate(token),
      logger,
      maxBodyBytes: config.limits.maxBodyBytes,
      corsOrigins: config.http.corsOrigins,
      trustProxy: config.http.trustProxy,
      metrics: { metrics, token: config.metrics.token, refresh: () => lagMonitor.refresh() },
      staticDir: path.join(packageRoot(), 'public'),
    });
    const server = createServer(app);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.port, config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // After listen: the gateway takes upgrades on the same port, so REST and /ws share one address.
    await (await get(container, TOKENS.webSocketGateway)).start(server);
    const tokens = await get(container, TOKENS.tokenStore);
    const purgeTimer = setInterval(() => {
      tokens.purgeExpired(Date.now()).catch((error: unknown) => logger.warn({ err: error }, 'token purge failed'));
    }, TOKEN_PURGE_INTERVAL_MS);
    purgeTimer.unref();
    (await get(container, TOKENS.presenceService)).startSweeper();
    lagMonitor.start(PROJECTOR_LAG_REFRESH_MS);
    const stopProjectors = async () => {
      await Promise.all([projector.stop(), analyticsProjector.stop()]);
    };
    const started = new ChatServer(container, server, stopProjectors, purgeTimer, logger);
    logger.info({ url: `http://localhost:${started.port}`, dataDir: config.dataDir }, 'chat service listening');
    return started;
  }

  /** A service from the container: for the CLI's maintenance commands and for tests that look inside. */
  service<T>(key: { id: symbol; type?: T }): Promise<T> {
    return get(this.container, key);
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : 0;
  }

  /** Stops taking requests, lets running ones finish, then closes the projector and every store. */
  async stop(): Promise<void> {
    clearInterval(this.purgeTimer);
    // Sockets first: server.close() would wait for upgraded connections forever, and the gateway still needs the
    // log and the stores to finish the frames it is handling.
    await (await get(this.container, TOKENS.webSocketGateway)).stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
    // After both edges are closed (nothing reports any more), while the log is still open to take the writes.
    await (await get(this.container, TOKENS.receiptRecorder)).flush();
    await this.stopProjector();
    await this.container.unbindAll();
    this.logger.info('chat service stopped');
  }
}
