import type { ReadinessChecks } from '../observability/readiness.js';
import type { WebSocketGateway } from '../gateway/webSocketGateway.js';
import type { PresenceService } from '../presence/presenceService.js';
import type { HttpEdge } from './httpEdge.js';
import type { RoleComponent } from './roleComponent.js';
import type { RoleServices } from './roleServices.js';

/**
 * gateway: the WebSocket edge on the process's HTTP server (/ws). It follows the whole log (one subscription shared
 * by its sockets), so several gateways each serve their own connections; presence and typing cross between them
 * through their stores (Redis in the distributed mode).
 */
export class GatewayRole implements RoleComponent {
  readonly name = 'gateway';
  readonly layer = 'edge';
  private gateway: WebSocketGateway | undefined;
  private presence: PresenceService | undefined;
  private accepting = false;

  constructor(
    private readonly services: Pick<RoleServices, 'webSocketGateway' | 'presenceService' | 'executors'>,
    private readonly http: HttpEdge,
    private readonly readiness: ReadinessChecks,
  ) {}

  async start(): Promise<void> {
    this.readiness.add({
      name: 'gateway',
      probe: async () => {
        if (!this.accepting || this.gateway === undefined) throw new Error('not accepting connections');
        return `${this.gateway.connectionCount} connections`;
      },
    });
    this.gateway = await this.services.webSocketGateway();
    // Needs the log's head: with Kafka away this waits (and fails after the log's timeout), while /api/health
    // already answers that the log is not ready.
    await this.gateway.start(this.http.httpServer);
    this.presence = await this.services.presenceService();
    this.presence.startSweeper();
    // Connected ahead of the first socket's command; a failure here is not fatal (a send connects on demand, and
    // reports the error to its caller), so it is left to that first send.
    (await this.services.executors()).connect().catch(() => undefined);
    this.accepting = true;
  }

  /**
   * Sockets first: the HTTP server's close would wait for upgraded connections forever, and the gateway still
   * needs the log and the stores to finish the frames it is handling.
   */
  async stop(): Promise<void> {
    this.accepting = false;
    await this.gateway?.stop();
    await this.presence?.stop();
  }
}
