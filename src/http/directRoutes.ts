import { isUtf8 } from 'node:buffer';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import etag from 'etag';
import fresh from 'fresh';
import type { Logger } from 'pino';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import type { Metrics } from '../observability/metrics.js';
import { logRequest } from './accessLog.js';
import { countRequest, setRouteLabel } from './httpMetrics.js';
import { bearerPrincipal } from './bearerToken.js';
import { bodyRefusals, refusalOf } from './requestErrors.js';
import type { Endpoint, RequestParts, RouteResult } from './route.js';

// The direct lane: the hottest routes (a send, a page of history) served from Node's own request and response, in
// front of express. Express 5 costs a JSON POST about 0.16 ms of CPU where Node's HTTP server alone costs 0.02 ms, and
// with this app's ~150 routes and its middleware 0.25 ms: half of what a whole send costs (bench/README.md, tenth
// session). The lane keeps every guarantee of the express path: the same security and CORS middleware (the very
// instances), request id, access log, request counter, bearer check, schemas and handler, and an answer written as
// express writes one (Content-Type, Content-Length, weak ETag, 304 when fresh). It takes only requests it can serve
// exactly so: anything unusual (no Host, another body encoding or media type, a chunked or empty body, a path that
// is not written as declared) goes to express untouched, which answers it as it always has, refusals included.

/** Middleware of the express app that every response passes through, called here on Node's objects as they are. */
export type ResponseMiddleware = (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void;

export interface DirectLaneOptions {
  /** All the app's endpoints; the lane takes those declared direct. */
  endpoints: Endpoint[];
  authenticate(token: string): Promise<AccessPrincipal>;
  logger: Logger;
  maxBodyBytes: number;
  metrics?: Metrics;
  /** The express app's header middleware, in its order (helmet, CORS). */
  headers: ResponseMiddleware[];
}

interface DirectRoute {
  method: string;
  /** The path's segments; a `:name` segment is a parameter. */
  segments: string[];
  endpoint: Endpoint;
}

/** Serves a request if the lane takes it and answers true; false leaves the request untouched for express. */
export type DirectLane = (req: IncomingMessage, res: ServerResponse) => boolean;

export function directLane(options: DirectLaneOptions): DirectLane {
  const routes: DirectRoute[] = options.endpoints
    .filter((endpoint) => endpoint.direct)
    .map((endpoint) => ({ method: endpoint.method.toUpperCase(), segments: endpoint.path.split('/'), endpoint }));
  for (const route of routes) refuseOverlaps(route, options.endpoints);
  return (req, res) => {
    const url = req.url ?? '';
    const queryAt = url.indexOf('?');
    const path = queryAt < 0 ? url : url.slice(0, queryAt);
    for (const route of routes) {
      if (route.method !== req.method) continue;
      const params = paramsOf(route.segments, path);
      if (params === undefined || !takes(req, options.maxBodyBytes)) continue;
      const query = queryAt < 0 ? {} : { ...parseQuery(url.slice(queryAt + 1)) };
      answer(req, res, route.endpoint, { body: undefined, query, params }, options).catch((error: unknown) => {
        // Only writing the refusal itself can get here (a socket gone meanwhile): never an unhandled rejection.
        options.logger.error({ err: error }, 'could not answer a request');
        res.destroy();
      });
      return true;
    }
    return false;
  };
}

/**
 * The lane matches before express's router and knows no precedence, so a direct route must not share a path with
 * another route of its method (`/rooms/:roomId` beside `/rooms/search`): refused at start, not answered wrongly.
 */
function refuseOverlaps(route: DirectRoute, endpoints: Endpoint[]): void {
  for (const other of endpoints) {
    if (other === route.endpoint || other.method.toUpperCase() !== route.method) continue;
    const segments = other.path.split('/');
    const overlaps =
      segments.length === route.segments.length &&
      segments.every((segment, i) => segment === route.segments[i] || segment.startsWith(':') || route.segments[i]?.startsWith(':'));
    if (overlaps) throw new Error(`direct route ${route.method} ${route.endpoint.path} overlaps ${other.path}: serve both through express`);
  }
}

/** The path's parameters when it is written as the route declares it (case and all), else undefined. */
function paramsOf(segments: string[], path: string): Record<string, string> | undefined {
  const parts = path.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < segments.length; i += 1) {
    const segment = segments[i] as string;
    const part = parts[i] as string;
    if (segment.startsWith(':')) {
      if (part === '') return undefined;
      try {
        params[segment.slice(1)] = decodeURIComponent(part);
      } catch {
        return undefined; // not percent-encoded UTF-8: express refuses it with its code
      }
    } else if (segment !== part) return undefined;
  }
  return params;
}

/**
 * Whether the request is one the lane answers exactly as express would: HTTP/1 with a Host header, and either no
 * body at all (a GET) or a whole UTF-8 JSON body of declared length within the limit, sent as it is.
 */
function takes(req: IncomingMessage, maxBodyBytes: number): boolean {
  const { headers } = req;
  if (req.httpVersionMajor !== 1 || headers.host === undefined || headers['transfer-encoding'] !== undefined) return false;
  const length = headers['content-length'];
  if (req.method === 'GET') return length === undefined;
  if (length === undefined || !/^[1-9][0-9]{0,9}$/.test(length) || Number(length) > maxBodyBytes) return false;
  return headers['content-encoding'] === undefined && isPlainJson(headers['content-type']);
}

/** `application/json`, with at most a UTF-8 charset: what express's JSON parser takes without a question. */
function isPlainJson(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  const [type, ...parameters] = contentType.split(';');
  if (type?.trim().toLowerCase() !== 'application/json') return false;
  return parameters.every((parameter) => /^\s*charset=utf-8\s*$/i.test(parameter));
}

async function answer(req: IncomingMessage, res: ServerResponse, endpoint: Endpoint, parts: RequestParts, options: DirectLaneOptions): Promise<void> {
  // In the express app's order: the request counter, the access log, then the header middleware.
  if (options.metrics) countRequest(options.metrics, req, res);
  logRequest(options.logger, req, res);
  setRouteLabel(req, endpoint.path);
  try {
    const headersPending = runAll(options.headers, req, res);
    if (headersPending !== undefined) await headersPending;
    if (req.method !== 'GET') parts.body = parseJson(await readBody(req));
    const principal = endpoint.auth ? await bearerPrincipal(req, options.authenticate) : null;
    const result: RouteResult = await endpoint.run(req, parts, principal);
    if (result.stream !== undefined) throw new Error(`direct route ${endpoint.path} answered with a stream`);
    for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
    if (result.body === undefined) {
      res.statusCode = result.status;
      res.end();
    } else writeJson(req, res, result.status, result.body);
  } catch (error) {
    // As the express app's error handler does.
    const { status, body, headers } = refusalOf(error, req, options.logger);
    if (res.headersSent) {
      res.end();
      return;
    }
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    writeJson(req, res, status, body);
  }
}

/**
 * Runs the middleware in order, synchronously while each calls `next` at once (helmet and CORS do), so a request
 * pays no promise for them; from one that calls it later on, the rest wait for it. Throws what a middleware passed
 * to `next`.
 */
function runAll(middleware: readonly ResponseMiddleware[], req: IncomingMessage, res: ServerResponse): Promise<void> | undefined {
  for (let i = 0; i < middleware.length; i += 1) {
    let outcome: { error: unknown } | undefined;
    let later: ((error: unknown) => void) | undefined;
    middleware[i]?.(req, res, (error?: unknown) => {
      if (later) later(error);
      else outcome = { error };
    });
    if (outcome === undefined) {
      const rest = middleware.slice(i + 1);
      return new Promise<void>((resolve, reject) => {
        later = (error) => (error === undefined ? resolve() : reject(error));
      }).then(() => runAll(rest, req, res));
    }
    if (outcome.error !== undefined) throw outcome.error;
  }
  return undefined;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('aborted', () => reject(bodyRefusals.unreadable()));
    req.once('error', () => reject(bodyRefusals.unreadable()));
  });
}

/** What express's JSON parser (strict, UTF-8 checked by requireUtf8Json) makes of a body, refusals included. */
function parseJson(body: Buffer): unknown {
  if (!isUtf8(body)) throw bodyRefusals.notUtf8();
  // body-parser decodes with iconv-lite, which drops a byte order mark.
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  // Strict: an object or an array, as body-parser's `strict` takes.
  const first = /^[ \t\n\r]*(.)/s.exec(text)?.[1];
  if (first !== '{' && first !== '[') throw bodyRefusals.notJson();
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw bodyRefusals.notJson();
  }
}

/** As express's `res.status(status).json(body)`: its headers, a weak ETag, and 304 to a GET that has this version. */
function writeJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const bytes = Buffer.from(JSON.stringify(body), 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', bytes.length);
  const tag = etag(bytes, { weak: true });
  res.setHeader('ETag', tag);
  if (req.method === 'GET' && ((status >= 200 && status < 300) || status === 304) && fresh(req.headers, { etag: tag })) {
    res.statusCode = 304;
    res.removeHeader('Content-Type');
    res.removeHeader('Content-Length');
    res.end();
    return;
  }
  res.end(bytes);
}
