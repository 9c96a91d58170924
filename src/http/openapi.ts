import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { OPERATION_LINKS, type OperationKey, type OperationLink } from './openapiLinks.js';
import { errorSchema } from './schemas.js';
import type { Endpoint } from './route.js';
import { NO_BODY, NO_PARAMS, NO_QUERY } from './route.js';

// The refusals the shared machinery (route.ts, app.ts, requestErrors.ts) gives an operation whatever its handler does,
// so no route has to list them. A route's own error entry for one of these statuses adds its codes in front of the
// standard ones (both can happen) and keeps the standard headers; one with a schema of its own replaces it.
function standardErrors(endpoint: Endpoint): Record<number, ResponseConfig> {
  const takesBody = endpoint.body !== NO_BODY;
  const errors: Record<number, ResponseConfig> = {
    400: errorResponse(badInputDescription(endpoint)),
  };
  if (endpoint.auth) {
    errors[401] = errorResponse('AUTH_REQUIRED, AUTH_FAILED, TOKEN_EXPIRED, TOKEN_REVOKED: no valid access token');
    // authenticateRequest asks the token store whether the account was erased since the token was issued.
    errors[410] = errorResponse(
      "ACCOUNT_ERASED (PERSONAL_DATA_ERASED when the erasure raced the request): the caller's account was erased and is closed for good",
    );
  }
  if (takesBody) {
    errors[413] = errorResponse('PAYLOAD_TOO_LARGE: the body is over the size limit (MESSAGE_TOO_LONG where it carries a text over its length)');
    errors[415] = errorResponse('UNSUPPORTED_MEDIA_TYPE: a body that is not UTF-8 JSON, or that is compressed');
  }
  // Which handlers consult a rate limiter is not known from the route, so every operation keeps the 429.
  errors[429] = {
    ...errorResponse('RATE_LIMIT_EXCEEDED, RATE_LIMIT_UNAVAILABLE or ACCOUNT_LOCKED: rate limited'),
    headers: { 'Retry-After': { description: 'seconds until a retry can succeed', schema: { type: 'integer' } } },
  };
  errors[500] = errorResponse('INTERNAL_ERROR');
  // Every operation reads the event log, a view or the token store, any of which can be away for a moment; commands
  // also wait for the history view to show what they appended (READ_YOUR_WRITES_TIMEOUT_MS).
  errors[503] = errorResponse('UNAVAILABLE: a dependency is not answering, or the change was not readable in time; retry with the same ids');
  return errors;
}

/** What a 400 means for this operation: every part is validated (route.ts), also the ones it takes none of. */
function badInputDescription(endpoint: Endpoint): string {
  const reasons = [
    'VALIDATION_FAILED: ' +
      [
        endpoint.params !== NO_PARAMS ? 'a path parameter that does not match (or is not percent-encoded UTF-8)' : undefined,
        endpoint.query !== NO_QUERY ? 'a query parameter that does not match, is repeated, or is unknown' : 'any query parameter',
        endpoint.upload !== undefined
          ? `a multipart body without a part named ${endpoint.upload.field}`
          : endpoint.body !== NO_BODY
            ? 'a body that does not match'
            : 'a non-empty body',
      ]
        .filter((reason) => reason !== undefined)
        .join('; ') +
      ' (details.part and details.issues say what)',
  ];
  if (endpoint.body !== NO_BODY) reasons.push('INVALID_JSON: the body is not JSON, or not UTF-8');
  return reasons.join('. ');
}

function errorResponse(description: string): ResponseConfig {
  return { description, content: { 'application/json': { schema: errorSchema } } };
}

/** Builds the OpenAPI 3.1 document from the very endpoints the app mounts. */
export function buildOpenApiDocument(endpoints: Endpoint[], info: { version: string }): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  registerMethodNotAllowed(registry);
  const links = linksBySource(endpoints, OPERATION_LINKS);
  for (const endpoint of endpoints) {
    const responses: Record<string, ResponseConfig> = {};
    for (const [status, response] of Object.entries(standardErrors(endpoint))) responses[status] = response;
    for (const [status, response] of Object.entries(endpoint.responses)) {
      const standard = responses[status];
      if (standard && response.schema === undefined) {
        responses[status] = { ...standard, description: `${response.description}. ${standard.description}` };
        continue;
      }
      const schema = response.schema ?? (Number(status) >= 400 ? errorSchema : undefined);
      const linked = links.get(`${operationKeyOf(endpoint)} ${status}`);
      responses[status] = {
        description: response.description,
        ...(response.headers ? { headers: headersOf(response.headers) } : {}),
        ...(schema ? { content: { 'application/json': { schema } } } : {}),
        ...(linked ? { links: linked } : {}),
      };
    }
    // Downloads: the bytes, in the media types the route may answer with (issue #16).
    for (const [status, binary] of Object.entries(endpoint.binary ?? {})) {
      responses[status] = {
        description: binary.description,
        headers: {
          ETag: { description: 'the SHA-256 of the bytes, quoted', schema: { type: 'string' } },
          'Content-Disposition': { description: '`attachment` for anything but an allowed image', schema: { type: 'string' } },
        },
        content: Object.fromEntries(binary.contentTypes.map((type) => [type, { schema: { type: 'string', format: 'binary' } }])),
      };
    }
    registry.registerPath({
      method: endpoint.method,
      path: openApiPath(endpoint),
      summary: endpoint.summary,
      ...(endpoint.description ? { description: endpoint.description } : {}),
      tags: endpoint.tags,
      ...(endpoint.auth ? { security: [{ [bearer.name]: [] }] } : {}),
      request: {
        ...(endpoint.body !== NO_BODY
          ? { body: { required: isRequired(endpoint.body), content: { 'application/json': { schema: endpoint.body } } } }
          : {}),
        ...(endpoint.upload !== undefined
          ? {
              body: {
                required: true,
                content: {
                  'multipart/form-data': {
                    schema: {
                      type: 'object',
                      properties: {
                        [endpoint.upload.field]: { type: 'string', format: 'binary', description: endpoint.upload.description },
                      },
                      required: [endpoint.upload.field],
                      additionalProperties: false,
                    },
                  },
                },
              },
            }
          : {}),
        ...(endpoint.query !== NO_QUERY ? { query: objectSchema(endpoint.query) } : {}),
        ...(endpoint.params !== NO_PARAMS ? { params: objectSchema(endpoint.params) } : {}),
      },
      responses,
    });
  }
  return new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: '3.1.0',
    info: {
      title: 'Chat service API',
      version: info.version,
      description:
        'Event-sourced CQRS chat service. Errors are `{"error": {"code", "message", "details?"}}` with stable codes. ' +
        'A documented path asked with a method it does not list answers 405 METHOD_NOT_ALLOWED with an `Allow` ' +
        'header (`#/components/responses/MethodNotAllowed`); a request whose line and headers are over the server\'s ' +
        'limit is 431 HEADERS_TOO_LARGE, one that is not HTTP/1.1 400 VALIDATION_FAILED, one too slow to arrive 408 ' +
        'REQUEST_TIMEOUT. ' +
        'The WebSocket frames (`/ws`) and the Kafka topics are described by the AsyncAPI 3 document at ' +
        '[/api/asyncapi.json](/api/asyncapi.json).',
    },
    servers: [{ url: '/' }],
  });
}

/** A response's documented headers (a redirect's Location, a cookie), each a string. */
function headersOf(headers: Record<string, string>): NonNullable<ResponseConfig['headers']> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, description]) => [name, { description, schema: { type: 'string' as const } }]),
  );
}

function openApiPath(endpoint: Endpoint): string {
  return endpoint.path.replace(/:([A-Za-z]+)/g, '{$1}');
}

function operationKeyOf(endpoint: Endpoint): OperationKey {
  return `${upperCaseMethod(endpoint.method)} /${openApiPath(endpoint).slice(1)}`;
}

function upperCaseMethod(method: Endpoint['method']): 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' {
  switch (method) {
    case 'get':
      return 'GET';
    case 'post':
      return 'POST';
    case 'put':
      return 'PUT';
    case 'patch':
      return 'PATCH';
    case 'delete':
      return 'DELETE';
    default: {
      const unknown: never = method;
      throw new Error(`unknown method ${String(unknown)}`);
    }
  }
}

/**
 * The links of each source operation's success response, keyed `METHOD /path status`, as OpenAPI Link Objects
 * naming their target by JSON pointer (operationRef). A link between operations this process does not serve is
 * left out (a process without the api role serves health only); one that names a status its source does not
 * declare is a mistake in the table.
 */
function linksBySource(endpoints: Endpoint[], table: readonly OperationLink[]): Map<string, Record<string, object>> {
  const served = new Map(endpoints.map((endpoint) => [operationKeyOf(endpoint), endpoint]));
  const bySource = new Map<string, Record<string, object>>();
  for (const link of table) {
    const source = served.get(link.from);
    if (!source || !served.has(link.to)) continue;
    for (const status of link.statuses) {
      if (source.responses[status] === undefined) throw new Error(`link ${link.name} from ${link.from} names undeclared status ${status}`);
      const key = `${link.from} ${status}`;
      const entry = bySource.get(key) ?? {};
      entry[link.name] = {
        operationRef: operationRef(link.to),
        description: link.description,
        ...(link.parameters ? { parameters: link.parameters } : {}),
        ...(link.requestBody ? { requestBody: link.requestBody } : {}),
        ...(link.wholeBody ? { 'x-schemathesis': { merge_body: false } } : {}),
      };
      bySource.set(key, entry);
    }
  }
  return bySource;
}

/** `#/paths/~1api~1chat~1rooms/post`: a JSON pointer to the operation (RFC 6901 escapes "/" as "~1"). */
function operationRef(key: OperationKey): string {
  const [method, path] = key.split(' ');
  return `#/paths/${(path ?? '').replaceAll('~', '~0').replaceAll('/', '~1')}/${(method ?? '').toLowerCase()}`;
}

/**
 * 405 belongs to a path, not to an operation: an operation is never answered 405, its path is when asked with a
 * method no operation has. OpenAPI has no place for that on the path, so it is a reusable response the description
 * points at.
 */
function registerMethodNotAllowed(registry: OpenAPIRegistry): void {
  // Every operation's 400 refers to the Error schema by this id, so it is always among the components.
  const errorId = errorSchema.meta()?.id ?? 'Error';
  registry.registerComponent('responses', 'MethodNotAllowed', {
    description: 'METHOD_NOT_ALLOWED: the path is served, not with this method (details.allow lists the methods)',
    headers: { Allow: { description: 'the methods the path is served with', schema: { type: 'string' } } },
    content: { 'application/json': { schema: { $ref: `#/components/schemas/${errorId}` } } },
  });
}

/** A body the schema refuses to do without (every JSON body so far): a request without one is 400. */
function isRequired(body: z.ZodType): boolean {
  return !body.safeParse(undefined).success;
}

// zod-to-openapi wants query and path parameters as objects (zod 4 keeps refinements on the object itself).
function objectSchema(schema: z.ZodType): z.ZodObject {
  if (isZodObject(schema)) return schema;
  throw new Error(`query and path schemas must be objects, got ${schema.def.type}`);
}

function isZodObject(schema: z.ZodType): schema is z.ZodObject {
  return schema.def.type === 'object';
}
