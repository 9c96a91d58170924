import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';

import { UnavailableError } from '../../../src/domain/errors.js';
import { ConfluentSchemaRegistry } from '../../../src/events/registry/confluentSchemaRegistry.js';
import {
  SchemaIncompatibleError,
  SchemaInvalidError,
  SchemaNotFoundError,
} from '../../../src/events/registry/schemaRegistryErrors.js';
import { describeWithServices } from '../../support/realServices.js';
import { deleteSubjects } from '../../support/schemaRegistry.js';

type Field = { name: string; type: unknown; default?: unknown };
const record = (name: string, fields: Field[]): string =>
  JSON.stringify({ type: 'record', name, namespace: 'test', fields });

const v1 = record('Thing', [{ name: 'id', type: 'string' }]);
const v2 = record('Thing', [
  { name: 'id', type: 'string' },
  { name: 'note', type: ['null', 'string'], default: null },
]);
/** Cannot read v2's data: `id` became an int. */
const incompatible = record('Thing', [
  { name: 'id', type: 'int' },
  { name: 'note', type: ['null', 'string'], default: null },
]);

async function caught(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describeWithServices('ConfluentSchemaRegistry on a real registry', ['SCHEMA_REGISTRY_URL'], (env) => {
  const url = env('SCHEMA_REGISTRY_URL');
  // Every subject is new to the registry, so runs (and a service sharing the registry) never meet each other's.
  const run = randomUUID();
  const subjects: string[] = [];
  const subject = (name: string): string => {
    const full = `test-${run}.${name}`;
    subjects.push(full);
    return full;
  };
  const registry = new ConfluentSchemaRegistry({ url, timeoutMs: 5000 });

  afterAll(async () => {
    await deleteSubjects(url, subjects);
  });

  it('returns the same id when the same schema is registered twice, however it is formatted', async () => {
    const s = subject('Idempotent');
    const id = await registry.register(s, v1);
    expect(await registry.register(s, v1)).toBe(id);
    const reformatted = JSON.stringify(
      { fields: [{ type: 'string', name: 'id' }], namespace: 'test', name: 'Thing', type: 'record' },
      null,
      2,
    );
    expect(await registry.register(s, reformatted)).toBe(id);
    expect(await registry.listVersions(s)).toEqual([{ id, subject: s, version: 1, schema: v1 }]);
  });

  it('reads a registered schema back by id', async () => {
    const id = await registry.register(subject('RoundTrip'), v1);
    expect(JSON.parse(await registry.getSchema(id))).toEqual(JSON.parse(v1));
    // A second adapter has no cache: the text comes from the registry.
    const fresh = new ConfluentSchemaRegistry({ url });
    expect(JSON.parse(await fresh.getSchema(id))).toEqual(JSON.parse(v1));
  });

  it('sets BACKWARD compatibility on the subject', async () => {
    const s = subject('Compatibility');
    await registry.register(s, v1);
    expect(await registry.subjectCompatibility(s)).toBe('BACKWARD');
    // Read back with the REST API itself, not through the adapter.
    const response = await fetch(`${url}/config/${encodeURIComponent(s)}`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
  });

  it('accepts a compatible evolution as a new version with a new id', async () => {
    const s = subject('Evolution');
    const id1 = await registry.register(s, v1);
    const id2 = await registry.register(s, v2);
    expect(id2).not.toBe(id1);
    const versions = await registry.listVersions(s);
    expect(versions.map(({ id, subject: name, version }) => ({ id, subject: name, version }))).toEqual([
      { id: id1, subject: s, version: 1 },
      { id: id2, subject: s, version: 2 },
    ]);
    expect(JSON.parse(await registry.getSchema(id2))).toEqual(JSON.parse(v2));
    // Registering the earlier version again finds it instead of adding a third.
    expect(await registry.register(s, v1)).toBe(id1);
    expect(await registry.listVersions(s)).toHaveLength(2);
  });

  it('refuses an incompatible version with SchemaIncompatibleError naming the subject and the reason', async () => {
    const s = subject('Refused');
    await registry.register(s, v1);
    await registry.register(s, v2);
    const error = await caught(() => registry.register(s, incompatible));
    expect(error).toBeInstanceOf(SchemaIncompatibleError);
    if (error instanceof SchemaIncompatibleError) {
      expect(error.code).toBe('SCHEMA_INCOMPATIBLE');
      expect(error.subject).toBe(s);
      expect(error.message).toContain(s);
      // The registry's own explanation, whatever its wording, names the field type that broke.
      expect(error.reason.toLowerCase()).toMatch(/int|string|incompatib/);
      expect(error.reason).not.toMatch(/^chat-service - /);
    }
    expect(await registry.listVersions(s)).toHaveLength(2);
  });

  it('refuses text that is not an Avro schema with SchemaInvalidError before calling the registry', async () => {
    const s = subject('Invalid');
    const notJson = await caught(() => registry.register(s, '{"type": "record"'));
    expect(notJson).toBeInstanceOf(SchemaInvalidError);
    const notAvro = await caught(() => registry.register(s, JSON.stringify({ type: 'record', name: 'X' })));
    expect(notAvro).toBeInstanceOf(SchemaInvalidError);
    if (notAvro instanceof SchemaInvalidError) expect(notAvro.subject).toBe(s);
    expect(await registry.listVersions(s)).toEqual([]);
  });

  it('reports an unknown id as SchemaNotFoundError and an unknown subject as having no versions', async () => {
    const error = await caught(() => registry.getSchema(2_000_000_000));
    expect(error).toBeInstanceOf(SchemaNotFoundError);
    expect(await registry.listVersions(`test-${run}.NeverRegistered`)).toEqual([]);
  });

  it('lists every version of every subject, ordered by subject then version', async () => {
    const a = subject('ListA');
    const b = subject('ListB');
    await registry.register(b, v1);
    await registry.register(a, v1);
    await registry.register(a, v2);
    const ours = (await registry.allSchemas()).filter((schema) => schema.subject === a || schema.subject === b);
    expect(ours.map(({ subject: name, version }) => [name, version])).toEqual([
      [a, 1],
      [a, 2],
      [b, 1],
    ]);
  });
});

describe('ConfluentSchemaRegistry when the registry cannot be used', () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const server of servers) server.closeAllConnections();
    await Promise.all(servers.map((server) => new Promise((done) => server.close(done))));
  });

  async function listen(handler: Parameters<typeof createServer>[1]): Promise<string> {
    const server = createServer(handler);
    servers.push(server);
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const address: AddressInfo | string | null = server.address();
    if (address === null || typeof address === 'string') throw new Error('no port');
    return `http://127.0.0.1:${address.port}`;
  }

  it('reports a registry nobody listens on as UnavailableError naming its URL', async () => {
    // Take a free port, then close it, so nothing answers there.
    const url = await listen(() => undefined);
    const server = servers.pop();
    await new Promise((done) => server?.close(done));

    const registry = new ConfluentSchemaRegistry({ url, timeoutMs: 2000 });
    const error = await caught(() => registry.register('test.Thing', v1));
    expect(error).toBeInstanceOf(UnavailableError);
    if (error instanceof UnavailableError) {
      expect(error.code).toBe('UNAVAILABLE');
      expect(error.message).toContain(url);
      expect(error.message).toContain('ECONNREFUSED');
    }
  });

  it('gives up on a registry that does not answer within the timeout', async () => {
    // Accepts the request and never answers; the adapter's timeout must end the wait.
    const url = await listen(() => undefined);
    const registry = new ConfluentSchemaRegistry({ url, timeoutMs: 200 });
    const error = await caught(() => registry.listVersions('test.Thing'));
    expect(error).toBeInstanceOf(UnavailableError);
    if (error instanceof UnavailableError) expect(error.message).toContain('no answer within 200 ms');
  });

  it('gives up on a registration the registry never answers (the client library path has its own timeout)', async () => {
    // Answers everything the adapter asks over fetch, then holds the client library's POST forever.
    const url = await listen((request, response) => {
      const json = (status: number, body: unknown) =>
        response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.method === 'PUT') return json(200, { compatibility: 'BACKWARD' });
      if (request.method === 'GET' && request.url?.startsWith('/config/')) return json(200, { compatibilityLevel: 'BACKWARD' });
      if (request.method === 'GET') return json(404, { error_code: 40401, message: 'Subject not found' });
      // POST /subjects/test.Thing/versions: never answered.
    });
    const registry = new ConfluentSchemaRegistry({ url, timeoutMs: 300 });
    const error = await caught(() => registry.register('test.Thing', v1));
    expect(error).toBeInstanceOf(UnavailableError);
    if (error instanceof UnavailableError) {
      expect(error.message).toContain('test.Thing');
      expect(error.message).toContain('no answer within 300 ms');
    }
  });

  it('does not mistake a wrong base URL (a 404 without the subject error code) for an empty subject', async () => {
    const url = await listen((_request, response) => {
      response.writeHead(404, { 'content-type': 'text/html' }).end('<h1>Not Found</h1>');
    });
    const registry = new ConfluentSchemaRegistry({ url });
    expect(await caught(() => registry.listVersions('test.Thing'))).toBeInstanceOf(UnavailableError);
    expect(await caught(() => registry.getSchema(1))).toBeInstanceOf(UnavailableError);
  });

  it('refuses a URL with credentials, which it would otherwise put in error messages', () => {
    expect(() => new ConfluentSchemaRegistry({ url: 'http://user:secret@127.0.0.1:1' })).toThrow(/credentials/);
  });
});
