import type { PayloadSchema } from './payloadSchema.js';

// The shapes the AsyncAPI document is assembled from (asyncapi.ts), as far as this service uses them: each half of
// the document (asyncapiWebSocket.ts, asyncapiKafka.ts) contributes channels and the operations on them.

export interface MessageObject {
  /** The frame type or event type, as API.md and the code spell it. */
  name: string;
  title: string;
  summary?: string;
  description?: string;
  contentType: string;
  /** A JSON Schema, or for Avro a Multi Format Schema Object (`{schemaFormat, schema}`). */
  payload: PayloadSchema | { schemaFormat: string; schema: unknown };
  headers?: PayloadSchema;
  bindings?: Record<string, unknown>;
}

export interface AsyncApiPart {
  channels: Record<string, object>;
  operations: Record<string, object>;
}
