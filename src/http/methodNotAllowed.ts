import type { IncomingMessage } from 'node:http';
import type { RequestHandler } from 'express';
import { MethodNotAllowedError, NotFoundError } from '../domain/errors.js';
import type { HttpMethod } from './route.js';

// A path the service serves, asked with a method it does not serve it with, is 405 with an Allow header (RFC 9110
// §15.5.6), not 404: the client has the right path and the wrong method. express itself only knows 404.
//
// After the real routes, the app mounts one recorder per served path that notes the path's methods and passes on:
// express's own matching decides which paths a URL is (so `/api/users/search` also counts `/api/users/:userId`'s
// methods, as express would route them), and the last handler answers 405 if anything was noted, else 404.

/** How the app mounts a handler for every method on a path (`app.all`). */
type MountAll = (path: string, handler: RequestHandler) => void;

/** Served paths and their methods, from the endpoints and the app's own GET pages. */
export interface ServedRoute {
  method: HttpMethod;
  path: string;
}

// The order an Allow header lists methods in, so it reads the same whatever order routes were added in.
const ORDER = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'];

export class MethodsByPath {
  private readonly noted = new WeakMap<IncomingMessage, Set<string>>();

  /** Mounts the recorders: call after every real route, so only requests no route took reach them. */
  mount(all: MountAll, routes: readonly ServedRoute[]): void {
    const byPath = new Map<string, Set<string>>();
    for (const { method, path } of routes) {
      const methods = byPath.get(path) ?? new Set<string>();
      methods.add(method.toUpperCase());
      byPath.set(path, methods);
    }
    for (const [path, methods] of byPath) {
      all(path, (req, _res, next) => {
        const seen = this.noted.get(req) ?? new Set<string>();
        for (const method of methods) seen.add(method);
        this.noted.set(req, seen);
        next();
      });
    }
  }

  /** The last handler: 405 with what the path does allow, or 404 when no route has the path at all. */
  readonly refuse: RequestHandler = (req) => {
    const served = this.noted.get(req);
    if (served === undefined) throw new NotFoundError('NOT_FOUND', `no route for ${req.method} ${req.path}`);
    throw new MethodNotAllowedError(req.method, req.path, allowHeaderMethods(served));
  };
}

/** What Allow lists: the served methods, HEAD wherever GET is (express answers it), OPTIONS (CORS answers it). */
export function allowHeaderMethods(served: ReadonlySet<string>): string[] {
  const allowed = new Set([...served, 'OPTIONS']);
  if (allowed.has('GET')) allowed.add('HEAD');
  return ORDER.filter((method) => allowed.has(method));
}
