import type { Server } from 'node:http';
import { pino } from 'pino';
import { AuthenticationError } from '../../src/domain/errors.js';
import { createHttpApp } from '../../src/http/app.js';
import { createHttpServer } from '../../src/http/httpServer.js';
import type { Endpoint } from '../../src/http/route.js';

/** Some endpoints alone in the real HTTP app on a free loopback port, with no sign-in (authenticated routes 401). */
export interface EndpointServer {
  url(path: string): string;
  close(): Promise<void>;
}

export async function serveEndpoints(endpoints: Endpoint[]): Promise<EndpointServer> {
  const logger = pino({ level: 'silent' });
  const app = createHttpApp({
    endpoints,
    openApiDocument: () => ({}),
    authenticate: async () => {
      throw new AuthenticationError('AUTH_FAILED', 'no auth here');
    },
    logger,
    maxBodyBytes: 1024,
    corsOrigins: [],
    trustProxy: false,
  });
  const server: Server = createHttpServer(app, logger);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
