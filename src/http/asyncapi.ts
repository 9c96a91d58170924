import { kafkaPart, KAFKA_SERVER, type EventSchemaTexts } from './asyncapiKafka.js';
import { webSocketPart, WEB_SOCKET_SERVER } from './asyncapiWebSocket.js';

// The AsyncAPI 3 document (issue #15): what the service says and hears outside HTTP, served at /api/asyncapi.json
// next to the OpenAPI document. Built at start from the sources of truth (the gateway's frame schemas, the event
// schema files, the commands topic's schemas), never written by hand, so it cannot drift from what runs;
// test/http/asyncapi.unit.test.ts checks it with the official parser.

export interface AsyncApiOptions {
  version: string;
  /** Each event type's .avsc, as the service registers them (loadEventSchemaFiles). */
  eventSchemas: EventSchemaTexts;
}

export function buildAsyncApiDocument(options: AsyncApiOptions): object {
  const webSocket = webSocketPart();
  const kafka = kafkaPart(options.eventSchemas);
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Chat service: WebSocket and Kafka',
      version: options.version,
      description:
        'The WebSocket protocol chat clients speak at `/ws` (every frame both ways), and, in the distributed mode, ' +
        'the Kafka topics between the roles: the events topic (the event log, Avro) and the commands and replies ' +
        'topics of the command processor (JSON). The REST API is described by the OpenAPI document at ' +
        '`/api/openapi.json`.',
    },
    defaultContentType: 'application/json',
    servers: {
      [WEB_SOCKET_SERVER]: {
        host: '{host}',
        protocol: 'ws',
        description: 'The service itself (`wss` behind a TLS proxy); the gateway role takes the upgrade.',
        variables: { host: { default: 'localhost:3000', description: 'The host and PORT the service listens on.' } },
      },
      [KAFKA_SERVER]: {
        host: '{brokers}',
        protocol: 'kafka',
        description:
          'The brokers of `EVENT_LOG=kafka` (KAFKA_BROKERS); event schemas live in the Confluent-compatible registry ' +
          'at SCHEMA_REGISTRY_URL.',
        variables: { brokers: { default: 'localhost:9092', description: 'KAFKA_BROKERS: host:port, comma-separated.' } },
        bindings: { kafka: { schemaRegistryVendor: 'confluent', bindingVersion: '0.5.0' } },
      },
    },
    channels: { ...webSocket.channels, ...kafka.channels },
    operations: { ...webSocket.operations, ...kafka.operations },
  };
}
