import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { AuthenticationError } from '../domain/errors.js';
import type { Metrics } from '../observability/metrics.js';
import { decideMetricsAccess, type MetricsAccessPolicy } from './metricsAccess.js';

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
    countRequest(metrics, req, res);
    next();
  };
}

/** Counts one request once its response is finished: the express app's counter and the direct lane's. */
export function countRequest(metrics: Metrics, req: IncomingMessage, res: ServerResponse): void {
  res.once('finish', () => {
    metrics.httpRequests.inc({ method: req.method ?? '', route: routeOf.get(req) ?? UNMATCHED_ROUTE, status: String(res.statusCode) });
  });
}

export interface MetricsEndpointOptions extends MetricsAccessPolicy {
  registry: Registry;
  /** Brings gauges that are read on demand (projector lag) up to date before the registry is serialised. */
  refresh?: () => Promise<void>;
}

const REFUSALS = {
  TOKEN_MISSING_OR_WRONG: 'a bearer token is required for /metrics',
  NOT_LOOPBACK:
    '/metrics answers only loopback: the operator sets METRICS_TOKEN (and the scraper sends it) or METRICS_OPEN=true',
} as const;

/** GET /metrics: the registry in the Prometheus text format, to those metricsAccess.ts lets in. */
export function metricsEndpoint(options: MetricsEndpointOptions): RequestHandler {
  return async (req, res) => {
    const access = decideMetricsAccess(options, {
      // The socket's peer, not req.ip: with TRUST_PROXY req.ip comes from X-Forwarded-For, which anyone can write.
      remoteAddress: req.socket.remoteAddress,
      authorization: req.headers.authorization,
      relayed: ['x-forwarded-for', 'forwarded', 'x-real-ip'].some((name) => req.headers[name] !== undefined),
    });
    if (!access.allowed) {
      res.setHeader('WWW-Authenticate', 'Bearer realm="metrics"');
      throw new AuthenticationError('AUTH_REQUIRED', REFUSALS[access.reason], { reason: access.reason });
    }
    await options.refresh?.();
    res.setHeader('Content-Type', options.registry.contentType);
    res.send(await options.registry.metrics());
  };
}
