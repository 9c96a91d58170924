import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadEventSchemaFiles } from '../../src/events/avro/eventSchemaFiles.js';
import { buildAsyncApiDocument } from '../../src/http/asyncapi.js';
import { HttpClient } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// The AsyncAPI document as a client fetches it from a running service (the embedded one: the document describes
// the Kafka topics too, whichever mode serves it). Its content is checked in asyncapi.unit.test.ts.

describe('GET /api/asyncapi.json', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeAll(async () => {
    server = await startTestServer();
    client = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('answers 200 JSON without a token, the document the service builds', async () => {
    const response = await client.get('/api/asyncapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.body.asyncapi).toBe('3.0.0');
    const expected = buildAsyncApiDocument({ version: response.body.info.version, eventSchemas: await loadEventSchemaFiles() });
    expect(response.body).toEqual(JSON.parse(JSON.stringify(expected)));
  });
});
