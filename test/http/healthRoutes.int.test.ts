import { afterEach, describe, expect, it } from 'vitest';
import type { Checkpoint } from '../../src/eventlog/checkpoint.js';
import type { EventLog } from '../../src/eventlog/eventLog.js';
import { healthRoutes, type HealthDependencies } from '../../src/http/routes/healthRoutes.js';
import { serveEndpoints, type EndpointServer } from '../support/endpointServer.js';

// The health route alone, over HTTP, with stand-ins for the log and the history store: how it reads a
// partitioned head, and that a log which is up but not connected (Kafka away) makes it 503 with the reason.

describe('GET /api/health', () => {
  let server: EndpointServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  async function health(deps: Partial<HealthDependencies> & { head: () => Promise<Checkpoint> }) {
    const running = await serveEndpoints(
      healthRoutes({
        log: { ...stubLog(), headPosition: deps.head },
        history: deps.history ?? { checkpoint: async () => ({}) },
        projector: deps.projector ?? { isRunning: true },
        eventLogReadiness: deps.eventLogReadiness,
      }),
    );
    server = running;
    const response = await fetch(running.url('/api/health'));
    return { status: response.status, body: await response.json() };
  }

  it('reads one partition as before and several as partition:position, lag summed over them', async () => {
    expect((await health({ head: async () => ({ 0: 42 }), history: { checkpoint: async () => ({ 0: 40 }) } })).body).toEqual({
      status: 'ok',
      checks: { eventLog: { status: 'ok', detail: 'head 42' }, historyProjection: { status: 'ok', detail: 'lag 2 events' } },
    });
    const spread = await health({ head: async () => ({ 0: 17, 3: 5 }), history: { checkpoint: async () => ({ 0: 17, 3: 1 }) } });
    expect(spread.status).toBe(200);
    expect(spread.body).toMatchObject({
      checks: { eventLog: { status: 'ok', detail: 'head 0:17 3:5' }, historyProjection: { status: 'ok', detail: 'lag 4 events' } },
    });
    expect((await health({ head: async () => ({}) })).body).toMatchObject({ checks: { eventLog: { detail: 'head 0' } } });
  });

  it('is 503 naming the reason while the event log is not connected, without asking it for its head', async () => {
    let asked = false;
    const response = await health({
      head: async () => {
        asked = true;
        return {};
      },
      eventLogReadiness: () => ({ ready: false, reason: 'cannot connect to Kafka at 127.0.0.1:9: ECONNREFUSED' }),
    });
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({
      status: 'unavailable',
      checks: { eventLog: { status: 'failing', detail: 'not ready: cannot connect to Kafka at 127.0.0.1:9: ECONNREFUSED' } },
    });
    expect(asked).toBe(false);
  });
});

function stubLog(): EventLog {
  const unused = (): never => {
    throw new Error('not used by the health route');
  };
  return {
    append: unused,
    readStream: unused,
    streamVersion: unused,
    readAll: unused,
    findByCommandId: unused,
    headPosition: unused,
    partitionOf: unused,
    subscribe: unused,
    close: unused,
  };
}
