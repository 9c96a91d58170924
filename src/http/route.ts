import type { Request, Response } from 'express';
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
}

export interface RouteDefinition<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, Who>
  extends RouteDocs {
  /** Use NO_BODY / NO_QUERY / NO_PARAMS where a part must be empty: every part is always validated. */
  body: B;
  query: Q;
  params: P;
  handler(input: RouteInput<B, Q, P, Who>): Promise<RouteResult>;
}

/** A route with its types erased: what the app mounts and the OpenAPI generator reads. */
export interface Endpoint extends RouteDocs {
  auth: boolean;
  body: z.ZodType;
  query: z.ZodType;
  params: z.ZodType;
  handle(req: Request, res: Response, principal: AccessPrincipal | null): Promise<void>;
}

/** A route that needs a bearer access token; its handler always gets the principal. */
export function authedRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: RouteDefinition<B, Q, P, AccessPrincipal>,
): Endpoint {
  return endpoint(definition, true, (principal) => {
    if (!principal) throw new AuthenticationError('AUTH_REQUIRED', 'a bearer access token is required');
    return principal;
  });
}

/** A route anyone may call (register, login, refresh, health). */
export function publicRoute<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType>(
  definition: RouteDefinition<B, Q, P, null>,
): Endpoint {
  return endpoint(definition, false, () => null);
}

function endpoint<B extends z.ZodType, Q extends z.ZodType, P extends z.ZodType, Who>(
  definition: RouteDefinition<B, Q, P, Who>,
  auth: boolean,
  resolvePrincipal: (principal: AccessPrincipal | null) => Who,
): Endpoint {
  const { body, query, params, handler, ...docs } = definition;
  return {
    ...docs,
    auth,
    body,
    query,
    params,
    async handle(req, res, principal) {
      const input: RouteInput<B, Q, P, Who> = {
        principal: resolvePrincipal(principal),
        body: parseWith(body, req.body, 'body'),
        query: parseWith(query, { ...req.query }, 'query'),
        params: parseWith(params, { ...req.params }, 'path'),
        requestId: requestIdOf(req),
        req,
      };
      const result = await handler(input);
      for (const [name, value] of Object.entries(result.headers ?? {})) res.setHeader(name, value);
      if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    },
  };
}
