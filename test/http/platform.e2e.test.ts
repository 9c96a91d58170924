import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/tokens.js';
import { OPERATION_LINKS } from '../../src/http/openapiLinks.js';
import { HttpClient } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// What every response carries regardless of route: docs, security headers, CORS and request ids.

describe('HTTP platform', () => {
  let server: TestServer;
  let client: HttpClient;

  beforeAll(async () => {
    server = await startTestServer({ CORS_ORIGINS: 'https://chat.example' });
    client = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('serves an OpenAPI 3.1 document that lists every mounted route', async () => {
    const response = await client.get('/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.body.openapi).toBe('3.1.0');
    const endpoints = await server.server.service(TOKENS.endpoints);
    expect(endpoints.length).toBeGreaterThan(15);
    for (const endpoint of endpoints) {
      const path = endpoint.path.replace(/:([A-Za-z]+)/g, '{$1}');
      expect(response.body.paths[path]?.[endpoint.method], `${endpoint.method} ${path}`).toBeDefined();
    }
    const send = response.body.paths['/api/chat/send'].post;
    expect(send.security).toEqual([{ bearerAuth: [] }]);
    expect(send.requestBody.content['application/json'].schema).toBeDefined();
    expect(Object.keys(send.responses)).toEqual(expect.arrayContaining(['201', '400', '401', '429']));
  });

  it('links the operations of every flow in the link table, each pointing at an operation the document has', async () => {
    const { body } = await client.get('/api/openapi.json');
    for (const link of OPERATION_LINKS) {
      const [method = '', path = ''] = link.from.split(' ');
      for (const status of link.statuses) {
        const found = body.paths[path]?.[method.toLowerCase()]?.responses[String(status)]?.links?.[link.name];
        expect(found, `${link.from} ${status} → ${link.name}`).toBeDefined();
        const [, targetPath = '', targetMethod = ''] = /^#\/paths\/(.+)\/([a-z]+)$/.exec(found.operationRef) ?? [];
        const target = body.paths[targetPath.replaceAll('~1', '/').replaceAll('~0', '~')]?.[targetMethod];
        expect(target, `${link.name} → ${found.operationRef}`).toBeDefined();
        expect(`${targetMethod.toUpperCase()} ${targetPath.replaceAll('~1', '/')}`).toBe(link.to);
      }
    }
  });

  it('serves interactive docs', async () => {
    const response = await fetch(`${server.baseUrl}/api/docs/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
    expect(await response.text()).toContain('swagger-ui');
  });

  it('sets security headers and a request id on every response, honouring a sane given one', async () => {
    const response = await client.get('/api/health');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
    expect(response.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const given = await client.get('/api/nothing', { headers: { 'x-request-id': 'trace-123' } });
    expect(given.status).toBe(404);
    expect(given.headers.get('x-request-id')).toBe('trace-123');
    const hostile = await client.get('/api/health', { headers: { 'x-request-id': 'a b\tc' } });
    expect(hostile.headers.get('x-request-id')).not.toBe('a b\tc');
  });

  it('allows only configured CORS origins', async () => {
    const allowed = await client.request('OPTIONS', '/api/chat/rooms', {
      headers: { origin: 'https://chat.example', 'access-control-request-method': 'POST' },
    });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://chat.example');
    const other = await client.request('OPTIONS', '/api/chat/rooms', {
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports healthy dependencies', async () => {
    const response = await client.get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', checks: { eventLog: { status: 'ok' }, historyProjection: { status: 'ok' } } });
  });

  it('answers 503 naming the failing dependency', async () => {
    const projector = await server.server.service(TOKENS.historyProjector);
    await projector.stop();
    const response = await client.get('/api/health');
    expect(response.status).toBe(503);
    expect(response.body.status).toBe('unavailable');
    expect(response.body.checks.historyProjection).toMatchObject({ status: 'failing' });
    expect(response.body.checks.eventLog).toMatchObject({ status: 'ok' });
    await projector.start();
    expect((await client.get('/api/health')).status).toBe(200);
  });
});
