import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';

import { UnavailableError } from '../../../src/domain/errors.js';
import { ConfluentSchemaRegistry } from '../../../src/events/registry/confluentSchemaRegistry.js';
import { SchemaIncompatibleError } from '../../../src/events/registry/schemaRegistryErrors.js';
import { describeWithServices } from '../../support/realServices.js';
import { deleteSubjects, subjectsWithPrefix, uniqueSubjectPrefix } from '../../support/schemaRegistry.js';
import { changesFieldType, rejectionOf, schemaRegistryContract, v1, v2 } from './schemaRegistryContract.js';

const caught = (run: () => Promise<unknown>): Promise<unknown> => rejectionOf(run());

describeWithServices('ConfluentSchemaRegistry on a real registry', ['SCHEMA_REGISTRY_URL'], (env) => {
  const url = env('SCHEMA_REGISTRY_URL');

  // Every test's subjects are new to the registry, so runs (and a service sharing the registry) never meet.
  schemaRegistryContract('ConfluentSchemaRegistry (real registry)', async () => {
    const subjectPrefix = uniqueSubjectPrefix('registry-contract');
    return {
      registry: new ConfluentSchemaRegistry({ url, timeoutMs: 5000 }),
      subjectPrefix,
      openAnother: () => new ConfluentSchemaRegistry({ url, timeoutMs: 5000 }),
      cleanup: async () => deleteSubjects(url, await subjectsWithPrefix(url, subjectPrefix)),
    };
  });

  describe('ConfluentSchemaRegistry specifics', () => {
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

    it('sets BACKWARD compatibility on the subject', async () => {
      const s = subject('Compatibility');
      await registry.register(s, v1);
      expect(await registry.subjectCompatibility(s)).toBe('BACKWARD');
      // Read back with the REST API itself, not through the adapter.
      const response = await fetch(`${url}/config/${encodeURIComponent(s)}`);
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ compatibilityLevel: 'BACKWARD' });
    });

    // Two codecs of one process starting side by side register every subject at once; Apicurio answered the later
    // ones 409 "already exists" (for the subject's rule, or its first version), read as an incompatible schema.
    it('registers one subject from several clients at once: one id for all, and no refusal', async () => {
      const s = subject('Concurrent');
      const clients = Array.from({ length: 6 }, () => new ConfluentSchemaRegistry({ url, timeoutMs: 5000 }));
      const ids = await Promise.all(clients.map((client) => client.register(s, v1)));
      expect(new Set(ids).size).toBe(1);
      // Apicurio may keep a version per concurrent creation, all of the one schema: they share its id.
      expect(new Set((await registry.listVersions(s)).map((version) => version.id))).toEqual(new Set(ids));
      expect(await registry.subjectCompatibility(s)).toBe('BACKWARD');
    });

    it("gives the registry's own explanation of a refusal as the reason, without the client's prefix", async () => {
      const s = subject('Refused');
      await registry.register(s, v1);
      await registry.register(s, v2);
      const error = await caught(() => registry.register(s, changesFieldType));
      expect(error).toBeInstanceOf(SchemaIncompatibleError);
      if (error instanceof SchemaIncompatibleError) {
        // Whatever its wording, it names the field type that broke.
        expect(error.reason.toLowerCase()).toMatch(/int|string|incompatib/);
        expect(error.reason).not.toMatch(/^chat-service - /);
      }
    });
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
