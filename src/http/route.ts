import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
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
      if (result.stream !== undefined) {
        res.status(result.status);
        // A client that goes away mid-download ends the pipeline; the store's stream is destroyed with it.
        await pipeline(result.stream, res).catch((error: unknown) => {
          if (!res.writableEnded && !res.headersSent) throw error;
          res.destroy();
        });
      } else if (result.body === undefined) res.status(result.status).end();
      else res.status(result.status).json(result.body);
    },
  };
}
