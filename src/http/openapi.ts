import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig } from '@asteasolutions/zod-to-openapi';
import type { z } from 'zod';
import { errorSchema } from './schemas.js';
import type { Endpoint } from './route.js';
import { NO_BODY, NO_PARAMS, NO_QUERY } from './route.js';

const STANDARD_ERRORS: Record<number, string> = {
  400: 'invalid input (code VALIDATION_FAILED, INVALID_JSON, ...)',
  413: 'body or text too large',
  429: 'rate limited; see Retry-After',
  500: 'internal error',
};

/** Builds the OpenAPI 3.1 document from the very endpoints the app mounts. */
export function buildOpenApiDocument(endpoints: Endpoint[], info: { version: string }): object {
  const registry = new OpenAPIRegistry();
  const bearer = registry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
  });
  for (const endpoint of endpoints) {
    const responses: Record<string, ResponseConfig> = {};
    const documented = { ...STANDARD_ERRORS, ...(endpoint.auth ? { 401: 'missing, invalid or revoked token' } : {}) };
    for (const [status, description] of Object.entries(documented)) {
      responses[status] = { description, content: { 'application/json': { schema: errorSchema } } };
    }
    for (const [status, response] of Object.entries(endpoint.responses)) {
      responses[status] = {
        description: response.description,
        ...(response.schema ? { content: { 'application/json': { schema: response.schema } } } : {}),
      };
    }
    registry.registerPath({
      method: endpoint.method,
      path: endpoint.path.replace(/:([A-Za-z]+)/g, '{$1}'),
      summary: endpoint.summary,
      ...(endpoint.description ? { description: endpoint.description } : {}),
      tags: endpoint.tags,
      ...(endpoint.auth ? { security: [{ [bearer.name]: [] }] } : {}),
      request: {
        ...(endpoint.body !== NO_BODY ? { body: { content: { 'application/json': { schema: endpoint.body } } } } : {}),
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
        'The WebSocket frames (`/ws`) and the Kafka topics are described by the AsyncAPI 3 document at ' +
        '[/api/asyncapi.json](/api/asyncapi.json).',
    },
    servers: [{ url: '/' }],
  });
}

// zod-to-openapi wants query and path parameters as objects (zod 4 keeps refinements on the object itself).
function objectSchema(schema: z.ZodType): z.ZodObject {
  if (isZodObject(schema)) return schema;
  throw new Error(`query and path schemas must be objects, got ${schema.def.type}`);
}

function isZodObject(schema: z.ZodType): schema is z.ZodObject {
  return schema.def.type === 'object';
}
