import autocannon from 'autocannon';

// The HTTP load generator of the send benchmark, in its own process (autocannon would otherwise share a core's
// event loop with the harness). Every request is a NEW message: the clientMessageId is unique per request, so
// none is an idempotent retry answered from the cache, and requests rotate over many users and rooms.

export interface CannonCommand {
  url: string;
  path: string;
  connections: number;
  durationSeconds: number;
  /** Bearer tokens to rotate over (empty: no Authorization header). */
  tokens: string[];
  roomIds: string[];
  textBytes: number;
  /** GET sends no body (bench/micro/requestLayers.ts measures the layers under a send). Default POST, a send. */
  method?: 'GET' | 'POST';
}

export interface CannonResult {
  requests: number;
  requestsPerSecond: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latencyMs: { p50: number; p90: number; p99: number; p999: number; max: number; mean: number };
  statusCodes: Record<string, number>;
}

process.once('message', (command: CannonCommand) => {
  let counter = 0;
  const padding = 'x'.repeat(command.textBytes);
  const instance = autocannon(
    {
      url: command.url,
      connections: command.connections,
      duration: command.durationSeconds,
      requests: [
        {
          method: command.method ?? 'POST',
          path: command.path,
          setupRequest: (request) => {
            const n = counter++;
            const token = command.tokens.length ? command.tokens[n % command.tokens.length] : undefined;
            const roomId = command.roomIds[n % command.roomIds.length] ?? 'room';
            if (command.method === 'GET') return { ...request, headers: token ? { authorization: `Bearer ${token}` } : {} };
            return {
              ...request,
              headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
              body: JSON.stringify({ roomId, text: `${n} ${padding}`, clientMessageId: `c-${process.pid}-${n}` }),
            };
          },
        },
      ],
    },
    (error, result) => {
      if (error) {
        process.send?.({ failed: error.message });
        return;
      }
      const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stats]) => [code, stats.count ?? 0]));
      const answer: CannonResult = {
        requests: result.requests.total,
        requestsPerSecond: result.requests.average,
        ok2xx: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        latencyMs: {
          p50: result.latency.p50,
          p90: result.latency.p90,
          p99: result.latency.p99,
          p999: result.latency.p99_9,
          max: result.latency.max,
          mean: result.latency.mean,
        },
        statusCodes,
      };
      process.send?.({ result: answer }, () => process.exit(0));
    },
  );
  process.on('SIGTERM', () => instance.stop());
});
