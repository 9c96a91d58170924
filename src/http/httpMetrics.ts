import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { AuthenticationError } from '../domain/errors.js';
import type { Metrics } from '../observability/metrics.js';

// The HTTP edge's side of observability: a request counter labelled by route pattern, and the /metrics page.

/** The label of requests no route claimed (unknown paths, bodies refused before routing). */
export const UNMATCHED_ROUTE = 'unmatched';

const routeOf = new WeakMap<IncomingMessage, string>();

/**
 * Names a request by the pattern of the route that matched it (`/api/chat/rooms/:roomId`), never by its URL:
 * a label per room id would grow the metric without bound.
 */
export function routeLabel(pattern: string): RequestHandler {
  return (req, _res, next) => {
    routeOf.set(req, pattern);
    next();
  };
}

/** Labels a request from inside a handler that only knows late whether it claims it (static files). */
export function setRouteLabel(req: IncomingMessage, pattern: string): void {
  routeOf.set(req, pattern);
}

/** Counts every answered request by method, route pattern and status, once the response is finished. */
export function countRequests(metrics: Metrics): RequestHandler {
  return (req, res, next) => {
    res.once('finish', () => {
      metrics.httpRequests.inc({ method: req.method, route: routeOf.get(req) ?? UNMATCHED_ROUTE, status: String(res.statusCode) });
    });
    next();
  };
}

export interface MetricsEndpointOptions {
  registry: Registry;
  /** When set, scrapers must send `Authorization: Bearer <token>`. */
  token?: string;
  /** Brings gauges that are read on demand (projector lag) up to date before the registry is serialised. */
  refresh?: () => Promise<void>;
}

/** GET /metrics: the registry in the Prometheus text format. */
export function metricsEndpoint(options: MetricsEndpointOptions): RequestHandler {
  return async (req, res) => {
    if (options.token !== undefined && !bearerMatches(req.headers.authorization, options.token)) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AuthenticationError('AUTH_REQUIRED', 'a bearer token is required for /metrics');
    }
    await options.refresh?.();
    res.setHeader('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  };
}

/** Constant-time comparison, so response timing does not reveal how much of a guessed token was right. */
function bearerMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(/^Bearer (\S+)$/.exec(header ?? '')?.[1] ?? '');
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
