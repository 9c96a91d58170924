import { randomUUID } from 'node:crypto';
import cors from 'cors';
import express, { type NextFunction, type Request, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import { pinoHttp } from 'pino-http';
import swaggerUi from 'swagger-ui-express';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { Metrics } from '../observability/metrics.js';
import { AuthenticationError, ChatError, NotFoundError, RateLimitedError, ValidationError } from '../domain/errors.js';
import { errorBodyOf } from './errorMapping.js';
import { countRequests, metricsEndpoint, routeLabel, setRouteLabel } from './httpMetrics.js';
import type { Endpoint } from './route.js';
import { byPrecedence } from './routeOrder.js';

export interface HttpAppOptions {
  endpoints: Endpoint[];
  openApiDocument: object;
  /** The AsyncAPI document of the WebSocket frames and Kafka topics (asyncapi.ts), served beside the OpenAPI one. */
  asyncApiDocument?: object;
  authenticate(token: string): Promise<AccessPrincipal>;
  logger: Logger;
  maxBodyBytes: number;
  corsOrigins: string[];
  trustProxy: boolean;
  /** Counts requests and serves GET /metrics (outside /api, so API gateways and docs leave it alone). */
  metrics?: { metrics: Metrics; token?: string; open?: boolean; refresh?: () => Promise<void> };
  /** A folder served at `/` (the browser test client); API routes take precedence. */
  staticDir?: string;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

export function createHttpApp(options: HttpAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('query parser', 'simple');
  // First, so every request is counted, also those refused by a later middleware.
  if (options.metrics) app.use(countRequests(options.metrics.metrics));

  app.use(
    pinoHttp({
      logger: options.logger,
      // Honour a caller's request id (a proxy's, say) when it is sane, so one id follows the request everywhere.
      genReqId: (req, res) => {
        const given = req.headers['x-request-id'];
        const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
        res.setHeader('X-Request-Id', id);
        return id;
      },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : 'info'),
      redact: ['req.headers.authorization', 'req.headers.cookie'],
    }),
  );
  app.use(
    helmet({
      // Not upgrade-insecure-requests: a plain-http deployment (a LAN, a test box) would have its ws:// and fetch
      // calls rewritten to https and fail; TLS belongs to whoever terminates it in front of the service.
      contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
    }),
  );
  app.use(
    cors({
      origin: options.corsOrigins.includes('*') ? true : options.corsOrigins,
      exposedHeaders: ['X-Request-Id', 'Retry-After'],
      maxAge: 600,
    }),
  );
  app.use(requireJsonBodies);
  app.use(express.json({ limit: options.maxBodyBytes, strict: true, type: 'application/json' }));

  app.get('/api/openapi.json', routeLabel('/api/openapi.json'), (_req, res) => {
    res.json(options.openApiDocument);
  });
  const { asyncApiDocument } = options;
  if (asyncApiDocument) {
    app.get('/api/asyncapi.json', routeLabel('/api/asyncapi.json'), (_req, res) => {
      res.json(asyncApiDocument);
    });
  }
  app.use('/api/docs', routeLabel('/api/docs'), swaggerUi.serve, swaggerUi.setup(options.openApiDocument));
  if (options.metrics) {
    const { metrics, token, open, refresh } = options.metrics;
    app.get('/metrics', routeLabel('/metrics'), metricsEndpoint({ registry: metrics.registry, token, open, refresh }));
  }

  // In path precedence, not list order: /api/users/search must never reach /api/users/:userId (routeOrder.ts).
  for (const endpoint of byPrecedence(options.endpoints)) {
    app[endpoint.method](endpoint.path, routeLabel(endpoint.path), async (req: Request, res: Response) => {
      const principal = endpoint.auth ? await authenticateRequest(req, options.authenticate) : null;
      await endpoint.handle(req, res, principal);
    });
  }

  if (options.staticDir) {
    // Labelled only when a file is actually served, so unknown paths still count as unmatched.
    app.use(express.static(options.staticDir, { index: 'index.html', setHeaders: (res) => setRouteLabel(res.req, 'static') }));
  }

  app.use((req: Request) => {
    throw new NotFoundError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
  });
  app.use(errorHandler);
  return app;
}

async function authenticateRequest(
  req: Request,
  authenticate: (token: string) => Promise<AccessPrincipal>,
): Promise<AccessPrincipal> {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/.exec(header) : null;
  if (!match?.[1]) throw new AuthenticationError('AUTH_REQUIRED', 'a bearer access token is required');
  return authenticate(match[1]);
}

/** A body in anything but JSON is refused up front instead of reaching a handler as "missing body". */
function requireJsonBodies(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.is('application/json')) {
    next(new ChatError('UNSUPPORTED_MEDIA_TYPE', 'request bodies must be application/json'));
    return;
  }
  next();
}

/** body-parser reports its failures with a `type`; each becomes one of our codes. */
function bodyParserError(error: unknown): ChatError | undefined {
  if (typeof error !== 'object' || error === null || !('type' in error)) return undefined;
  switch (error.type) {
    case 'entity.parse.failed':
      return new ValidationError('request body is not valid JSON', undefined, 'INVALID_JSON');
    case 'entity.too.large':
      return new ChatError('PAYLOAD_TOO_LARGE', 'request body is too large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ChatError('UNSUPPORTED_MEDIA_TYPE', 'request body must be UTF-8 JSON');
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
      return new ValidationError('request body could not be read');
    default:
      return undefined;
  }
}

function errorHandler(error: unknown, req: Request, res: Response, _next: NextFunction): void {
  const known = bodyParserError(error) ?? error;
  const { status, body } = errorBodyOf(known);
  if (known instanceof RateLimitedError) res.setHeader('Retry-After', String(known.retryAfterSeconds));
  if (status >= 500) req.log.error({ err: error }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  res.status(status).json(body);
}
