import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Every Prometheus metric the service exports, on one registry (served at /metrics). Components receive this
 * object and record into it; names follow Prometheus conventions (base units, _total for counters).
 */
export class Metrics {
  readonly registry = new Registry();

  readonly wsConnections = new Gauge({
    name: 'chat_ws_connections',
    help: 'Open WebSocket connections',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  /** Counts gathered off the metric (see frameCounts): added to chat_ws_frames_total when it is collected. */
  private readonly pendingFrames = new Map<string, { direction: 'in' | 'out'; type: string; count: number }>();

  readonly wsFrames = new Counter({
    name: 'chat_ws_frames_total',
    help: 'WebSocket frames by direction and type',
    labelNames: ['direction', 'type'] as const,
    registers: [this.registry],
    // Arrow function: `this` is the Metrics object, whose pending counts move into the counter at scrape time.
    collect: () => this.publishFrameCounts(),
  });

  readonly commands = new Counter({
    name: 'chat_commands_total',
    help: 'Commands handled, by command type and outcome (accepted, rejected code, error)',
    labelNames: ['command', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly commandSeconds = new Histogram({
    name: 'chat_command_duration_seconds',
    help: 'Time from receiving a command to its outcome',
    labelNames: ['command'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  readonly projectorLag = new Gauge({
    name: 'chat_projector_lag_events',
    help: 'Events in the log the projection has not applied yet',
    labelNames: ['projection'] as const,
    registers: [this.registry],
  });

  readonly httpRequests = new Counter({
    name: 'chat_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });

  /** Tokens the model server used for assistants' answers (issue #19): `kind` prompt or completion. */
  readonly assistantTokens = new Counter({
    name: 'chat_assistant_tokens_total',
    help: 'Tokens used by assistant answers, by kind (prompt, completion) and model',
    labelNames: ['kind', 'model'] as const,
    registers: [this.registry],
  });

  readonly assistantAnswers = new Counter({
    name: 'chat_assistant_answers_total',
    help: 'Questions to assistants by outcome (answered, or the error code the asker got)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Times a command and counts its outcome; the outcome of a rejection is its error code. */
  async timeCommand<T>(command: string, run: () => Promise<T>): Promise<T> {
    const stop = this.commandSeconds.startTimer({ command });
    try {
      const result = await run();
      this.commands.inc({ command, outcome: 'accepted' });
      return result;
    } catch (error) {
      const code =
        typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
          ? error.code
          : 'error';
      this.commands.inc({ command, outcome: code });
      throw error;
    } finally {
      stop();
    }
  }

  /**
   * Counts a frame (or `count` frames of one type). Fan-out counts once per socket written to, which at tens of
   * thousands of frames a second made prom-client's label hashing per increment a visible cost: a plain number is
   * added to here, and the counter takes the sum when it is collected.
   */
  countFrames(direction: 'in' | 'out', type: string, count = 1): void {
    const key = `${direction} ${type}`;
    const pending = this.pendingFrames.get(key);
    if (pending) pending.count += count;
    else this.pendingFrames.set(key, { direction, type, count });
  }

  private publishFrameCounts(): void {
    for (const pending of this.pendingFrames.values()) {
      if (pending.count === 0) continue;
      this.wsFrames.inc({ direction: pending.direction, type: pending.type }, pending.count);
      pending.count = 0;
    }
  }
}
