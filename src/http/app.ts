import type { RequestListener } from 'node:http';
import { pipeline } from 'node:stream/promises';
import cors from 'cors';
import express, { type NextFunction, type Request, type RequestHandler, type Response } from 'express';
import helmet from 'helmet';
import type { Logger } from 'pino';
import swaggerUi from 'swagger-ui-express';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { Metrics } from '../observability/metrics.js';
import { ChatError, ValidationError } from '../domain/errors.js';
import { accessLog } from './accessLog.js';
import { bearerPrincipal } from './bearerToken.js';
import { directLane, type ResponseMiddleware } from './directRoutes.js';
import { countRequests, metricsEndpoint, routeLabel, setRouteLabel } from './httpMetrics.js';
import { MethodsByPath, type ServedRoute } from './methodNotAllowed.js';
import { refusalOf, requireUtf8Json } from './requestErrors.js';
import type { Endpoint, RouteResult } from './route.js';
import { byPrecedence } from './routeOrder.js';

export interface HttpAppOptions {
  endpoints: Endpoint[];
  /**
   * Builds the OpenAPI document, asked on its first request and kept: some of its patterns cost a scan of Unicode
   * (textPatterns.ts) that a process start should not pay for a document it may never serve.
   */
  openApiDocument: () => object;
  /** The AsyncAPI document of the WebSocket frames and Kafka topics (asyncapi.ts), served beside the OpenAPI one. */
  asyncApiDocument?: object;
  authenticate(token: string): Promise<AccessPrincipal>;
  logger: Logger;
  maxBodyBytes: number;
  corsOrigins: string[];
  trustProxy: boolean;
  /** Counts requests and serves GET /metrics (outside /api, so API gateways and docs leave it alone). */
  metrics?: { metrics: Metrics; token?: string; open?: boolean; refresh?: () => Promise<void> };
  /** A folder served at `/` (the browser client, built by web/build.ts); API routes take precedence. */
  staticDir?: string;
}

const CLIENT_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  // blob:: pictures the service only hands out with the access token are fetched with it and shown as blob: URLs.
  "img-src 'self' blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'",
].join('; ');

/**
 * The HTTP request listener: the direct lane (directRoutes.ts) for the hottest routes when it takes the request,
 * express for everything else. Both share the security and CORS middleware below.
 */
export function createHttpApp(options: HttpAppOptions): RequestListener {
  const securityHeaders = helmet({
    // Not upgrade-insecure-requests: a plain-http deployment (a LAN, a test box) would have its ws:// and fetch
    // calls rewritten to https and fail; TLS belongs to whoever terminates it in front of the service.
    // img-src blob:: the browser client shows attached images it fetched with its token (issue #16) as blob: URLs; an
    // <img src> cannot send an Authorization header, and tokens never go in URLs.
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: null, imgSrc: ["'self'", 'data:', 'blob:'] } },
  });
  const crossOrigin = cors({
    origin: options.corsOrigins.includes('*') ? true : options.corsOrigins,
    exposedHeaders: ['X-Request-Id', 'Retry-After'],
    maxAge: 600,
  });
  const app = expressApp(options, securityHeaders, crossOrigin);
  const direct = directLane({
    endpoints: options.endpoints,
    authenticate: options.authenticate,
    logger: options.logger,
    maxBodyBytes: options.maxBodyBytes,
    ...(options.metrics ? { metrics: options.metrics.metrics } : {}),
    headers: [securityHeaders as ResponseMiddleware, crossOrigin as ResponseMiddleware],
  });
  return (req, res) => {
    if (!direct(req, res)) app(req, res);
  };
}

function expressApp(options: HttpAppOptions, securityHeaders: RequestHandler, crossOrigin: RequestHandler): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', options.trustProxy);
  app.set('query parser', 'simple');
  // First, so every request is counted, also those refused by a later middleware.
  if (options.metrics) app.use(countRequests(options.metrics.metrics));

  app.use(accessLog(options.logger));
  app.use(securityHeaders);
  app.use(requireHost);
  app.use(crossOrigin);
  // Uploads (multipart, issue #16) read their own bodies, streamed, with their own limit (MAX_FILE_BYTES): they are
  // mounted ahead of the JSON body parser and its MAX_BODY_BYTES. Ordered with the rest (ambiguity is checked there).
  const ordered = byPrecedence(options.endpoints);
  const mount = (endpoint: Endpoint): void => {
    app[endpoint.method](endpoint.path, routeLabel(endpoint.path), async (req: Request, res: Response) => {
      const principal = endpoint.auth ? await bearerPrincipal(req, options.authenticate) : null;
      await sendResult(res, await endpoint.run(req, { body: req.body, query: { ...req.query }, params: { ...req.params } }, principal));
    });
  };
  const uploads = ordered.filter((endpoint) => endpoint.upload !== undefined);
  for (const endpoint of uploads) mount(endpoint);
  // An upload path asked with another method is 405 here, before the JSON-only rule below would call its multipart
  // body 415.
  const uploadMethods = new MethodsByPath();
  uploadMethods.mount((path, handler) => app.all(path, handler), uploads);
  for (const { path } of uploads) app.all(path, uploadMethods.refuse);

  app.use(refuseDeclaredOversize(options.maxBodyBytes));
  app.use(requireJsonBodies);
  app.use(
    express.json({
      limit: options.maxBodyBytes,
      strict: true,
      type: 'application/json',
      // A compressed body could only be a few KiB of JSON anyway; refusing it (415) leaves no decompressor to feed.
      inflate: false,
      verify: requireUtf8Json,
    }),
  );

  let openApiDocument: object | undefined;
  app.get('/api/openapi.json', routeLabel('/api/openapi.json'), (_req, res) => {
    openApiDocument ??= options.openApiDocument();
    res.json(openApiDocument);
  });
  const { asyncApiDocument } = options;
  if (asyncApiDocument) {
    app.get('/api/asyncapi.json', routeLabel('/api/asyncapi.json'), (_req, res) => {
      res.json(asyncApiDocument);
    });
  }
  // The page loads the document from its URL, so it is built only when someone reads it.
  app.use('/api/docs', routeLabel('/api/docs'), swaggerUi.serve, swaggerUi.setup(undefined, { swaggerOptions: { url: '/api/openapi.json' } }));
  if (options.metrics) {
    const { metrics, token, open, refresh } = options.metrics;
    app.get('/metrics', routeLabel('/metrics'), metricsEndpoint({ registry: metrics.registry, token, open, refresh }));
  }

  // In path precedence, not list order: /api/users/search must never reach /api/users/:userId (routeOrder.ts).
  for (const endpoint of ordered) if (endpoint.upload === undefined) mount(endpoint);

  // Whatever no route took: 405 where the path is served with other methods, else 404 (after the static files).
  const methods = new MethodsByPath();
  const ownPages: ServedRoute[] = [{ method: 'get', path: '/api/openapi.json' }];
  if (asyncApiDocument) ownPages.push({ method: 'get', path: '/api/asyncapi.json' });
  if (options.metrics) ownPages.push({ method: 'get', path: '/metrics' });
  methods.mount((path, handler) => app.all(path, handler), [...options.endpoints, ...ownPages]);

  if (options.staticDir) {
    // Labelled only when a file is actually served, so unknown paths still count as unmatched.
    // `extensions` serves /admin from admin.html. The client's own files get a stricter policy than helmet's default
    // (which lets styles come from any https origin or inline): scripts, styles, images and connections from this
    // origin only (docs/clients.md, "The browser client").
    app.use(
      express.static(options.staticDir, {
        index: 'index.html',
        extensions: ['html'],
        setHeaders: (res) => {
          setRouteLabel(res.req, 'static');
          res.setHeader('Content-Security-Policy', CLIENT_CSP);
        },
      }),
    );
  }

  app.use(methods.refuse);
  app.use(errorHandler(options.logger));
  return app;
}

/** Writes a route's result as express does: JSON, no body, or bytes streamed. */
async function sendResult(res: Response, result: RouteResult): Promise<void> {
  for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
  if (result.stream !== undefined) {
    res.status(result.status);
    // A client that goes away mid-download ends the pipeline; the store's stream is destroyed with it.
    await pipeline(result.stream, res).catch((error: unknown) => {
      if (!res.writableEnded && !res.headersSent) throw error;
      res.destroy();
    });
  } else if (result.body === undefined) res.status(result.status).end();
  else res.status(result.status).json(result.body);
}

/** HTTP/1.1 requires Host (RFC 9112 §3.2); the server leaves the check to the app so the refusal has a code. */
function requireHost(req: Request, _res: Response, next: NextFunction): void {
  if (req.httpVersionMajor === 1 && req.httpVersionMinor === 1 && req.headers.host === undefined) {
    next(new ValidationError('an HTTP/1.1 request needs a Host header', { part: 'headers' }));
    return;
  }
  next();
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

/**
 * A body declared over the limit is refused before a byte of it is read. body-parser would refuse it too, but only
 * after reading the declared length off the connection, so a client that declares 10 MB and sends nothing waits,
 * holding the connection, until the server times it out.
 */
function refuseDeclaredOversize(maxBytes: number): RequestHandler {
  return (req, res, next) => {
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) {
      // The rest of the body is never read, so the connection cannot carry another request.
      res.setHeader('Connection', 'close');
      next(new ChatError('PAYLOAD_TOO_LARGE', 'request body is too large'));
      return;
    }
    next();
  };
}

function errorHandler(logger: Logger) {
  return (error: unknown, req: Request, res: Response, _next: NextFunction): void => {
    const { status, body, headers } = refusalOf(error, req, logger);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    res.status(status).json(body);
  };
}
