import type { IncomingMessage } from 'node:http';
import type { Readable } from 'node:stream';
import type { Request } from 'express';
import { z } from 'zod';
import type { AccessPrincipal } from '../auth/accessTokens.js';
import { AuthenticationError } from '../domain/errors.js';
import { requestIdOf } from './accessLog.js';
import { parseWith } from './validation.js';

export type HttpMethod = 'get' | 'post' | 'patch' | 'put' | 'delete';

export interface RouteResult {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Bytes to send as they are (a file download), instead of a JSON body; `headers` say what they are. */
  stream?: Readable;
}

/**
 * A `multipart/form-data` request with one file part (issue #16): the route reads it itself, streamed, and the
 * app mounts it ahead of the JSON body parser and its size limit.
 */
export interface UploadSpec {
  /** The part's name. */
  field: 'file';
  description: string;
}

/** A response whose body is bytes (a download), for the document: its media types. */
export interface BinaryResponse {
  description: string;
  contentTypes: string[];
  headers?: Record<string, string>;
}

/** An operation that takes no body: anything sent is refused. */
export const NO_BODY = z.union([z.undefined(), z.strictObject({})]);
/** No query parameters accepted. */
export const NO_QUERY = z.strictObject({});
/** No path parameters. */
export const NO_PARAMS = z.strictObject({});

export interface RouteInput<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, Who> {
  body: z.output<B>;
  query: z.output<Q>;
  params: z.output<P>;
  principal: Who;
  requestId: string;
  req: Request;
}

interface RouteDocs {
  method: HttpMethod;
  /** Express syntax (`/rooms/:roomId`); openapi.ts turns it into `{roomId}`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  /** Documented responses by status; unlisted errors use the shared Error schema. */
  responses: Record<number, { description: string; schema?: z.ZodType; headers?: Record<string, string> }>;
  /** Set for a multipart upload (the body schema is then NO_BODY: the route reads the parts itself). */
  upload?: UploadSpec;
  /** Responses whose bodies are bytes, by status (downloads). */
  binary?: Record<number, BinaryResponse>;
}

export interface RouteDefinition<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, Who>
  extends RouteDocs {
  /** Use NO_BODY / NO_QUERY / NO_PARAMS where a part must be empty: every part is always validated. */
  body: B;
  query: Q;
  params: P;
  handler(input: RouteInput<B, Q, P, Who>): Promise<RouteResult>;
}

/**
 * A route whose handler is given the request's checked parts but not the request itself, so the direct lane
 * (directRoutes.ts) can serve it from Node's own request object, without express. For the hottest routes.
 */
export interface DirectRouteDefinition<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, Who>
  extends RouteDocs {
  body: B;
  query: Q;
  params: P;
  handler(input: Omit<RouteInput<B, Q, P, Who>, 'req'>): Promise<RouteResult>;
}

/** A request's parts as whoever read it (express, or the direct lane) found them, before the route's schemas. */
export interface RequestParts {
  body: unknown;
  query: Record<string, unknown>;
  params: Record<string, unknown>;
}

/** A route with its types erased: what the app mounts and the OpenAPI generator reads. */
export interface Endpoint extends RouteDocs {
  auth: boolean;
  /** Served by the direct lane ahead of express (directRoutes.ts): its handler is not given the request. */
  direct: boolean;
  body: z.ZodType;
  query: z.ZodType;
  params: z.ZodType;
  /**
   * Checks the parts against the route's schemas and runs the handler. `req` is express's Request for a route that is
   * not direct (express serves those alone), Node's IncomingMessage for a direct one (whose handler never sees it).
   */
  run(req: IncomingMessage, parts: RequestParts, principal: AccessPrincipal | null): Promise<RouteResult>;
}

/** A route that needs a bearer access token; its handler always gets the principal. */
export function authedRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: RouteDefinition<B, Q, P, AccessPrincipal>,
): Endpoint {
  return endpoint(definition, true, false, requirePrincipal);
}

/** An authenticated route the direct lane serves (directRoutes.ts): a hot one, whose handler needs no request. */
export function authedDirectRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: DirectRouteDefinition<B, Q, P, AccessPrincipal>,
): Endpoint {
  return endpoint(definition, true, true, requirePrincipal);
}

function requirePrincipal(principal: AccessPrincipal | null): AccessPrincipal {
  if (!principal) throw new AuthenticationError('AUTH_REQUIRED', 'a bearer access token is required');
  return principal;
}

/** A route anyone may call (register, login, refresh, health). */
export function publicRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: RouteDefinition<B, Q, P, null>,
): Endpoint {
  return endpoint(definition, false, false, () => null);
}

function endpoint<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, Who>(
  definition: RouteDefinition<B, Q, P, Who> | DirectRouteDefinition<B, Q, P, Who>,
  auth: boolean,
  direct: boolean,
  resolvePrincipal: (principal: AccessPrincipal | null) => Who,
): Endpoint {
  const { body, query, params, handler, ...docs } = definition;
  return {
    ...docs,
    auth,
    direct,
    body,
    query,
    params,
    async run(req, parts, principal) {
      return (handler as RouteDefinition<B, Q, P, Who>['handler'])({
        principal: resolvePrincipal(principal),
        body: parseWith(body, parts.body, 'body'),
        query: parseWith(query, parts.query, 'query'),
        params: parseWith(params, parts.params, 'path'),
        requestId: requestIdOf(req),
        // Express's Request for the routes express serves; a direct route's handler does not take it (see run).
        req: req as Request,
      });
    },
  };
}
