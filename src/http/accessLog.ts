import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';

// The access log and the request id, in place of pino-http, which made a child logger (with its serializers) for
// every request whether or not anything was then logged: at the shipped levels the larger part of what a cheap
// request cost. This writes one line per finished request when its level is enabled, and nothing else.

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
const requestIds = new WeakMap<IncomingMessage, string>();

/** The request's id: the caller's `X-Request-Id` when it is sane (a proxy's, say), else a new UUID. */
export function requestIdOf(req: IncomingMessage): string {
  let id = requestIds.get(req);
  if (id === undefined) {
    const given = req.headers['x-request-id'];
    id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    requestIds.set(req, id);
  }
  return id;
}

export function accessLog(logger: Logger) {
  return (req: Request, res: Response, next: NextFunction): void => {
    logRequest(logger, req, res);
    next();
  };
}

/**
 * Names the response with the request's id (`X-Request-Id`) and logs one line once it is finished: the access log of
 * the express app and of the direct lane (directRoutes.ts), which hands it Node's request, with no `originalUrl`.
 */
export function logRequest(logger: Logger, req: IncomingMessage & { originalUrl?: string }, res: ServerResponse): void {
  const id = requestIdOf(req);
  res.setHeader('X-Request-Id', id);
  const started = performance.now();
  res.once('finish', () => {
    const failed = res.statusCode >= 500;
    if (!logger.isLevelEnabled(failed ? 'error' : 'info')) return;
    const line = {
      reqId: id,
      req: { method: req.method, url: req.originalUrl ?? req.url, remoteAddress: req.socket.remoteAddress },
      res: { statusCode: res.statusCode },
      responseTime: Math.round(performance.now() - started),
    };
    if (failed) logger.error(line, 'request errored');
    else logger.info(line, 'request completed');
  });
}
