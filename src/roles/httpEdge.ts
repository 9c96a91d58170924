import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppConfig } from '../config/config.js';
import { loadEventSchemaFiles } from '../events/avro/eventSchemaFiles.js';
import { createHttpApp } from '../http/app.js';
import { buildAsyncApiDocument } from '../http/asyncapi.js';
import { createHttpServer } from '../http/httpServer.js';
import { buildOpenApiDocument } from '../http/openapi.js';
import { packageRoot } from '../support/packageRoot.js';
import type { RoleComponent } from './roleComponent.js';
import type { RoleServices } from './roleServices.js';

/**
 * The HTTP server every process runs: /api/health and /metrics always (probes and scrapes reach each process),
 * the REST API and the browser client with the api role. The gateway role takes upgrades on the same server.
 */
export class HttpEdge implements RoleComponent {
  readonly name = 'http';
  readonly layer = 'edge';
  private server: Server | undefined;

  constructor(
    private readonly services: Pick<RoleServices, 'endpoints' | 'metrics' | 'projectorLagMonitor' | 'authService'>,
    private readonly config: AppConfig,
    private readonly logger: Logger,
    private readonly options: { version: string; servesApi: boolean },
  ) {}

  /** The server once listening: the gateway attaches to it. */
  get httpServer(): Server {
    if (this.server === undefined) throw new Error('the HTTP edge is not listening yet');
    return this.server;
  }

  get port(): number {
    const address = this.server?.address();
    return typeof address === 'object' && address !== null ? (address satisfies AddressInfo).port : 0;
  }

  async start(): Promise<void> {
    const endpoints = await this.services.endpoints();
    const metrics = await this.services.metrics();
    const lagMonitor = await this.services.projectorLagMonitor();
    // Health and metrics need no login; a process without the api role has no accounts to check tokens against.
    const auth = this.options.servesApi ? await this.services.authService() : undefined;
    const app = createHttpApp({
      endpoints,
      openApiDocument: () => buildOpenApiDocument(endpoints, { version: this.options.version }),
      asyncApiDocument: buildAsyncApiDocument({ version: this.options.version, eventSchemas: await loadEventSchemaFiles() }),
      authenticate: async (token) => {
        if (auth === undefined) throw new Error('no authenticated route is served by this process');
        return auth.authenticate(token);
      },
      logger: this.logger,
      maxBodyBytes: this.config.limits.maxBodyBytes,
      corsOrigins: this.config.http.corsOrigins,
      trustProxy: this.config.http.trustProxy,
      metrics: { metrics, ...this.config.metrics, refresh: () => lagMonitor.refresh() },
      ...(this.options.servesApi ? { staticDir: path.join(packageRoot(), 'dist', 'web') } : {}),
    });
    const server = createHttpServer(app, this.logger);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.config.port, this.config.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** Stops taking requests and lets running ones finish (the gateway has already let go of its sockets). */
  async stop(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeIdleConnections();
    });
  }
}
