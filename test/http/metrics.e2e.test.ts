import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpClient, signUp } from '../support/httpClient.js';
import { startTestServer, type TestServer } from '../support/testServer.js';

// GET /metrics over real HTTP: Prometheus text, requests counted by route pattern (never by raw URL), projector
// lag per projection, and who may read it: loopback by default, the bearer token when METRICS_TOKEN is set, any
// host with METRICS_OPEN.

describe('/metrics', () => {
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer();
    http = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('counts requests by method, route pattern and status, and shows projector lag', async () => {
    const alice = await signUp(http, 'alice');
    await http.get('/api/health');
    await http.get('/api/chat/rooms/room-one', { token: alice.accessToken });
    await http.get('/api/chat/rooms/room-two', { token: alice.accessToken });
    await http.get('/no/such/path');
    await http.get('/favicon.ico');

    const response = await http.get('/metrics');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    const text: string = response.body;
    expect(text).toMatch(/^chat_http_requests_total\{method="GET",route="\/api\/health",status="200"\} 1$/m);
    expect(text).toMatch(/^chat_http_requests_total\{method="POST",route="\/api\/auth\/register",status="201"\} 1$/m);
    expect(text).toMatch(/^chat_http_requests_total\{method="GET",route="\/api\/chat\/rooms\/:roomId",status="404"\} 2$/m);
    expect(text).toMatch(/^chat_http_requests_total\{method="GET",route="unmatched",status="404"\} 1$/m);
    expect(text).toMatch(/^chat_http_requests_total\{method="GET",route="static",status="200"\} 1$/m);
    expect(text).not.toContain('room-one');
    expect(text).toMatch(/^chat_projector_lag_events\{projection="history"\} \d+$/m);
    expect(text).toMatch(/^chat_projector_lag_events\{projection="analytics"\} \d+$/m);
    expect(text).toMatch(/^chat_projector_lag_events\{projection="search"\} \d+$/m);
    // Process metrics come with the registry.
    expect(text).toContain('process_cpu_seconds_total');
  });

  it('counts and times commands from REST by type and outcome', async () => {
    const bob = await signUp(http, 'bob');
    const roomId = (await http.post('/api/chat/rooms', { token: bob.accessToken, body: { name: 'm', kind: 'public' } })).body.room.roomId;
    await http.post('/api/chat/send', { token: bob.accessToken, body: { roomId, text: 'hi', clientMessageId: 'm1' } });
    await http.post('/api/chat/send', { token: bob.accessToken, body: { roomId, text: '', clientMessageId: 'm2' } });
    const text: string = (await http.get('/metrics')).body;
    expect(text).toMatch(/^chat_commands_total\{command="SendMessage",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^chat_commands_total\{command="SendMessage",outcome="EMPTY_CONTENT"\} 1$/m);
    expect(text).toMatch(/^chat_commands_total\{command="CreateRoom",outcome="accepted"\} 1$/m);
    expect(text).toMatch(/^chat_command_duration_seconds_count\{command="SendMessage"\} 2$/m);
    // The send is a direct route (src/http/directRoutes.ts): its requests are counted by pattern as express's are.
    expect(text).toMatch(/^chat_http_requests_total\{method="POST",route="\/api\/chat\/send",status="201"\} 1$/m);
    expect(text).toMatch(/^chat_http_requests_total\{method="POST",route="\/api\/chat\/send",status="400"\} 1$/m);
  });

  it('answers loopback without METRICS_TOKEN, whatever bearer it sends', async () => {
    expect((await http.get('/metrics')).status).toBe(200);
    expect((await http.get('/metrics', { token: 'anything-at-all' })).status).toBe(200);
  });

  it('refuses a loopback request a proxy relayed (X-Forwarded-For, Forwarded, X-Real-IP)', async () => {
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip']) {
      const relayed = await http.get('/metrics', { headers: { [header]: '127.0.0.1' } });
      expect(relayed.status).toBe(401);
      expect(relayed.body.error).toMatchObject({ code: 'AUTH_REQUIRED', details: { reason: 'NOT_LOOPBACK' } });
    }
  });
});

describe('/metrics with METRICS_TOKEN', () => {
  const token = 'scrape-token-0123456789';
  let server: TestServer;
  let http: HttpClient;

  beforeAll(async () => {
    server = await startTestServer({ METRICS_TOKEN: token });
    http = new HttpClient(server.baseUrl);
  });
  afterAll(async () => {
    await server.stop({ removeData: true });
  });

  it('requires the bearer token', async () => {
    const missing = await http.get('/metrics');
    expect(missing.status).toBe(401);
    expect(missing.body.error.code).toBe('AUTH_REQUIRED');
    expect(missing.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await http.get('/metrics', { token: `${token}x` })).status).toBe(401);
    expect((await http.get('/metrics', { token: 'short' })).status).toBe(401);

    const allowed = await http.get('/metrics', { token });
    expect(allowed.status).toBe(200);
    expect(allowed.body).toContain('chat_http_requests_total{method="GET",route="/metrics",status="401"} 3');
  });
});
